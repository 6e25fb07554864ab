"""My enterprise: the profile as partners and the agency see it, editing it, deleting it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from web.adapters.gateway_client import ApiProblem, ApiUnavailable
from web.domain.registration import (
    LANGUAGES,
    MAX_SECTORS,
    REFUSED_PROFILE_FIELD,
    SIZES,
    folded_digits,
    profile_errors,
)
from web.entrypoints.console.reference import region_names_in, sector_names
from web.entrypoints.forms import field_errors
from web.entrypoints.i18n import N_
from web.entrypoints.portal.common import chosen_enterprise_id, my_enterprise_ids
from web.entrypoints.rendering import api, render, require_session, see_other
from web.entrypoints.session import require_csrf

router = APIRouter(prefix="/my")
Csrf = Depends(require_csrf)
EDITABLE = ("name", "region", "city", "description", "size", "contact_person", "email", "phone")


@router.get("")
async def my_home(request: Request):
    require_session(request)
    held = await my_enterprise_ids(request)
    return see_other("/my/enterprise" if held else "/my/register")


async def _context(request: Request, enterprise_id: str) -> dict:
    enterprise = await api(request, "GET", f"/enterprises/{enterprise_id}")
    return {
        "enterprise": enterprise,
        "sectors": await sector_names(request),
        "regions": await region_names_in(request, enterprise.get("country")),
        "languages": LANGUAGES,
        "sizes": SIZES,
        "held": await my_enterprise_ids(request),
    }


@router.get("/enterprise")
async def my_enterprise(request: Request, done: str = ""):
    enterprise_id = await chosen_enterprise_id(request)
    return render(
        request, "portal/enterprise.html", await _context(request, enterprise_id) | {"done": done}
    )


@router.get("/enterprise/edit")
async def edit_page(request: Request):
    enterprise_id = await chosen_enterprise_id(request)
    context = await _context(request, enterprise_id)
    return render(
        request,
        "portal/enterprise_edit.html",
        context | {"entered": context["enterprise"], "errors": {}, "changed_meanwhile": False},
    )


@router.post("/enterprise/edit", dependencies=[Csrf])
async def edit(request: Request, version: Annotated[int, Form(ge=1)]):
    enterprise_id = await chosen_enterprise_id(request)
    form = await request.form()
    # Bounded for the page that shows it again, never cut short silently: too long is refused.
    entered = {field: str(form.get(field, "")).strip()[:6000] for field in EDITABLE}
    entered["sectors"] = [str(s) for s in form.getlist("sectors")][: MAX_SECTORS + 1]
    entered["languages"] = [str(lang) for lang in form.getlist("languages") if lang in LANGUAGES]
    entered["certifications"] = [
        c.strip()[:200] for c in str(form.get("certifications", "")).split(",") if c.strip()
    ][:31]
    if errors := profile_errors(entered):
        return await _refused(request, enterprise_id, entered, version, errors)
    changes = {k: v for k, v in entered.items() if v not in ("", [])} | {
        "certifications": entered["certifications"]
    }
    if entered["phone"]:
        changes["phone"] = folded_digits(entered["phone"])
    try:
        await api(
            request,
            "PATCH",
            f"/enterprises/{enterprise_id}",
            json=changes,
            headers={"If-Match": f'"{version}"'},
        )
    except ApiProblem as problem:
        if isinstance(problem, ApiUnavailable) or problem.status not in (409, 412, 422, 428):
            raise
        context = await _context(request, enterprise_id)
        if problem.status in (409, 412, 428):
            # Someone changed it meanwhile: show the new version, keep what this person typed in
            # view.
            return render(
                request,
                "portal/enterprise_edit.html",
                context
                | {
                    "entered": context["enterprise"],
                    "errors": {},
                    "changed_meanwhile": True,
                    "typed": entered,
                },
                status_code=409,
            )
        errors = field_errors(problem, default_field="name", said=REFUSED_PROFILE_FIELD)
        return await _refused(request, enterprise_id, entered, version, errors, context=context)
    return see_other(f"/my/enterprise?enterprise={enterprise_id}&done=saved")


async def _refused(
    request: Request,
    enterprise_id: str,
    entered: dict,
    version: int,
    errors: dict,
    *,
    context: dict | None = None,
) -> Response:
    """The form again with what the person typed, and what is wrong with it."""
    context = context or await _context(request, enterprise_id)
    return render(
        request,
        "portal/enterprise_edit.html",
        context
        | {"entered": entered | {"version": version}, "errors": errors, "changed_meanwhile": False},
        status_code=422,
    )


@router.get("/enterprise/delete")
async def delete_page(request: Request):
    enterprise_id = await chosen_enterprise_id(request)
    return render(
        request,
        "portal/enterprise_delete.html",
        await _context(request, enterprise_id) | {"errors": {}},
    )


@router.post("/enterprise/delete", dependencies=[Csrf])
async def delete(request: Request):
    enterprise_id = await chosen_enterprise_id(request)
    form = await request.form()
    context = await _context(request, enterprise_id)
    if str(form.get("confirm_name", "")).strip() != context["enterprise"]["name"]:
        errors = {"confirm_name": N_("Type the enterprise's name exactly as shown to confirm")}
        return render(
            request, "portal/enterprise_delete.html", context | {"errors": errors}, status_code=400
        )
    await api(request, "DELETE", f"/enterprises/{enterprise_id}")
    return see_other("/my/register?deleted=1")
