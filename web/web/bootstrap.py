"""The one place where the web application's parts are wired together."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment
from starlette.exceptions import HTTPException as StarletteHTTPException

from eventkit.published_secrets import secret_values
from servicekit.head_requests import AnswerHeadAsGet
from servicekit.observability import Metrics, RequestContextMiddleware
from servicekit.response_headers import RedirectWithinSite
from web.adapters.gateway_client import ApiProblem, ApiUnavailable, GatewayClient
from web.config import Settings
from web.entrypoints import console, i18n, portal, public_pages
from web.entrypoints.body_limit import BodySizeLimit
from web.entrypoints.portal.common import NoEnterpriseYet
from web.entrypoints.rendering import (
    NotAllowed,
    SignInRequired,
    environment,
    render,
    sign_in_redirect,
)
from web.entrypoints.session import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CookieSigner,
    RequestState,
    csrf_token_of,
    new_csrf_token,
)

STATIC_DIR = Path(__file__).resolve().parent / "static"
SECURITY_HEADERS = {
    # Scripts and styles only from this application: no inline code, nothing from a CDN.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@dataclass
class Container:
    settings: Settings
    gateway: GatewayClient
    signer: CookieSigner
    texts: i18n.Texts
    templates: Environment
    metrics: Metrics

    async def readiness(self) -> dict[str, bool]:
        """Ready when the public API it shows answers; the gateway's own readiness covers the
        services behind it."""
        return {"gateway": await self.gateway.answers()}


def build_container(settings: Settings, metrics: Metrics) -> Container:
    texts = i18n.Texts(i18n.Catalogs())
    return Container(
        settings=settings,
        metrics=metrics,
        gateway=GatewayClient(settings.gateway_url, timeout=settings.gateway_timeout_seconds),
        signer=CookieSigner(
            settings.session_secret.get_secret_value(),
            secret_values(settings.session_previous_secrets),
        ),
        texts=texts,
        templates=environment(texts),
    )


def create_app(settings: Settings) -> FastAPI:
    metrics = Metrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.container = build_container(settings, metrics)
        try:
            yield
        finally:
            await app.state.container.gateway.close()

    app = FastAPI(
        title="Union Match web", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.include_router(public_pages.router)
    app.include_router(console.router)
    app.include_router(portal.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.middleware("http")(_session_and_language)
    _handle_failures(app)
    # A form over the bound is refused before anything reads it.
    app.add_middleware(BodySizeLimit)
    app.add_middleware(AnswerHeadAsGet)
    app.add_middleware(RedirectWithinSite)
    # Outermost: every request, a refused one too, gets an id, a JSON log line and its metrics.
    app.add_middleware(RequestContextMiddleware, metrics=metrics, service="web")
    return app


async def _session_and_language(request: Request, call_next):
    container: Container = request.app.state.container
    csrf_cookie = csrf_token_of(request.cookies.get(CSRF_COOKIE))
    state = RequestState(
        session=container.signer.loads(request.cookies.get(SESSION_COOKIE)),
        csrf_token=csrf_cookie or new_csrf_token(),
        csrf_is_new=not csrf_cookie,
    )
    request.state.web = state
    language = i18n.choose_language(
        cookie=request.cookies.get(i18n.LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
        default=container.settings.default_language,
    )
    token = i18n.use_language(language)
    try:
        response = await call_next(request)
    finally:
        i18n._language.reset(token)
    _write_cookies(request, response, state, container.settings)
    response.headers.update(SECURITY_HEADERS)
    if "cache-control" not in response.headers:
        # Pages show a person's own data: no shared cache may keep them.
        response.headers["Cache-Control"] = (
            "no-store" if not request.url.path.startswith("/static/") else "public, max-age=300"
        )
    return response


def _write_cookies(request: Request, response, state: RequestState, settings: Settings) -> None:
    secure = (
        settings.secure_cookies
        if settings.secure_cookies is not None
        else request.url.scheme == "https"
    )
    options = {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}
    if state.csrf_is_new:
        response.set_cookie(CSRF_COOKIE, state.csrf_token, **options)
    if state.session_changed:
        if state.session is None:
            response.delete_cookie(SESSION_COOKIE, **options)
        else:
            response.set_cookie(
                SESSION_COOKIE,
                request.app.state.container.signer.dumps(state.session),
                max_age=settings.session_max_age_seconds,
                **options,
            )


def _handle_failures(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, _: SignInRequired):
        return sign_in_redirect(request)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, refusal: NotAllowed):
        return render(request, "error.html", {"kind": refusal.kind}, status_code=403)

    @app.exception_handler(NoEnterpriseYet)
    async def no_enterprise_yet(request: Request, _: NoEnterpriseYet):
        return RedirectResponse("/my/register", status_code=303)

    @app.exception_handler(ApiProblem)
    async def api_problem(request: Request, problem: ApiProblem):
        if isinstance(problem, ApiUnavailable) or problem.status >= 500:
            return render(
                request,
                "error.html",
                {"kind": "unavailable"},
                status_code=503,
                headers={"Retry-After": "5"},
            )
        kind = {403: "forbidden", 404: "not_found", 429: "busy"}.get(problem.status, "refused")
        return render(
            request,
            "error.html",
            {"kind": kind, "problem": problem},
            status_code=problem.status if problem.status in (403, 404, 429) else 400,
            # A busy gateway says when to come back; the browser (or a script) is told the same.
            headers={"Retry-After": problem.retry_after} if problem.retry_after else None,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, _: RequestValidationError):
        # A malformed address is no page; a form sent with impossible values is refused, calmly.
        if request.method == "GET":
            return render(request, "error.html", {"kind": "not_found"}, status_code=404)
        return render(request, "error.html", {"kind": "refused"}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        kind = {
            403: "csrf" if error.detail == "csrf" else "forbidden",
            404: "not_found",
            405: "not_found",
        }.get(error.status_code, "refused")
        return render(request, "error.html", {"kind": kind}, status_code=error.status_code)
