"""Pages anyone may open: home, signing in and out, the language switch, and the pages the
platform's emails link to (a partner suggestion, an enterprise's profile, the address
confirmation, unsubscribing, and setting a new staff account's password)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from servicekit.health import health_routes
from web.adapters.gateway_client import ApiProblem, ApiUnavailable
from web.config import LANGUAGES
from web.entrypoints import i18n
from web.entrypoints.email_links import (
    follow_link,
    link_opened,
    link_page,
    new_password_page,
    new_password_through_link,
)
from web.entrypoints.forms import (
    AnswerField,
    EmailField,
    PasswordField,
    PasswordLinkForm,
    SideField,
    TextField,
    TokenQuery,
)
from web.entrypoints.i18n import N_
from web.entrypoints.rendering import api, render, safe_next, see_other
from web.entrypoints.session import Session, require_csrf, state_of

router = APIRouter()
# The probes' /healthz and /readyz; /metrics only on the operations listener (operations.py).
router.include_router(health_routes(with_metrics=False))
Csrf = Depends(require_csrf)


@router.get("/")
async def home(request: Request):
    return render(request, "home.html", {"figures": await _figures(request)})


async def _figures(request: Request) -> dict:
    """The platform's live figures; the home page still opens when they cannot be read."""

    async def read(path: str) -> dict:
        try:
            return await api(request, "GET", path)
        except ApiProblem:
            return {}

    enterprises, introductions = await asyncio.gather(
        read("/figures/enterprises"), read("/figures/introductions")
    )
    return enterprises | introductions


# --- signing in and out ------------------------------------------------------------------------


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str = ""):
    return render(
        request, "sign_in.html", {"next": safe_next(next, default=""), "errors": {}, "email": ""}
    )


@router.post("/sign-in", dependencies=[Csrf])
async def sign_in(
    request: Request,
    email: EmailField = "",
    password: PasswordField = "",
    next: TextField = "",
):
    errors = {}
    if not email.strip():
        errors["email"] = N_("Enter your email address")
    if not password:
        errors["password"] = N_("Enter your password")
    if not errors:
        errors = await _try_sign_in(request, email.strip(), password)
    if errors:
        context = {"next": safe_next(next, default=""), "errors": errors, "email": email}
        return render(request, "sign_in.html", context, status_code=400)
    session = state_of(request).session
    return see_other(safe_next(next, default="/console/queue" if session.is_staff else "/my"))


async def _try_sign_in(request: Request, email: str, password: str) -> dict[str, str]:
    gateway = request.app.state.container.gateway
    try:
        tokens = await gateway.sign_in(
            email=email,
            password=password,
            client_address=request.client.host if request.client else None,
        )
    except ApiUnavailable:
        raise
    except ApiProblem as problem:
        if problem.status == 429:
            return {"email": N_("Too many attempts. Wait a few minutes and try again")}
        if problem.status == 403:
            return {
                "email": N_(
                    "This account is disabled. Ask the platform's administrator to enable it"
                )
            }
        if problem.status in (400, 401, 422):
            return {"email": N_("The email address or the password is not right")}
        raise
    account = await gateway.request("GET", "/auth/me", access_token=tokens.access_token)
    state_of(request).sign_in(
        Session(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            role=tokens.role,
            email=account.get("email", email),
            name=account.get("name") or "",
        )
    )
    return {}


@router.post("/sign-out", dependencies=[Csrf])
async def sign_out(request: Request):
    state = state_of(request)
    if state.session is not None:
        try:
            await request.app.state.container.gateway.sign_out(
                refresh_token=state.session.refresh_token
            )
        except ApiProblem:
            pass  # the session ends here whatever the API says; the token expires on its own
        state.sign_out()
    return see_other("/sign-in?signed_out=1")


@router.post("/language", dependencies=[Csrf])
async def choose_language(
    request: Request,
    language: Annotated[str, Form()] = "ru",
    next: TextField = "/",
):
    response = see_other(safe_next(next, default="/"))
    if language in LANGUAGES:
        response.set_cookie(
            i18n.LANGUAGE_COOKIE,
            language,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            path="/",
            secure=request.url.scheme == "https",
        )
    return response


# --- the pages of the emails' links -------------------------------------------------------------


@router.get("/suggestions/{match_id}")
async def suggestion(request: Request, match_id: uuid.UUID, answered: str = ""):
    if state_of(request).session is None:
        return render(
            request, "suggestion.html", {"match": None, "next": request.url.path, "errors": {}}
        )
    try:
        match, account = await asyncio.gather(
            api(request, "GET", f"/matches/{match_id}"), api(request, "GET", "/auth/me")
        )
    except ApiProblem as problem:
        if isinstance(problem, ApiUnavailable) or problem.status not in (403, 404):
            raise
        # Signed in as another company (or the link is wrong): offer to sign in as the right one.
        context = {"match": None, "next": request.url.path, "errors": {}, "not_yours": True}
        return render(request, "suggestion.html", context, status_code=problem.status)
    mine = set(account.get("enterprise_ids") or [])
    side = "offer" if match["offer_enterprise_id"] in mine else "need"
    partner = match["need"] if side == "offer" else match["offer"]
    context = {
        "match": match,
        "side": side,
        "partner": partner,
        "my_answer": match.get(f"{side}_answer"),
        "answered": answered if answered in ("interested", "declined") else "",
    }
    return render(request, "suggestion.html", context)


@router.post("/suggestions/{match_id}/answer", dependencies=[Csrf])
async def answer_suggestion(
    request: Request,
    match_id: uuid.UUID,
    answer: AnswerField,
    side: SideField,
):
    await api(
        request, "POST", f"/matches/{match_id}/respond", json={"answer": answer, "side": side}
    )
    return see_other(f"/suggestions/{match_id}?answered={answer}")


@router.get("/enterprises/{enterprise_id}")
async def enterprise_profile(request: Request, enterprise_id: uuid.UUID):
    enterprise = await api(request, "GET", f"/enterprises/{enterprise_id}")
    return render(request, "enterprise.html", {"enterprise": enterprise})


@router.get("/confirm")
async def confirm_page(request: Request, token: TokenQuery = ""):
    return link_opened(request, "confirm.html", token, kind="account", address="")


@router.post("/confirm", dependencies=[Csrf])
async def confirm_address(request: Request, token: TextField = ""):
    return await _confirm(request, token, "account", "/auth/confirm")


@router.get("/confirm-contact")
async def confirm_contact_page(request: Request, token: TokenQuery = ""):
    # The link of a contact_confirmation email.
    return link_opened(request, "confirm.html", token, kind="contact", address="")


@router.post("/confirm-contact", dependencies=[Csrf])
async def confirm_contact(request: Request, token: TextField = ""):
    # A 409: the enterprise's address changed since the email; the new address has its own link.
    return await _confirm(request, token, "contact", "/contact-confirmations", {409: "moved"})


async def _confirm(
    request: Request, token: str, kind: str, path: str, refusals: dict[int, str] | None = None
):
    outcome, confirmed = await follow_link(
        request, token, "POST", path, json={"token": token}, done="confirmed", refusals=refusals
    )
    context = {"token": "", "outcome": outcome, "kind": kind, "address": confirmed.get("email", "")}
    return link_page(request, "confirm.html", context)


@router.get("/unsubscribe")
async def unsubscribe_page(request: Request, token: TokenQuery = ""):
    return link_opened(request, "unsubscribe.html", token)


@router.post("/unsubscribe", dependencies=[Csrf])
async def unsubscribe(request: Request, token: TextField = ""):
    outcome, _ = await follow_link(
        request, token, "GET", "/unsubscribe", params={"token": token}, done="unsubscribed"
    )
    return link_page(request, "unsubscribe.html", {"token": "", "outcome": outcome})


@router.get("/set-password")
async def set_password_page(request: Request, token: TokenQuery = ""):
    return new_password_page(request, "invitation", token=token)


@router.post("/set-password", dependencies=[Csrf])
async def set_password(request: Request, form: Annotated[PasswordLinkForm, Form()]):
    return await new_password_through_link(request, "invitation", form)
