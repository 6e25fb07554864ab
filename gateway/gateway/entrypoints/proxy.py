"""The public API under /api/v1: each route is admitted at the door, then passed to its service."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import quote

import structlog
from fastapi import APIRouter, Request, Response

from gateway.adapters.upstream import UpstreamResponse
from gateway.entrypoints.door import admit
from gateway.entrypoints.problems import SERVICE_UNAVAILABLE
from gateway.entrypoints.routes import ROUTES, Route
from gateway.service_layer import accounts
from gateway.service_layer.unit_of_work import UnitOfWork
from servicekit.internal_token import Caller
from servicekit.problems import problem_response

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/api/v1")


async def _forward(request: Request, route: Route, caller: Caller) -> UpstreamResponse:
    upstream = request.app.state.container.upstreams[route.service]
    body = await request.body()
    # Path parameters arrive decoded; the raw query string is relayed as the client wrote it.
    target = route.upstream_path.format(
        **{name: _segment(value) for name, value in request.path_params.items()}
    )
    query = request.scope["query_string"]
    if query:
        target = f"{target}?{query.decode('latin-1')}"
    return await upstream.call(
        route.method, target, caller=caller, headers=request.scope["headers"], content=body or None
    )


async def _with_confirmed_email(request: Request, caller: Caller) -> Caller:
    container = request.app.state.container
    email = await accounts.get_confirmed_email(
        uow=UnitOfWork(container.session_factory), account_id=caller.account_id
    )
    return replace(caller, confirmed_email=email)


def _segment(value: str) -> str:
    """One path segment of the service's URL: a `?`, `/` or `..` inside a parameter stays inside."""
    return quote(value, safe="").replace(".", "%2E")


def _relay(reply: UpstreamResponse, service: str) -> Response:
    retry_after = dict(reply.headers).get("retry-after")
    if reply.status_code == 503 and retry_after:
        # The service asks to be called again (its database restarting): so does the gateway.
        return problem_response(
            503,
            f"the {service} service is unavailable; try again shortly",
            type_=SERVICE_UNAVAILABLE,
            headers={"Retry-After": retry_after},
        )
    if reply.status_code >= 500:
        # The service's own 5xx body may carry internals; the public gets a neutral problem.
        return problem_response(502, f"the {service} service failed to answer the request")
    return Response(
        reply.content,
        status_code=reply.status_code,
        media_type=reply.content_type,
        headers=dict(reply.headers),
    )


async def _bind_registered_enterprise(
    request: Request, caller: Caller, reply: UpstreamResponse
) -> None:
    """A company that registers an enterprise holds it from now on."""
    if reply.status_code != 201 or not caller.is_company:
        return
    container = request.app.state.container
    enterprise_id = None
    try:
        enterprise_id = json.loads(reply.content)["id"]
        await accounts.bind_enterprise(
            uow=UnitOfWork(container.session_factory),
            account_id=caller.account_id,
            enterprise_id=enterprise_id,
        )
        container.ownership.put(caller.account_id, caller.enterprise_ids | {enterprise_id})
    except Exception:
        # The registry keeps the owner's account id on the enterprise, so the binding can be
        # rebuilt; the company's registration itself has succeeded and is answered as such.
        log.exception(
            "enterprise_binding_failed", account_id=caller.account_id, enterprise_id=enterprise_id
        )


async def _unbind_deleted_enterprise(
    request: Request, caller: Caller, reply: UpstreamResponse
) -> None:
    if reply.status_code >= 300:
        return
    container = request.app.state.container
    enterprise_id = request.path_params["enterprise_id"]
    await accounts.unbind_enterprise(
        uow=UnitOfWork(container.session_factory), enterprise_id=enterprise_id
    )
    container.ownership.forget_enterprise(enterprise_id.lower())


_AFTER = {
    ("POST", "/enterprises"): _bind_registered_enterprise,
    ("DELETE", "/enterprises/{enterprise_id}"): _unbind_deleted_enterprise,
}


def _endpoint(route: Route):
    after = _AFTER.get((route.method, route.path))

    async def forward(request: Request) -> Response:
        caller = await admit(request, route.access)
        if route.vouches_for_email and caller.is_company:
            caller = await _with_confirmed_email(request, caller)
        reply = await _forward(request, route, caller)
        if after is not None:
            await after(request, caller, reply)
        return _relay(reply, route.service)

    words = route.path.strip("/").replace("{", "").replace("}", "").replace("-", "_")
    forward.__name__ = f"{route.method.lower()}_{words.replace('/', '_')}"
    return forward


for _route in ROUTES:
    router.add_api_route(
        _route.path,
        _endpoint(_route),
        methods=[_route.method],
        summary=_route.summary,
        tags=[_route.tag],
        status_code=_route.status_code,
    )


health = APIRouter()


@health.get("/healthz", include_in_schema=False)
async def healthz():
    return {"status": "ok"}


# Readiness and metrics are not public: they answer on the operations listener
# (entrypoints/operations.py).
