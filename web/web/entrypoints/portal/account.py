"""A company's account: signing up, a forgotten password, changing it, signing out everywhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request

from web.adapters.gateway_client import ApiProblem, ApiUnavailable
from web.entrypoints.i18n import N_, current_language
from web.entrypoints.rendering import api, render, require_session, see_other
from web.entrypoints.session import require_csrf, state_of

router = APIRouter()
Csrf = Depends(require_csrf)
_NO_STORE = {"Cache-Control": "no-store"}
MIN_PASSWORD = 8


def _password_errors(password: str, repeated: str) -> dict:
    if len(password) < MIN_PASSWORD:
        return {"password": N_("Use at least 8 characters")}
    if password != repeated:
        return {"repeated": N_("The two passwords are not the same")}
    return {}


def _field_errors(problem: ApiProblem, *, default_field: str) -> dict:
    """The API's problem details as messages next to the fields they name."""
    if problem.errors:
        return {(e["field"] or default_field): e["message"] for e in problem.errors}
    return {default_field: problem.detail or N_("This cannot be done now")}


@router.get("/sign-up")
async def sign_up_page(request: Request):
    return render(request, "portal/sign_up.html", {"errors": {}, "email": "", "done": False})


@router.post("/sign-up", dependencies=[Csrf])
async def sign_up(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    repeated: Annotated[str, Form(max_length=200)] = "",
):
    errors = {} if "@" in email else {"email": N_("Enter an email address like name@example.ru")}
    errors = errors or _password_errors(password, repeated)
    if not errors:
        try:
            await api(
                request,
                "POST",
                "/auth/register",
                json={"email": email.strip(), "password": password, "language": current_language()},
            )
        except ApiProblem as problem:
            if isinstance(problem, ApiUnavailable) or problem.status not in (409, 422):
                raise
            # An address that already has an account is not revealed: the owner gets the usual
            # email.
            errors = {} if problem.status == 409 else _field_errors(problem, default_field="email")
    if errors:
        return render(
            request,
            "portal/sign_up.html",
            {"errors": errors, "email": email, "done": False},
            status_code=400,
        )
    return render(
        request, "portal/sign_up.html", {"errors": {}, "email": email.strip(), "done": True}
    )


@router.get("/forgot-password")
async def forgot_password_page(request: Request):
    return render(
        request, "portal/forgot_password.html", {"errors": {}, "email": "", "done": False}
    )


@router.post("/forgot-password", dependencies=[Csrf])
async def forgot_password(request: Request, email: Annotated[str, Form(max_length=320)] = ""):
    if "@" not in email:
        context = {
            "errors": {"email": N_("Enter an email address like name@example.ru")},
            "email": email,
            "done": False,
        }
        return render(request, "portal/forgot_password.html", context, status_code=400)
    try:
        await api(
            request,
            "POST",
            "/auth/password-reset",
            json={"email": email.strip(), "language": current_language()},
        )
    except ApiProblem as problem:
        if isinstance(problem, ApiUnavailable) or problem.status != 429:
            raise
        context = {
            "errors": {"email": N_("Too many attempts. Wait a few minutes and try again")},
            "email": email,
            "done": False,
        }
        return render(request, "portal/forgot_password.html", context, status_code=429)
    return render(
        request, "portal/forgot_password.html", {"errors": {}, "email": email.strip(), "done": True}
    )


@router.get("/reset-password")
async def reset_password_page(request: Request, token: Annotated[str, Query(max_length=2000)] = ""):
    return render(
        request,
        "portal/reset_password.html",
        {"token": token, "errors": {}, "done": False},
        headers=_NO_STORE,
    )


@router.post("/reset-password", dependencies=[Csrf])
async def reset_password(
    request: Request,
    token: Annotated[str, Form(max_length=2000)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    repeated: Annotated[str, Form(max_length=200)] = "",
):
    errors = _password_errors(password, repeated)
    if not errors:
        try:
            await api(
                request, "POST", "/auth/reset-password", json={"token": token, "password": password}
            )
        except ApiProblem as problem:
            if isinstance(problem, ApiUnavailable):
                raise
            errors = (
                _field_errors(problem, default_field="password")
                if problem.status == 422
                else {"link": "invalid"}
            )
    if errors:
        return render(
            request,
            "portal/reset_password.html",
            {"token": token, "errors": errors, "done": False},
            status_code=400,
            headers=_NO_STORE,
        )
    state_of(request).sign_out()  # whatever session this browser had belongs to the old password
    return render(
        request,
        "portal/reset_password.html",
        {"token": "", "errors": {}, "done": True},
        headers=_NO_STORE,
    )


@router.get("/account")
async def account_page(request: Request, done: str = ""):
    require_session(request)
    account = await api(request, "GET", "/auth/me")
    return render(request, "portal/account.html", {"account": account, "errors": {}, "done": done})


@router.post("/account/password", dependencies=[Csrf])
async def change_password(
    request: Request,
    current_password: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    repeated: Annotated[str, Form(max_length=200)] = "",
):
    session = require_session(request)
    errors = {} if current_password else {"current_password": N_("Enter your current password")}
    errors = errors or _password_errors(password, repeated)
    if not errors:
        try:
            await api(
                request,
                "POST",
                "/auth/change-password",
                json={
                    "current_password": current_password,
                    "new_password": password,
                    "keep_refresh_token": session.refresh_token,
                },
            )
            return see_other("/account?done=password")
        except ApiProblem as problem:
            if isinstance(problem, ApiUnavailable) or problem.status not in (400, 422):
                raise
            errors = _field_errors(problem, default_field="current_password")
            if "new_password" in errors:
                errors["password"] = errors.pop("new_password")
    account = await api(request, "GET", "/auth/me")
    return render(
        request,
        "portal/account.html",
        {"account": account, "errors": errors, "done": ""},
        status_code=400,
    )


_DELETE_REFUSALS = {
    422: N_("The password is wrong"),
    429: N_("Too many attempts. Wait a few minutes and try again"),
    409: N_("This cannot be done now"),
}


@router.post("/account/delete", dependencies=[Csrf])
async def delete_account(
    request: Request, delete_password: Annotated[str, Form(max_length=200)] = ""
):
    """The account, its enterprises and their data go for good; the person is signed out."""
    require_session(request)
    errors = {} if delete_password else {"delete_password": N_("Enter your current password")}
    if not errors:
        try:
            await api(request, "DELETE", "/auth/me", json={"current_password": delete_password})
            state_of(request).sign_out()
            return see_other("/sign-in?account_deleted=1")
        except ApiProblem as problem:
            if isinstance(problem, ApiUnavailable) or problem.status not in (409, 422, 429):
                raise
            errors = {"delete_password": _DELETE_REFUSALS[problem.status]}
    account = await api(request, "GET", "/auth/me")
    return render(
        request,
        "portal/account.html",
        {"account": account, "errors": errors, "done": ""},
        status_code=400,
    )


@router.post("/account/sign-out-everywhere", dependencies=[Csrf])
async def sign_out_everywhere(request: Request):
    require_session(request)
    await api(request, "POST", "/auth/logout-everywhere")
    state_of(request).sign_out()
    return see_other("/sign-in?signed_out=1")
