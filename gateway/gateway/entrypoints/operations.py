"""The operations listener: readiness and metrics, for the platform's own probes and scrapers, on
their own address (GATEWAY_OPS_HOST:GATEWAY_OPS_PORT, loopback by default) beside the public one in
the same process. Neither is a public route: readiness names the services behind the gateway and
whether each answers, metrics every route's traffic."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

operations = APIRouter()


def create_operations_app(public: FastAPI) -> FastAPI:
    """Reads the public application's container, which exists once that application has started."""
    app = FastAPI(
        title="Union Match gateway operations", openapi_url=None, docs_url=None, redoc_url=None
    )
    app.state.public = public
    app.include_router(operations)
    return app


def _container(request: Request):
    return getattr(request.app.state.public.state, "container", None)


@operations.get("/healthz")
async def healthz():
    return {"status": "ok"}


@operations.get("/readyz")
async def readyz(request: Request):
    container = _container(request)
    if container is None:
        return JSONResponse({"status": "not ready", "checks": {"started": False}}, status_code=503)
    upstreams = container.upstreams
    results = await asyncio.gather(
        container.database_is_reachable(), *(u.is_ready() for u in upstreams.values())
    )
    checks = {"database": results[0], **dict(zip(upstreams, results[1:], strict=True))}
    ready = all(results)
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@operations.get("/metrics")
async def metrics(request: Request):
    container = _container(request)
    if container is None:
        return Response(status_code=503)
    return Response(generate_latest(container.metrics.registry), media_type=CONTENT_TYPE_LATEST)
