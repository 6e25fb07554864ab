"""The operations listener: readiness and metrics, for the platform's own probes and scrapers, on
their own address (GATEWAY_OPS_HOST:GATEWAY_OPS_PORT, loopback by default) beside the public one in
the same process. Neither is a public route: readiness names the services behind the gateway and
whether each answers (the container's `readiness`), metrics every route's traffic."""

from __future__ import annotations

from fastapi import FastAPI

from servicekit.health import health_routes


def create_operations_app(public: FastAPI) -> FastAPI:
    """Reads the public application's container, which exists once that application has started."""
    app = FastAPI(
        title="Union Match gateway operations", openapi_url=None, docs_url=None, redoc_url=None
    )
    app.include_router(
        health_routes(container_of=lambda request: getattr(public.state, "container", None))
    )
    return app
