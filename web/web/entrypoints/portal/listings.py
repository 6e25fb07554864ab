"""My listings: the enterprise's offers and needs, publishing one, changing it (with the version
read, so two people never overwrite each other unseen), closing and reopening it."""

from __future__ import annotations

import asyncio
import math
import re
import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from web.adapters.gateway_client import ApiProblem, ApiUnavailable
from web.domain.units import unit_label
from web.entrypoints.console.reference import region_names, sector_names
from web.entrypoints.i18n import N_, PLATFORM_TIME_ZONE, current_language
from web.entrypoints.portal.mine import Scope, require_own, scope_of
from web.entrypoints.rendering import api, render, see_other, translate
from web.entrypoints.session import require_csrf, state_of

router = APIRouter()
Csrf = Depends(require_csrf)

SIDES = {"offer": "offers", "need": "needs"}
KINDS = ("goods", "services", "technology", "investment", "joint_venture")
KIND_WORDS = {
    "goods": N_("Goods"),
    "services": N_("Services"),
    "technology": N_("Technology"),
    "investment": N_("Investment"),
    "joint_venture": N_("Joint venture"),
}
# The units offered in the form: codes of the registry's vocabulary (data/units/units.json), shown
# with
# their label in the page's language and in words. The registry reads any form a company writes
# through
# the API into the code and refuses one it cannot read.
UNITS = (
    ("pcs", N_("pieces")),
    ("set", N_("sets")),
    ("t", N_("tonnes")),
    ("kg", N_("kilograms")),
    ("l", N_("litres")),
    ("m3", N_("cubic metres")),
    ("m2", N_("square metres")),
    ("m", N_("metres")),
    ("head", N_("head of livestock")),
    ("pcs/year", N_("pieces a year")),
    ("pcs/month", N_("pieces a month")),
    ("set/year", N_("sets a year")),
    ("t/year", N_("tonnes a year")),
    ("t/month", N_("tonnes a month")),
    ("kg/month", N_("kilograms a month")),
    ("l/month", N_("litres a month")),
    ("m3/year", N_("cubic metres a year")),
    ("m2/year", N_("square metres a year")),
    ("head/year", N_("head of livestock a year")),
)
ENDING_SOON_DAYS = 14
PRODUCT_CODE = re.compile(r"^\d{4,10}$")
# What the API's refusal of a field means, in the person's words.
FIELD_MESSAGES = {
    "kind": N_("Choose what kind of listing this is"),
    "title": N_("Enter a title: what you offer or need, in a few words"),
    "description": N_("Make the description shorter: at most 5,000 characters"),
    "sector": N_("Choose the sector from the list"),
    "product_codes": N_("Enter product codes of 4 to 10 digits, like 842810, separated by commas"),
    "quantity": N_("Enter the quantity as a number greater than zero, like 120 or 2.5"),
    "unit": N_(
        "Choose the unit from the list: pieces, sets, head of livestock, tonnes, kilograms, "
        "litres, cubic, square or "
        "running metres, or one of them a day, a month or a year"
    ),
    "certifications": N_("Enter at most 30 certificates, each shorter than 100 characters"),
    "regions": N_("Choose regions from the list"),
    "valid_until": N_("Enter a date that has not passed yet"),
}
FIELDS = frozenset(FIELD_MESSAGES)  # a listing's fields, as the form shows them


def _today() -> date:
    return datetime.now(PLATFORM_TIME_ZONE).date()


def _plural(side: str) -> str:
    if side not in SIDES:
        raise ValueError(side)
    return SIDES[side]


def _ends_in(request: Request, listing: dict) -> str:
    """'ends in 3 days' for an active listing whose date is near, 'the date has passed' once it
    has."""
    if listing.get("status") != "active" or not listing.get("valid_until"):
        return ""
    days = (date.fromisoformat(listing["valid_until"]) - _today()).days
    if days < 0:
        return translate(request, N_("the date has passed: it is no longer suggested"))
    if days == 0:
        return translate(request, N_("ends today"))
    if days <= ENDING_SOON_DAYS:
        return request.app.state.container.texts.ngettext(
            "ends in %(num)s day", "ends in %(num)s days", days
        )
    return ""


# --- the list ----------------------------------------------------------------------------------


@router.get("/my/listings")
async def my_listings(request: Request, done: str = ""):
    scope = await scope_of(request)
    params = {"status": "any", "limit": 200, "sort": "-created_at"}
    offers, needs, sectors, regions = await asyncio.gather(
        api(request, "GET", f"/enterprises/{scope.enterprise_id}/offers", params=params),
        api(request, "GET", f"/enterprises/{scope.enterprise_id}/needs", params=params),
        sector_names(request),
        region_names(request),
    )
    for listing in offers.get("items", []) + needs.get("items", []):
        listing["ends_in"] = _ends_in(request, listing)
    problem = request.query_params.get("problem", "")
    return render(
        request,
        "portal/listings.html",
        {
            "scope": scope,
            "offers": offers,
            "needs": needs,
            "sectors": sectors,
            "regions": regions,
            "kind_words": KIND_WORDS,
            "done": done,
            "problem": problem,
            "problem_id": request.query_params.get("listing", ""),
        },
    )


# --- the form ----------------------------------------------------------------------------------


def _entered_from(listing: dict) -> dict:
    """A listing as the form shows it: lists as comma-separated text, the quantity without '.0'."""
    quantity = listing.get("quantity")
    if isinstance(quantity, float) and quantity.is_integer():
        quantity = int(quantity)
    return {
        "kind": listing.get("kind") or "goods",
        "title": listing.get("title") or "",
        "description": listing.get("description") or "",
        "sector": listing.get("sector") or "",
        "product_codes": ", ".join(listing.get("product_codes") or []),
        "quantity": "" if quantity is None else str(quantity),
        "unit": listing.get("unit") or "",
        "certifications": ", ".join(listing.get("certifications") or []),
        "regions": list(listing.get("regions") or []),
        "valid_until": listing.get("valid_until") or "",
    }


async def _form_context(
    request: Request,
    *,
    scope: Scope,
    side: str,
    entered: dict,
    errors: dict,
    listing: dict | None = None,
    notice: str = "",
    yours: dict | None = None,
) -> dict:
    sectors_page, regions_page = await asyncio.gather(
        api(request, "GET", "/sectors"), api(request, "GET", "/regions")
    )
    language = current_language()

    def name(names: dict, fallback: str) -> str:
        return names.get(language) or names.get("ru") or names.get("en") or fallback

    def codes(sector: dict) -> list[dict]:
        """The sector's usual product codes, each grouped as the TN VED writes it, with its name
        (none if the data has none)."""
        names = sector.get("hs_names") or {}
        return [
            {"code": _grouped(prefix), "name": name(names.get(prefix) or {}, "")}
            for prefix in sector.get("hs_prefixes") or []
        ]

    sectors = sorted(
        (
            {"id": s["id"], "name": name(s.get("names") or {}, s["id"]), "codes": codes(s)}
            for s in sectors_page.get("items", [])
        ),
        key=lambda s: s["name"].casefold(),
    )
    regions = {"RU": [], "BY": []}
    for region in regions_page.get("items", []):
        regions.setdefault(region["country"], []).append(
            {"id": region["id"], "name": name(region.get("name") or {}, region["id"])}
        )
    for items in regions.values():
        items.sort(key=lambda r: r["name"].casefold())
    language = current_language()
    units = [(code, unit_label(code, language), words) for code, words in UNITS]
    if entered.get("unit") and entered["unit"] not in dict(UNITS):
        units.append(
            (entered["unit"], unit_label(entered["unit"], language), "")
        )  # one written through the API stays choosable
    return {
        "scope": scope,
        "side": side,
        "entered": entered,
        "errors": errors,
        "listing": listing,
        "notice": notice,
        "yours": yours,
        "sectors": sectors,
        "sector_of": {s["id"]: s for s in sectors},
        "regions": regions,
        "kinds": KINDS,
        "kind_words": KIND_WORDS,
        "units": units,
        "today": _today().isoformat(),
    }


def _grouped(code: str) -> str:
    """A product code in the TN VED's groups of 4, 2, 3 and 1 digits: 842810 -> '8428 10' (the form
    takes it either way)."""
    return " ".join(part for part in (code[:4], code[4:6], code[6:9], code[9:]) if part)


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


async def _entered_in(request: Request) -> dict:
    form = await request.form()

    def text(field: str, limit: int) -> str:
        value = form.get(field, "")
        return value.strip()[:limit] if isinstance(value, str) else ""

    return {
        "kind": text("kind", 20),
        "title": text("title", 400),
        "description": text("description", 6000),
        "sector": text("sector", 64),
        "product_codes": text("product_codes", 1000),
        "quantity": text("quantity", 40),
        "unit": text("unit", 20),
        "certifications": text("certifications", 4000),
        "regions": [r[:100] for r in form.getlist("regions") if isinstance(r, str)][:60],
        "valid_until": text("valid_until", 20),
    }


def _checked(request: Request, entered: dict, *, require_future_date: bool) -> tuple[dict, dict]:
    """The form's words turned into the API's fields, and what is wrong with them, field by
    field."""
    errors: dict[str, str] = {}
    body: dict = {}
    if entered["kind"] not in KINDS:
        errors["kind"] = FIELD_MESSAGES["kind"]
    body["kind"] = entered["kind"]
    if not entered["title"]:
        errors["title"] = FIELD_MESSAGES["title"]
    elif len(entered["title"]) > 200:
        errors["title"] = N_("Make the title shorter: at most 200 characters")
    body["title"] = entered["title"]
    if len(entered["description"]) > 5000:
        errors["description"] = FIELD_MESSAGES["description"]
    body["description"] = entered["description"]
    if not entered["sector"]:
        errors["sector"] = FIELD_MESSAGES["sector"]
    body["sector"] = entered["sector"]
    codes = [code.replace(" ", "").replace(".", "") for code in _split(entered["product_codes"])]
    wrong = [code for code in codes if not PRODUCT_CODE.match(code)]
    if wrong:
        errors["product_codes"] = translate(
            request,
            N_("«%(code)s» is not a product code: use 4 to 10 digits, like 842810"),
            code=wrong[0],
        )
    elif len(codes) > 30:
        errors["product_codes"] = N_("Enter at most 30 product codes")
    body["product_codes"] = codes
    quantity = None
    if entered["quantity"]:
        try:
            quantity = float(
                entered["quantity"].replace(" ", "").replace("\u00a0", "").replace(",", ".")
            )
        except ValueError:
            quantity = None
        if quantity is None or not math.isfinite(quantity) or quantity <= 0:
            errors["quantity"] = FIELD_MESSAGES["quantity"]
    if quantity is not None and not entered["unit"] and "quantity" not in errors:
        errors["unit"] = N_("Choose the unit of the quantity, like pieces or tonnes")
    if entered["unit"] and not entered["quantity"]:
        errors["quantity"] = N_("Enter the quantity for this unit, or choose no unit")
    body["quantity"] = quantity if "quantity" not in errors else None
    body["unit"] = entered["unit"] or None
    certifications = _split(entered["certifications"])
    if len(certifications) > 30 or any(len(c) > 100 for c in certifications):
        errors["certifications"] = FIELD_MESSAGES["certifications"]
    body["certifications"] = certifications
    body["regions"] = entered["regions"]
    body["valid_until"] = None
    if entered["valid_until"]:
        try:
            valid_until = date.fromisoformat(entered["valid_until"])
        except ValueError:
            errors["valid_until"] = N_("Enter the date as day, month and year")
        else:
            if require_future_date and valid_until < _today():
                errors["valid_until"] = FIELD_MESSAGES["valid_until"]
            body["valid_until"] = valid_until.isoformat()
    return body, errors


def _refusals(problem: ApiProblem) -> dict[str, str]:
    """The API's field errors next to the form's fields, in the person's words."""
    errors: dict[str, str] = {}
    for error in problem.errors:
        field = error.get("field") or ""  # an item of a list is named by its list
        errors.setdefault(
            field if field in FIELDS else "form",
            FIELD_MESSAGES.get(field) or error.get("message") or problem.detail,
        )
    return errors or {
        "form": problem.detail
        or N_("The platform refused this listing. Check the fields and try again")
    }


@router.get("/my/listings/new")
async def new_listing(request: Request, side: str = "offer"):
    scope = await scope_of(request)
    side = side if side in SIDES else "offer"
    entered = _entered_from({}) | {"kind": "goods"}
    return render(
        request,
        "portal/listings_form.html",
        await _form_context(request, scope=scope, side=side, entered=entered, errors={}),
    )


@router.post("/my/listings/new", dependencies=[Csrf])
async def publish_listing(request: Request, side: Annotated[str, Form(max_length=10)] = "offer"):
    scope = await scope_of(request)
    side = side if side in SIDES else "offer"
    entered = await _entered_in(request)
    body, errors = _checked(request, entered, require_future_date=True)
    if not errors:
        body = {name: value for name, value in body.items() if value is not None}
        try:
            await api(
                request, "POST", f"/enterprises/{scope.enterprise_id}/{_plural(side)}", json=body
            )
            return see_other(scope.address("/my/listings", done=f"published_{side}"))
        except ApiProblem as problem:
            errors = _publishing_refused(problem)
    context = await _form_context(request, scope=scope, side=side, entered=entered, errors=errors)
    return render(request, "portal/listings_form.html", context, status_code=422)


def _publishing_refused(problem: ApiProblem) -> dict[str, str]:
    if isinstance(problem, ApiUnavailable) or problem.status not in (409, 422):
        raise problem
    if problem.status == 409:
        return {
            "form": N_(
                "Your enterprise is suspended, so it cannot publish or reopen listings. The "
                "agency emailed you the reason"
            )
        }
    return _refusals(problem)


# --- changing one ------------------------------------------------------------------------------


async def _own_listing(request: Request, side: str, listing_id: uuid.UUID) -> dict:
    if side not in SIDES:
        raise ApiProblem(404, "Not found")
    listing = await api(request, "GET", f"/{_plural(side)}/{listing_id}")
    await require_own(request, listing["enterprise_id"])
    return listing


def _scope_of_listing(request: Request, listing: dict) -> Scope:
    named = request.query_params.get("enterprise", "")
    return Scope(
        listing["enterprise_id"],
        f"?enterprise={listing['enterprise_id']}" if named or _is_staff(request) else "",
    )


def _is_staff(request: Request) -> bool:
    session = state_of(request).session
    return bool(session and session.is_staff)


@router.get("/my/listings/{side}/{listing_id}/edit")
async def edit_listing(request: Request, side: str, listing_id: uuid.UUID):
    listing = await _own_listing(request, side, listing_id)
    context = await _form_context(
        request,
        scope=_scope_of_listing(request, listing),
        side=side,
        entered=_entered_from(listing),
        errors={},
        listing=listing,
    )
    return render(request, "portal/listings_form.html", context)


@router.post("/my/listings/{side}/{listing_id}/edit", dependencies=[Csrf])
async def change_listing(
    request: Request, side: str, listing_id: uuid.UUID, version: Annotated[int, Form(ge=1)]
):
    listing = await _own_listing(request, side, listing_id)
    scope = _scope_of_listing(request, listing)
    entered = await _entered_in(request)
    # A date already passed may stay as it was (the listing can still be edited); a new one must be
    # ahead.
    body, errors = _checked(
        request,
        entered,
        require_future_date=entered["valid_until"] != (listing.get("valid_until") or ""),
    )
    if not errors:
        try:
            await api(
                request, "PATCH", f"/{_plural(side)}/{listing_id}", json=body | {"version": version}
            )
            return see_other(scope.address("/my/listings", done=f"changed_{side}"))
        except ApiProblem as problem:
            if isinstance(problem, ApiUnavailable) or problem.status not in (409, 422):
                raise
            if problem.status == 409:
                current = await api(request, "GET", f"/{_plural(side)}/{listing_id}")
                if current["version"] != version:
                    # Someone else saved first: show theirs, and keep what this person typed in
                    # view.
                    context = await _form_context(
                        request,
                        scope=scope,
                        side=side,
                        entered=_entered_from(current),
                        errors={},
                        listing=current,
                        notice="changed_meanwhile",
                        yours=entered,
                    )
                    return render(request, "portal/listings_form.html", context, status_code=409)
                errors = _publishing_refused(problem)
            else:
                errors = _refusals(problem)
    context = await _form_context(
        request,
        scope=scope,
        side=side,
        entered=entered,
        errors=errors,
        listing=listing | {"version": version},
    )
    return render(request, "portal/listings_form.html", context, status_code=422)


@router.post("/my/listings/{side}/{listing_id}/status", dependencies=[Csrf])
async def close_or_reopen(
    request: Request,
    side: str,
    listing_id: uuid.UUID,
    status: Annotated[str, Form(pattern="^(active|closed)$")],
    version: Annotated[int, Form(ge=1)],
):
    listing = await _own_listing(request, side, listing_id)
    scope = _scope_of_listing(request, listing)
    try:
        await api(
            request,
            "PATCH",
            f"/{_plural(side)}/{listing_id}",
            json={"status": status, "version": version},
        )
    except ApiProblem as problem:
        if isinstance(problem, ApiUnavailable) or problem.status not in (409, 422):
            raise
        if problem.status == 422:
            why = "expired"  # reopening needs a date that has not passed
        else:
            current = await api(request, "GET", f"/{_plural(side)}/{listing_id}")
            why = "changed_meanwhile" if current["version"] != version else "suspended"
        return see_other(
            scope.address("/my/listings", problem=why, listing=str(listing_id))
            + f"#listing-{listing_id}"
        )
    return see_other(
        scope.address(
            "/my/listings", done=("closed_" if status == "closed" else "reopened_") + side
        )
        + f"#listing-{listing_id}"
    )
