"""Matching's health, readiness and metrics; the review API comes with the matcher itself."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

health = APIRouter()


@health.get("/healthz")
async def healthz():
    return {"status": "ok"}


@health.get("/readyz")
async def readyz(request: Request):
    container = request.app.state.container
    checks = {"database": await container.database_is_reachable(), "kafka": await container.kafka_is_reachable()}
    ready = all(checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503)


@health.get("/metrics")
async def metrics(request: Request):
    return Response(generate_latest(request.app.state.container.metrics.registry), media_type=CONTENT_TYPE_LATEST)
