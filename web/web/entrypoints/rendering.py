"""What every page shares: the template environment, the common context, calls to the API on the
signed-in person's behalf (renewing an expired access token once), and the way failures look."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from web.adapters.gateway_client import ApiProblem, ApiUnavailable, GatewayClient
from web.config import LANGUAGES
from web.domain.csv_export import to_csv
from web.domain.units import unit_label
from web.entrypoints import i18n
from web.entrypoints.session import CSRF_FIELD, Session, state_of

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"


class SignInRequired(Exception):
    """The person must sign in (again) before this page can be shown."""


class NotAllowed(Exception):
    """Signed in, but this page is not for this account (its role, or someone else's data)."""

    def __init__(self, kind: str = "forbidden") -> None:
        super().__init__(kind)
        self.kind = kind  # "forbidden": not for this role; "not_yours": another company's


def environment(texts: i18n.Texts) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(texts.gettext, texts.ngettext, newstyle=True)
    # `_()` is for the words written in a template: Jinja treats each as a format string. A message
    # made elsewhere (a field's error, which may quote what the user typed, "%FF" say) is translated
    # by this filter instead, as it is, never formatted.
    env.filters["translated"] = texts.gettext
    env.globals |= {
        "number": i18n.number,
        "percent": i18n.percent,
        "when": i18n.when,
        "day": i18n.day,
        "unit_label": lambda code: unit_label(code, i18n.current_language()),
        "LANGUAGE_NAMES": i18n.LANGUAGE_NAMES,
        "LANGUAGES": LANGUAGES,
        "CSRF_FIELD": CSRF_FIELD,
    }
    return env


def translate(request: Request, message: str, **variables) -> str:
    """gettext for text made in Python (CSV headers, messages), in the request's language."""
    return request.app.state.container.texts.gettext(message, **variables)


def render(
    request: Request,
    template: str,
    context: dict | None = None,
    *,
    status_code: int = 200,
    headers: dict | None = None,
) -> HTMLResponse:
    container = request.app.state.container
    state = state_of(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    common = {
        "request": request,
        "session": state.session,
        "csrf_token": state.csrf_token,
        "lang": i18n.current_language(),
        "here": path,
        "here_quoted": quote(path, safe=""),
        "undo_seconds": container.settings.undo_seconds,
    }
    html = container.templates.get_template(template).render(common | (context or {}))
    return HTMLResponse(html, status_code=status_code, headers=headers)


def sign_in_redirect(request: Request) -> RedirectResponse:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/sign-in?" + urlencode({"next": path}), status_code=303)


def safe_next(value: str | None, *, default: str) -> str:
    """Only a path of this site: never a redirect to someone else's."""
    if (
        value
        and value.startswith("/")
        and not value.startswith(("//", "/\\"))
        and "\n" not in value
        and "\r" not in value
    ):
        return value
    return default


def require_session(request: Request, *, staff: bool = False, admin: bool = False) -> Session:
    session = state_of(request).session
    if session is None:
        raise SignInRequired()
    if (staff and not session.is_staff) or (admin and not session.is_admin):
        raise NotAllowed()
    return session


async def api(request: Request, method: str, path: str, **kwargs):
    """Calls the public API as the signed-in person (or anonymously), renewing the access token
    once when it has expired; a refused renewal ends the session."""
    client: GatewayClient = request.app.state.container.gateway
    state = state_of(request)
    session = state.session
    # The gateway limits and throttles by address: it must see the person's, not this server's.
    kwargs.setdefault("client_address", request.client.host if request.client else None)
    used_token = session.access_token if session else None
    try:
        return await client.request(method, path, access_token=used_token, **kwargs)
    except ApiProblem as problem:
        if problem.status != 401 or session is None or isinstance(problem, ApiUnavailable):
            raise
    # One renewal per page, however many calls it makes at once: the gateway takes a refresh token
    # once, and a second use of it ends the whole session (a reused token means a stolen one).
    async with _renewal_lock(request):
        if state.session is not session:  # a call beside this one found the renewal refused
            raise SignInRequired()
        if session.access_token == used_token:
            try:
                tokens = await client.refresh(refresh_token=session.refresh_token)
            except ApiProblem as problem:
                if isinstance(problem, ApiUnavailable):
                    raise
                state.sign_out()
                raise SignInRequired() from None
            session.access_token, session.refresh_token, session.role = (
                tokens.access_token,
                tokens.refresh_token,
                tokens.role,
            )
            state.session_changed = True
    return await client.request(method, path, access_token=session.access_token, **kwargs)


def _renewal_lock(request: Request) -> asyncio.Lock:
    lock = getattr(request.state, "token_renewal", None)
    if lock is None:
        lock = request.state.token_renewal = asyncio.Lock()
    return lock


def csv_download(header: list[str], rows: list[list], filename: str) -> Response:
    """A table as a CSV file to save (Excel-safe: see web.domain.csv_export)."""
    return Response(
        to_csv(header, rows).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)
