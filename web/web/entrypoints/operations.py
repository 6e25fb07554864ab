"""The operations listener: /healthz, /readyz and /metrics for the platform's own probes and
scrapers, on an address of its own (WEB_OPS_HOST:WEB_OPS_PORT) beside the public one, served by the
same server. The public address answers /healthz and /readyz too but never /metrics: a visitor has
no business counting every page's traffic."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from servicekit.health import health_routes


def serve_operations_beside(public: FastAPI, *, operations_port: int) -> ASGIApp:
    """One server listening on two sockets: what arrives on `operations_port` is answered by the
    operations routes, everything else (the lifespan too) by the public application, whose
    container the operations routes read once it has started."""
    operations = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    operations.include_router(
        health_routes(container_of=lambda _: getattr(public.state, "container", None))
    )

    async def by_listener(scope: Scope, receive: Receive, send: Send) -> None:
        _, port = scope.get("server") or (None, None)
        answering = operations if scope["type"] == "http" and port == operations_port else public
        await answering(scope, receive, send)

    return by_listener
