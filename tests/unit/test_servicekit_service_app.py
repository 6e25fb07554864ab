"""A service's app wrapped in servicekit's plumbing refuses an unsigned call with problem details,
answers its probes, and counts and names every request, the refused ones too."""

from __future__ import annotations

import time
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI
from prometheus_client import generate_latest
from pydantic import SecretStr

from servicekit.internal_token import INTERNAL_TOKEN_HEADER, Caller, current_caller, issue
from servicekit.observability import Metrics
from servicekit.service_app import install_service_plumbing

SECRET = "s" * 32


class _Container:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def readiness(self) -> dict[str, bool]:
        return {"database": True}


def _service() -> FastAPI:
    metrics = Metrics()
    app = FastAPI()
    app.state.container = _Container(metrics)

    @app.get("/things")
    async def things(caller: Annotated[Caller, Depends(current_caller)]):
        return {"role": caller.role}

    install_service_plumbing(
        app, service="registry", secret=SecretStr(SECRET), metrics=metrics, max_bytes=10
    )
    return app


async def _call(app: FastAPI, method: str, path: str, **kw) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        return await client.request(method, path, **kw)


async def test_a_call_signed_for_the_service_is_served_and_an_unsigned_one_is_a_401_problem():
    app = _service()
    token = issue(
        Caller(role="agency", account_id="a-1"),
        audience="registry",
        secret=SECRET,
        issued_at=int(time.time()),
        ttl_seconds=60,
    )

    served = await _call(app, "GET", "/things", headers={INTERNAL_TOKEN_HEADER: token})
    refused = await _call(app, "GET", "/things")

    assert served.status_code == 200 and served.json() == {"role": "agency"}
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


async def test_the_probes_answer_and_a_body_over_the_bound_is_refused_with_an_id_and_counted():
    app = _service()

    ready = await _call(app, "GET", "/readyz")
    too_big = await _call(app, "POST", "/things", content=b"x" * 100)

    assert ready.status_code == 200 and ready.json()["checks"] == {"database": True}
    assert too_big.status_code == 413 and too_big.headers["x-request-id"]
    exposed = generate_latest(app.state.container.metrics.registry).decode()
    assert 'status="413"' in exposed


async def test_a_request_met_by_an_unreachable_database_is_logged_and_counted_as_the_503_it_got():
    app = _service()

    @app.get("/stock")
    async def stock():
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    answer = await _call(app, "GET", "/stock")

    assert answer.status_code == 503 and answer.headers["retry-after"]
    assert answer.headers["x-request-id"]  # answered inside the request's middleware
    exposed = generate_latest(app.state.container.metrics.registry).decode()
    assert 'route="/stock",status="503"' in exposed
    assert 'route="/stock",status="500"' not in exposed
