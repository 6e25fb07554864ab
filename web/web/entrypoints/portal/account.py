"""A company's account: signing up, a forgotten password, changing it, signing out everywhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from web.adapters.gateway_client import ApiProblem
from web.entrypoints import forms
from web.entrypoints.email_links import new_password_page, new_password_through_link
from web.entrypoints.i18n import N_, current_language
from web.entrypoints.rendering import api, render, require_session, see_other
from web.entrypoints.session import require_csrf, state_of

router = APIRouter()
Csrf = Depends(require_csrf)


@router.get("/sign-up")
async def sign_up_page(request: Request):
    return render(request, "portal/sign_up.html", {"errors": {}, "email": "", "done": False})


@router.post("/sign-up", dependencies=[Csrf])
async def sign_up(request: Request, form: Annotated[forms.SignUpForm, Form()]):
    email = form.email.strip()
    errors = {} if "@" in email else {"email": N_("Enter an email address like name@example.ru")}
    errors = errors or form.errors()
    if not errors:
        try:
            await api(
                request,
                "POST",
                "/auth/register",
                json={"email": email, "password": form.password, "language": current_language()},
            )
        except ApiProblem as problem:
            # An address that already has an account is not revealed: the owner gets the usual
            # email.
            forms.answered_by_the_page(problem, (409, 422))
            errors = (
                {} if problem.status == 409 else forms.field_errors(problem, default_field="email")
            )
    if errors:
        context = {"errors": errors, "email": form.email, "done": False}
        return render(request, "portal/sign_up.html", context, status_code=400)
    return render(request, "portal/sign_up.html", {"errors": {}, "email": email, "done": True})


@router.get("/forgot-password")
async def forgot_password_page(request: Request):
    return render(
        request, "portal/forgot_password.html", {"errors": {}, "email": "", "done": False}
    )


@router.post("/forgot-password", dependencies=[Csrf])
async def forgot_password(request: Request, email: forms.EmailField = ""):
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
        forms.answered_by_the_page(problem, (429,))
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
async def reset_password_page(request: Request, token: forms.TokenQuery = ""):
    return new_password_page(request, "reset", token=token)


@router.post("/reset-password", dependencies=[Csrf])
async def reset_password(request: Request, form: Annotated[forms.PasswordLinkForm, Form()]):
    return await new_password_through_link(request, "reset", form)


@router.get("/account")
async def account_page(request: Request, done: str = ""):
    require_session(request)
    account = await api(request, "GET", "/auth/me")
    return render(request, "portal/account.html", {"account": account, "errors": {}, "done": done})


@router.post("/account/password", dependencies=[Csrf])
async def change_password(request: Request, form: Annotated[forms.PasswordChangeForm, Form()]):
    session = require_session(request)
    errors = (
        form.errors()
        if form.current_password
        else {"current_password": N_("Enter your current password")}
    )
    if not errors:
        try:
            await api(
                request,
                "POST",
                "/auth/change-password",
                json={
                    "current_password": form.current_password,
                    "new_password": form.password,
                    "keep_refresh_token": session.refresh_token,
                },
            )
            return see_other("/account?done=password")
        except ApiProblem as problem:
            forms.answered_by_the_page(problem, (400, 422))
            errors = forms.field_errors(problem, default_field="current_password")
            if "new_password" in errors:
                errors["password"] = errors.pop("new_password")
    return await _account_page_refused(request, errors)


_DELETE_REFUSALS = {
    422: N_("The password is wrong"),
    429: N_("Too many attempts. Wait a few minutes and try again"),
    409: N_("This cannot be done now"),
}


@router.post("/account/delete", dependencies=[Csrf])
async def delete_account(request: Request, delete_password: forms.PasswordField = ""):
    """The account, its enterprises and their data go for good; the person is signed out."""
    require_session(request)
    errors = {} if delete_password else {"delete_password": N_("Enter your current password")}
    if not errors:
        try:
            await api(request, "DELETE", "/auth/me", json={"current_password": delete_password})
            state_of(request).sign_out()
            return see_other("/sign-in?account_deleted=1")
        except ApiProblem as problem:
            forms.answered_by_the_page(problem, tuple(_DELETE_REFUSALS))
            errors = {"delete_password": _DELETE_REFUSALS[problem.status]}
    return await _account_page_refused(request, errors)


async def _account_page_refused(request: Request, errors: dict):
    """The account page again, told what is wrong next to the field concerned."""
    account = await api(request, "GET", "/auth/me")
    context = {"account": account, "errors": errors, "done": ""}
    return render(request, "portal/account.html", context, status_code=400)


@router.post("/account/sign-out-everywhere", dependencies=[Csrf])
async def sign_out_everywhere(request: Request):
    require_session(request)
    await api(request, "POST", "/auth/logout-everywhere")
    state_of(request).sign_out()
    return see_other("/sign-in?signed_out=1")
