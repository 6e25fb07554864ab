"""What the pages an email's link opens share. The link carries a token; opening it changes
nothing (mail scanners open links), the page's button does; no cache may keep the token."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from web.adapters.gateway_client import ApiProblem
from web.entrypoints.forms import PasswordLinkForm, answered_by_the_page, field_errors
from web.entrypoints.rendering import api, render
from web.entrypoints.session import state_of

NO_STORE = {"Cache-Control": "no-store"}


def link_page(request: Request, template: str, context: dict, *, status_code: int = 200):
    return render(request, template, context, status_code=status_code, headers=NO_STORE)


def link_opened(request: Request, template: str, token: str, **context) -> HTMLResponse:
    """The page with its button, or what to do about a link cut short in the email program."""
    outcome = "" if token else "incomplete"
    return link_page(request, template, {"token": token, "outcome": outcome} | context)


async def follow_link(
    request: Request,
    token: str,
    method: str,
    path: str,
    *,
    done: str,
    refusals: dict[int, str] | None = None,
    **call,
) -> tuple[str, dict]:
    """The outcome of the button (`done`, "incomplete" without a token, or the refusal's outcome:
    "invalid" unless `refusals` names its status) and what the API answered."""
    if not token:
        return "incomplete", {}
    try:
        return done, await api(request, method, path, **call)
    except ApiProblem as problem:
        answered_by_the_page(problem)
        return (refusals or {}).get(problem.status, "invalid"), {}


# --- choosing a password through a link (an invitation's first one, a reset's new one) ---------

_PASSWORD_LINKS = {"invitation": "/auth/set-password", "reset": "/auth/reset-password"}


def new_password_page(
    request: Request, kind: str, *, token: str = "", errors: dict | None = None, done: bool = False
) -> HTMLResponse:
    """`kind`: "invitation" (a new staff account's first password) or "reset"."""
    context = {"kind": kind, "token": token, "errors": errors or {}, "done": done}
    return link_page(request, "new_password.html", context, status_code=400 if errors else 200)


async def new_password_through_link(
    request: Request, kind: str, form: PasswordLinkForm
) -> HTMLResponse:
    errors = form.errors() or await _password_refusal(request, _PASSWORD_LINKS[kind], form)
    if errors:
        return new_password_page(request, kind, token=form.token, errors=errors)
    if kind == "reset":  # whatever session this browser had belongs to the old password
        state_of(request).sign_out()
    return new_password_page(request, kind, done=True)


async def _password_refusal(request: Request, path: str, form: PasswordLinkForm) -> dict:
    """Why the API refused the new password, as errors next to the fields (`link`: the link
    itself no longer works); none when it took it."""
    if not form.token:  # the address was cut short in the email program: no API call mends that
        return {"link": "invalid"}
    try:
        await api(request, "POST", path, json={"token": form.token, "password": form.password})
    except ApiProblem as problem:
        answered_by_the_page(problem)
        if problem.status == 422:
            return field_errors(problem, default_field="password")
        return {"link": "invalid"}
    return {}
