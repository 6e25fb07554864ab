"""The public API under /api/v1: each route names its upstream and passes the call on."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway.adapters.upstream import UpstreamResponse
from gateway.domain.caller import ANONYMOUS, Caller
from gateway.entrypoints.problems import problem

router = APIRouter(prefix="/api/v1")

ENTERPRISE_EXAMPLE = {
    "name": "ООО «Смоленская управляющая компания»",
    "country": "RU",
    "region": "smolensk_oblast",
    "city": "Смоленск",
    "inn": "6730012345",
    "sectors": ["construction"],
    "description": "Управляем жилым фондом Смоленска; ищем поставщика пассажирских лифтов.",
    "languages": ["ru"],
    "size": "medium",
    "certifications": [],
    "contact_person": "Мария Иванова",
    "email": "info@uk-smolensk.example.ru",
    "phone": "+74812000000",
    "personal_data_consent": True,
}


def caller_of(request: Request) -> Caller:
    return ANONYMOUS


async def _forward(request: Request, service: str, method: str, path: str, *, body: Any = None) -> Response:
    upstream = request.app.state.container.upstreams[service]
    content = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    reply = await upstream.call(
        method, path, caller=caller_of(request), headers=dict(request.headers), params=request.query_params, content=content
    )
    return _relay(reply, service)


def _relay(reply: UpstreamResponse, service: str) -> Response:
    if reply.status_code >= 500:
        # The service's own 5xx body may carry internals; the public gets a neutral problem.
        return problem(502, "Bad gateway", f"the {service} service failed to answer the request")
    return Response(reply.content, status_code=reply.status_code, media_type=reply.content_type)


@router.get("/sectors", tags=["reference"], summary="The sector taxonomy")
async def list_sectors(request: Request):
    return await _forward(request, "registry", "GET", "/sectors")


@router.post("/enterprises", status_code=201, tags=["enterprises"], summary="Register an enterprise")
async def register_enterprise(request: Request, body: Annotated[dict[str, Any], Body(examples=[ENTERPRISE_EXAMPLE])]):
    return await _forward(request, "registry", "POST", "/enterprises", body=body)


@router.get("/enterprises", tags=["enterprises"], summary="List enterprises (public fields)")
async def list_enterprises(request: Request):
    return await _forward(request, "registry", "GET", "/enterprises")


@router.get("/enterprises/{enterprise_id}", tags=["enterprises"], summary="One enterprise")
async def get_enterprise(request: Request, enterprise_id: uuid.UUID):
    return await _forward(request, "registry", "GET", f"/enterprises/{enterprise_id}")


health = APIRouter()


@health.get("/healthz")
async def healthz():
    return {"status": "ok"}


@health.get("/readyz")
async def readyz(request: Request):
    upstreams = request.app.state.container.upstreams
    results = await asyncio.gather(*(u.is_ready() for u in upstreams.values()))
    checks = dict(zip(upstreams, results, strict=True))
    ready = all(results)
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503)


@health.get("/metrics")
async def metrics(request: Request):
    return Response(generate_latest(request.app.state.container.metrics.registry), media_type=CONTENT_TYPE_LATEST)
