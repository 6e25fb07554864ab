"""Agency and admin accounts (admins only): the list, a new account whose person sets the password
through an emailed link, disabling and enabling."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from web.adapters.gateway_client import ApiProblem, ApiUnavailable
from web.entrypoints.forms import field_errors
from web.entrypoints.i18n import N_
from web.entrypoints.rendering import api, render, require_session, see_other
from web.entrypoints.session import require_csrf

router = APIRouter()
Csrf = Depends(require_csrf)
ROLES = ("agency", "admin")


@router.get("/accounts")
async def accounts_page(request: Request, done: str = "", cursor: str = ""):
    require_session(request, admin=True)
    return render(
        request, "console/accounts.html", await _context(request, cursor=cursor) | {"done": done}
    )


async def _context(
    request: Request, *, cursor: str = "", errors: dict | None = None, entered: dict | None = None
) -> dict:
    page = await api(
        request,
        "GET",
        "/accounts",
        params={"role": "staff", "limit": 100, "cursor": cursor[:100] or None},
    )
    return {
        "page": page,
        "roles": ROLES,
        "errors": errors or {},
        "entered": entered or {"role": "agency"},
        "done": "",
    }


@router.post("/accounts", dependencies=[Csrf])
async def create_account(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=16)] = "agency",
):
    require_session(request, admin=True)
    entered = {
        "email": email.strip(),
        "name": name.strip(),
        "role": role if role in ROLES else "agency",
    }
    errors = {}
    if not entered["name"]:
        errors["name"] = N_("Enter the person's name")
    if "@" not in entered["email"]:
        errors["email"] = N_("Enter an email address like name@example.ru")
    if not errors:
        try:
            created = await api(request, "POST", "/accounts", json=entered)
            return see_other(
                "/console/accounts?done="
                + ("created" if created.get("invitation_sent", True) else "created_unsent")
            )
        except ApiProblem as problem:
            if isinstance(problem, ApiUnavailable) or problem.status not in (409, 422):
                raise
            errors = (
                {"email": N_("An account with this email address already exists")}
                if problem.status == 409
                else field_errors(problem, default_field="email")
            )
    context = await _context(request, errors=errors, entered=entered)
    return render(request, "console/accounts.html", context, status_code=422)


@router.post("/accounts/{account_id}/{action}", dependencies=[Csrf])
async def change_account(request: Request, account_id: uuid.UUID, action: str):
    require_session(request, admin=True)
    if action not in ("disable", "enable", "invitation"):
        return render(request, "error.html", {"kind": "not_found"}, status_code=404)
    try:
        await api(request, "POST", f"/accounts/{account_id}/{action}")
    except ApiProblem as problem:
        if isinstance(problem, ApiUnavailable) or problem.status != 409:
            raise
        return render(
            request,
            "console/accounts.html",
            await _context(request, errors={"account": problem.detail}),
            status_code=409,
        )
    return see_other(f"/console/accounts?done={action}")
