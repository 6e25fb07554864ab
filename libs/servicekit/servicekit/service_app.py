"""A service's FastAPI app: its container built at start-up and its workers run beside the API
until shutdown (servicekit.runner), wrapped in the plumbing every service has, installed in the
order it needs: problem details for every error, the gateway's signed calls checked, /healthz,
/readyz and /metrics, the request bounds, and outermost the request id, access log and HTTP
metrics (so even a request refused for its size carries an id and is counted)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI
from pydantic import SecretStr

from eventkit.published_secrets import secret_values
from servicekit.head_requests import AnswerHeadAsGet
from servicekit.health import health_routes
from servicekit.internal_token import InternalTokenVerifier, install_internal_token
from servicekit.observability import Metrics, RequestContextMiddleware
from servicekit.problems import install_problem_handlers
from servicekit.request_limits import RequestLimits
from servicekit.response_headers import RedirectWithinSite
from servicekit.runner import Workers

if TYPE_CHECKING:
    from servicekit.cli import ServiceSettings


def create_service_app(
    settings: ServiceSettings,
    *,
    service: str,
    metrics: Metrics,
    routers: Sequence[APIRouter],
    build_container: Callable[[Any, Metrics], Any],
    start_workers: Callable[[Any, Workers], None],
    **plumbing: Any,
) -> FastAPI:
    """The app of `service` ("Union Match <service>"), accepting the internal tokens signed with
    the settings' secrets and counting its requests on `metrics` (the service's own series too).
    At start-up `build_container(settings, metrics)` builds the container (`app.state.container`,
    for the routes) and `start_workers(container, workers)` starts the service's background work;
    at shutdown the workers stop in order and the container's clients close last
    (`container.close()`).
    `plumbing` is the rest of what `install_service_plumbing` takes."""

    lifespan = container_lifespan(
        settings, metrics, build_container=build_container, start_workers=start_workers
    )
    app = FastAPI(title=f"Union Match {service}", version="0.1.0", lifespan=lifespan)
    for router in routers:
        app.include_router(router)
    install_service_plumbing(
        app,
        service=service,
        secret=settings.internal_token_secret,
        previous_secrets=settings.internal_token_previous_secrets,
        metrics=metrics,
        **plumbing,
    )
    return app


def container_lifespan(
    settings: Any,
    metrics: Metrics,
    *,
    build_container: Callable[[Any, Metrics], Any],
    start_workers: Callable[[Any, Workers], Awaitable[None] | None],
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    """An app's lifespan: `build_container(settings, metrics)` at start-up (`app.state.container`,
    for the routes), then `start_workers(container, workers)`, awaited when it is a coroutine (the
    gateway opens its demo accounts before its workers start); at shutdown the workers stop in
    order and the container's clients close last (`container.close()`)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = build_container(settings, metrics)
        app.state.container = container
        async with Workers() as workers:
            workers.on_close(container.close)
            started = start_workers(container, workers)
            if started is not None:
                await started
            yield

    return lifespan


def install_service_plumbing(
    app: FastAPI,
    *,
    service: str,
    secret: SecretStr,
    metrics: Metrics,
    previous_secrets: Sequence[SecretStr] = (),
    named_in_problems: str | None = None,
    domain_errors: Mapping[type[Exception], Any] | None = None,
    caller_type: type | None = None,
    max_bytes: int | None = None,
    before_scrape: Callable[[Any], Awaitable[None]] | None = None,
) -> None:
    """`service` is the audience of the internal tokens the app accepts (signed with `secret`, or
    one of `previous_secrets` while it is rotated) and its name in log lines; `named_in_problems`
    its name in problem details (the service's name unless told)."""
    install_problem_handlers(app, service=named_in_problems or service, domain_errors=domain_errors)
    verifier = {"caller_type": caller_type} if caller_type is not None else {}
    install_internal_token(
        app,
        InternalTokenVerifier(
            audience=service,
            secret=secret.get_secret_value(),
            previous_secrets=secret_values(previous_secrets),
            **verifier,
        ),
    )
    app.include_router(health_routes(before_scrape=before_scrape))
    # Bounds the body, the headers and the text fields of every route.
    app.add_middleware(RequestLimits, **({"max_bytes": max_bytes} if max_bytes else {}))
    app.add_middleware(AnswerHeadAsGet)
    app.add_middleware(RedirectWithinSite)
    app.add_middleware(RequestContextMiddleware, metrics=metrics, service=service)
