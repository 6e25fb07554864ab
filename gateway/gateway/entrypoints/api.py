"""The public API under /api/v1: each route names its upstream and passes the call on."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway.adapters.upstream import UpstreamResponse
from gateway.domain.caller import ANONYMOUS, Caller
from gateway.entrypoints.problems import problem
from gateway.entrypoints.routes import ROUTES, Route

router = APIRouter(prefix="/api/v1")

def caller_of(request: Request) -> Caller:
    return ANONYMOUS


async def _forward(request: Request, service: str, method: str, path: str, *, body: bytes | None = None) -> Response:
    upstream = request.app.state.container.upstreams[service]
    content = body
    reply = await upstream.call(
        method, path, caller=caller_of(request), headers=dict(request.headers), params=request.query_params, content=content
    )
    return _relay(reply, service)


def _relay(reply: UpstreamResponse, service: str) -> Response:
    if reply.status_code >= 500:
        # The service's own 5xx body may carry internals; the public gets a neutral problem.
        return problem(502, "Bad gateway", f"the {service} service failed to answer the request")
    return Response(reply.content, status_code=reply.status_code, media_type=reply.content_type)


def _endpoint(route: Route):
    async def forward(request: Request) -> Response:
        body = await request.body()
        path = route.upstream_path.format(**request.path_params)
        return await _forward(request, route.service, route.method, path, body=body or None)

    forward.__name__ = f"{route.method.lower()}_{route.path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}"
    return forward


for _route in ROUTES:
    router.add_api_route(
        _route.path,
        _endpoint(_route),
        methods=[_route.method],
        summary=_route.summary,
        tags=[_route.tag],
        status_code=_route.status_code,
        openapi_extra={"x-access": str(_route.access)},
    )


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
