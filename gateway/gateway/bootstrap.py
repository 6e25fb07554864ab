"""The one place where the gateway's parts are wired together."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import FastAPI

from gateway.adapters.upstream import Upstream
from gateway.config import Settings
from gateway.domain.circuit_breaker import CircuitBreaker
from gateway.entrypoints import problems
from gateway.entrypoints.api import health, router
from gateway.entrypoints.body_limit import BodySizeLimit
from gateway.observability import Metrics, RequestContextMiddleware


@dataclass
class Container:
    settings: Settings
    upstreams: dict[str, Upstream]
    metrics: Metrics


def build_container(settings: Settings) -> Container:
    secret = settings.internal_token_secret.get_secret_value()
    urls = {"registry": settings.registry_url, "matching": settings.matching_url, "notifications": settings.notifications_url}
    upstreams = {
        name: Upstream(
            name=name,
            base_url=url,
            secret=secret,
            token_ttl=settings.internal_token_ttl_seconds,
            timeout=settings.upstream_timeout_seconds,
            breaker=CircuitBreaker(settings.breaker_failure_threshold, settings.breaker_cooldown_seconds),
        )
        for name, url in urls.items()
    }
    return Container(settings=settings, upstreams=upstreams, metrics=Metrics())


def create_app(settings: Settings) -> FastAPI:
    container = build_container(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        for upstream in container.upstreams.values():
            await upstream.close()

    app = FastAPI(
        title="Union Match API",
        version="0.1.0",
        description="Cross-border business matchmaking for the Smolensk region and Belarus.",
        lifespan=lifespan,
    )
    app.state.container = container
    problems.install(app)
    app.include_router(router)
    app.include_router(health)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=container.metrics)
    return app
