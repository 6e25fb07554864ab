"""Registering an enterprise, one question at a time. The answers so far travel in a signed
HttpOnly cookie of their own, so the wizard keeps no state on the server and survives a reload."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from web.adapters.gateway_client import ApiProblem, ApiUnavailable
from web.domain.registration import (
    LANGUAGES,
    REFUSED_PROFILE_FIELD,
    SIZES,
    STEPS,
    check_legal_id,
    first_unanswered,
    registration_body,
    step_errors,
)
from web.entrypoints.console.reference import city_names_in, region_names_in, sector_names
from web.entrypoints.forms import field_errors
from web.entrypoints.rendering import api, render, require_session, see_other, translate
from web.entrypoints.session import require_csrf

router = APIRouter(prefix="/my/register")
Csrf = Depends(require_csrf)
WIZARD_COOKIE = "um_wizard"
LIST_FIELDS = {"sectors", "languages"}
FIELDS = {
    "country": ("country",),
    "legal-id": ("inn", "ogrn", "unp"),
    "name": ("name",),
    "place": ("region", "city"),
    "sectors": ("sectors",),
    "about": ("description", "languages", "size", "certifications"),
    "contact": ("contact_person", "email", "phone"),
    "consent": ("personal_data_consent",),
}


def _answers(request: Request) -> dict:
    return request.app.state.container.signer.unsign(request.cookies.get(WIZARD_COOKIE)) or {}


def _keep(request: Request, response: Response, answers: dict) -> Response:
    response.set_cookie(
        WIZARD_COOKIE,
        request.app.state.container.signer.sign(answers),
        max_age=24 * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/my/register",
    )
    return response


async def _reference(request: Request, answers: dict) -> tuple[dict, dict]:
    """The regions of the chosen country and the sectors, named in the page's language."""
    return await region_names_in(request, answers.get("country")), await sector_names(request)


@router.get("")
async def start(request: Request):
    require_session(request)
    answers = _answers(request)
    regions, sectors = await _reference(request, answers)
    return see_other(
        f"/my/register/{first_unanswered(answers, regions=set(regions), sectors=set(sectors))}"
    )


@router.get("/check-legal-id")
async def live_check(request: Request, country: str = "RU", scheme: str = "inn", value: str = ""):
    """Answers the legal-id step's script while the company types: valid or not, and why."""
    check = check_legal_id(
        country=country if country in ("RU", "BY") else "RU", scheme=scheme, value=value[:40]
    )
    return JSONResponse({"valid": check.valid, "message": translate(request, check.message)})


@router.get("/{step}")
async def question(request: Request, step: str, from_check: str = ""):
    require_session(request)
    if step not in STEPS:
        return render(request, "error.html", {"kind": "not_found"}, status_code=404)
    answers = _answers(request)
    return await _page(request, step, answers, errors={}, from_check=bool(from_check))


async def _page(
    request: Request,
    step: str,
    answers: dict,
    *,
    errors: dict,
    from_check: bool = False,
    status_code: int = 200,
    problem: str = "",
):
    regions, sectors = await _reference(request, answers)
    cities = await city_names_in(request, answers.get("country")) if step == "place" else []
    context = {
        "step": step,
        "answers": answers,
        "errors": errors,
        "regions": regions,
        "sectors": sectors,
        "steps": STEPS,
        "cities": cities,
        "number": STEPS.index(step) + 1,
        "languages": LANGUAGES,
        "sizes": SIZES,
        "from_check": from_check,
        "problem": problem,
        "back": STEPS[STEPS.index(step) - 1] if STEPS.index(step) else None,
    }
    return render(
        request, f"portal/wizard/{step.replace('-', '_')}.html", context, status_code=status_code
    )


@router.post("/{step}", dependencies=[Csrf])
async def answer(request: Request, step: str):
    require_session(request)
    if step not in STEPS:
        return render(request, "error.html", {"kind": "not_found"}, status_code=404)
    answers = _answers(request)
    if step == "check":
        return await _submit(request, answers)
    form = await request.form()
    for field in FIELDS[step]:
        answers[field] = (
            [str(v) for v in form.getlist(field)]
            if field in LIST_FIELDS
            else str(form.get(field, ""))[:2000]
        )
    if step == "consent":
        answers["personal_data_consent"] = form.get("personal_data_consent") == "yes"
    regions, sectors = await _reference(request, answers)
    errors = step_errors(step, answers, regions=set(regions), sectors=set(sectors))
    if errors:
        return _keep(
            request, await _page(request, step, answers, errors=errors, status_code=400), answers
        )
    following = (
        "check"
        if form.get("from_check")
        else first_unanswered(answers, regions=set(regions), sectors=set(sectors))
    )
    return _keep(request, see_other(f"/my/register/{following}"), answers)


async def _submit(request: Request, answers: dict):
    regions, sectors = await _reference(request, answers)
    missing = first_unanswered(answers, regions=set(regions), sectors=set(sectors))
    if missing != "check":
        return see_other(f"/my/register/{missing}")
    try:
        created = await api(request, "POST", "/enterprises", json=registration_body(answers))
    except ApiProblem as problem:
        if isinstance(problem, ApiUnavailable) or problem.status not in (409, 422):
            raise
        if problem.status == 409:
            return await _page(
                request, "check", answers, errors={}, status_code=409, problem="legal_id_taken"
            )
        errors = field_errors(problem, default_field="name", said=REFUSED_PROFILE_FIELD)
        return await _page(
            request, "check", answers, errors=errors, status_code=422, problem="refused"
        )
    response = see_other(f"/my/enterprise?enterprise={created['id']}&done=registered")
    response.delete_cookie(WIZARD_COOKIE, path="/my/register")
    return response
