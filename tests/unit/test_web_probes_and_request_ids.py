"""An operator probes the web application and follows one page through the platform: /healthz and
/readyz answer on the public port (ready while the gateway answers), /metrics only on the
operations listener, and every page's request id is logged and passed on to the gateway."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

import httpx
import structlog
from fastapi import FastAPI

from web.adapters.gateway_client import GatewayClient
from web.bootstrap import create_app
from web.config import Settings
from web.entrypoints.operations import serve_operations_beside

GATEWAY = "http://gateway.test"
OPERATIONS_PORT = 9102


class FakeGateway:
    """Answers its /healthz (unless down) and every API call with an empty object, and keeps the
    X-Request-ID of each call."""

    def __init__(self, *, down: bool = False) -> None:
        self.down = down
        self.request_ids: list[str | None] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        self.request_ids.append(request.headers.get("x-request-id"))
        return httpx.Response(200, json={})


@contextlib.asynccontextmanager
async def _started(gateway: FakeGateway) -> AsyncIterator[FastAPI]:
    app = create_app(Settings(session_secret="s" * 32, gateway_url=GATEWAY))
    async with app.router.lifespan_context(app):
        await app.state.container.gateway.close()
        app.state.container.gateway = GatewayClient(
            GATEWAY, timeout=5, transport=httpx.MockTransport(gateway)
        )
        yield app


async def _get(app: Callable, url: str, **kw) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        return await client.get(url, **kw)


async def test_the_probes_answer_on_the_public_port_and_the_metrics_do_not():
    async with _started(FakeGateway()) as app:
        alive = await _get(app, "http://web/healthz")
        ready = await _get(app, "http://web/readyz")
        metrics = await _get(app, "http://web/metrics")

    assert alive.status_code == 200 and alive.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json()["checks"] == {"gateway": True}
    assert metrics.status_code == 404


async def test_the_web_is_not_ready_while_the_gateway_does_not_answer():
    async with _started(FakeGateway(down=True)) as app:
        ready = await _get(app, "http://web/readyz")
        alive = await _get(app, "http://web/healthz")

    assert ready.status_code == 503 and ready.json()["checks"] == {"gateway": False}
    assert alive.status_code == 200


async def test_a_page_keeps_the_request_id_it_came_with_and_passes_it_to_the_gateway():
    gateway = FakeGateway()
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        async with _started(gateway) as app:
            page = await _get(app, "http://web/", headers={"X-Request-ID": "trace-web-7"})

    assert page.status_code == 200 and page.headers["x-request-id"] == "trace-web-7"
    assert gateway.request_ids == ["trace-web-7", "trace-web-7"]  # the home page's two figures
    [logged] = [line for line in logs if line["event"] == "request"]
    assert logged | {"ms": None} == {
        "event": "request",
        "log_level": "info",
        "request_id": "trace-web-7",
        "service": "web",
        "method": "GET",
        "path": "/",
        "status": 200,
        "ms": None,
    }


async def test_a_page_without_a_request_id_gets_one_and_the_gateway_is_told_that_one():
    gateway = FakeGateway()
    async with _started(gateway) as app:
        page = await _get(app, "http://web/")

    given = page.headers["x-request-id"]
    assert len(given) == 32 and gateway.request_ids == [given, given]


async def test_the_operations_listener_serves_the_metrics_of_the_public_pages():
    async with _started(FakeGateway()) as public:
        app = serve_operations_beside(public, operations_port=OPERATIONS_PORT)
        await _get(app, "http://web:8080/sign-in")
        scraped = await _get(app, f"http://web:{OPERATIONS_PORT}/metrics")
        ready = await _get(app, f"http://web:{OPERATIONS_PORT}/readyz")
        public_metrics = await _get(app, "http://web:8080/metrics")

    assert scraped.status_code == 200
    assert 'http_requests_total{method="GET",route="/sign-in",status="200"} 1.0' in scraped.text
    assert ready.status_code == 200 and ready.json()["checks"] == {"gateway": True}
    assert public_metrics.status_code == 404
