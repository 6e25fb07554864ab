"""Liveness, readiness and metrics routes, the same in every app: `/healthz` answers while the
process runs, `/readyz` answers 200 only when every one of the app's readiness checks passes (503
naming each check otherwise), `/metrics` serves the app's Prometheus registry.

The routes read the app's container (`request.app.state.container` unless told otherwise), which
gives its checks with `async readiness() -> {name: passed}` and its metrics as `metrics`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


def health_routes(
    *,
    container_of: Callable[[Request], Any] = lambda request: request.app.state.container,
    before_scrape: Callable[[Any], Awaitable[None]] | None = None,
    with_metrics: bool = True,
) -> APIRouter:
    """`before_scrape(container)` refreshes the gauges read at scrape time; a container that is not
    there yet (an app still starting) is not ready and has no metrics. An app facing the public
    leaves /metrics out (`with_metrics=False`) and serves it on a listener of its own."""
    routes = APIRouter()

    @routes.get("/healthz", include_in_schema=False)
    async def healthz():
        return {"status": "ok"}

    @routes.get("/readyz", include_in_schema=False)
    async def readyz(request: Request):
        container = container_of(request)
        checks = {"started": False} if container is None else await container.readiness()
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    if not with_metrics:
        return routes

    @routes.get("/metrics", include_in_schema=False)
    async def metrics(request: Request):
        container = container_of(request)
        if container is None:
            return Response(status_code=503)
        if before_scrape is not None:
            await before_scrape(container)
        return Response(generate_latest(container.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return routes


async def database_is_reachable(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
