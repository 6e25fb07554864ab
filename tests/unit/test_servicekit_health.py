"""Every app answers liveness at once, readiness only when each of its checks passes, and serves its
metrics; an app still starting is alive but not ready."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
from fastapi import FastAPI

from servicekit.health import health_routes
from servicekit.observability import Metrics


class _Container:
    def __init__(self, **checks: bool) -> None:
        self.checks = checks
        self.metrics = Metrics()
        self.emails = self.metrics.gauge("emails_waiting", "Emails waiting")

    async def readiness(self) -> dict[str, bool]:
        return self.checks


async def _get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        return await client.get(path)


def _app(container, **routes) -> FastAPI:
    app = FastAPI()
    app.state.container = container
    app.include_router(health_routes(**routes))
    return app


async def test_an_app_whose_checks_all_pass_is_ready():
    answer = await _get(_app(_Container(database=True, kafka=True)), "/readyz")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "checks": {"database": True, "kafka": True}}


async def test_one_failing_check_makes_the_app_not_ready_and_is_named():
    answer = await _get(_app(_Container(database=True, kafka=False)), "/readyz")

    assert answer.status_code == 503
    assert answer.json() == {"status": "not ready", "checks": {"database": True, "kafka": False}}


async def test_an_app_still_starting_is_alive_but_not_ready_and_has_no_metrics():
    app = _app(None)

    assert (await _get(app, "/healthz")).json() == {"status": "ok"}
    assert (await _get(app, "/readyz")).json() == {
        "status": "not ready",
        "checks": {"started": False},
    }
    assert (await _get(app, "/metrics")).status_code == 503


async def test_metrics_are_refreshed_before_each_scrape_and_served_as_prometheus_text():
    container = _Container()
    scrapes = SimpleNamespace(count=0)

    async def count_waiting(container) -> None:
        scrapes.count += 1
        container.emails.set(7)

    answer = await _get(_app(container, before_scrape=count_waiting), "/metrics")

    assert answer.headers["content-type"].startswith("text/plain")
    assert "emails_waiting 7.0" in answer.text and scrapes.count == 1


async def test_the_routes_can_read_a_container_kept_elsewhere():
    public = SimpleNamespace(state=SimpleNamespace(container=_Container(database=True)))
    app = FastAPI()
    app.state.public = public
    app.include_router(
        health_routes(container_of=lambda request: request.app.state.public.state.container)
    )

    assert (await _get(app, "/readyz")).status_code == 200
    assert "/readyz" not in app.openapi()["paths"]  # not part of any API document
