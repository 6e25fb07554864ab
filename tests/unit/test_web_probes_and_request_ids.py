"""An operator probes the web application and follows one page through the platform: /healthz and
/readyz answer on the public port (ready while the gateway answers), /metrics only on the
operations listener, and every page's request id is logged and passed on to the gateway."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import structlog

from tests.unit.web_app import FakeGateway, ask, started_web
from web.entrypoints.operations import serve_operations_beside

OPERATIONS_PORT = 9102


async def _get(app: Callable, url: str, **kw) -> httpx.Response:
    return await ask(app, "GET", url, **kw)


async def test_the_probes_answer_on_the_public_port_and_the_metrics_do_not():
    async with started_web(FakeGateway()) as app:
        alive = await _get(app, "http://web/healthz")
        ready = await _get(app, "http://web/readyz")
        metrics = await _get(app, "http://web/metrics")

    assert alive.status_code == 200 and alive.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json()["checks"] == {"gateway": True}
    assert metrics.status_code == 404


async def test_the_web_is_not_ready_while_the_gateway_does_not_answer():
    async with started_web(FakeGateway(down=True)) as app:
        ready = await _get(app, "http://web/readyz")
        alive = await _get(app, "http://web/healthz")

    assert ready.status_code == 503 and ready.json()["checks"] == {"gateway": False}
    assert alive.status_code == 200


async def test_a_page_keeps_the_request_id_it_came_with_and_passes_it_to_the_gateway():
    gateway = FakeGateway()
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        async with started_web(gateway) as app:
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
    async with started_web(gateway) as app:
        page = await _get(app, "http://web/")

    given = page.headers["x-request-id"]
    assert len(given) == 32 and gateway.request_ids == [given, given]


async def test_the_operations_listener_serves_the_metrics_of_the_public_pages():
    async with started_web(FakeGateway()) as public:
        app = serve_operations_beside(public, operations_port=OPERATIONS_PORT)
        await _get(app, "http://web:8080/sign-in")
        scraped = await _get(app, f"http://web:{OPERATIONS_PORT}/metrics")
        ready = await _get(app, f"http://web:{OPERATIONS_PORT}/readyz")
        public_metrics = await _get(app, "http://web:8080/metrics")

    assert scraped.status_code == 200
    assert 'http_requests_total{method="GET",route="/sign-in",status="200"} 1.0' in scraped.text
    assert ready.status_code == 200 and ready.json()["checks"] == {"gateway": True}
    assert public_metrics.status_code == 404
