"""The review queue, one match's page, and the reviewer's decisions on it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from web.adapters.gateway_client import ApiProblem, ApiUnavailable
from web.domain.queue_view import COUNTRY_PAIRS, MATCH_STATUSES, QueueView
from web.domain.reasons import reasons_in
from web.entrypoints.console.reference import region_names, sector_names
from web.entrypoints.i18n import N_, current_language
from web.entrypoints.rendering import (
    api,
    csv_download,
    render,
    require_session,
    safe_next,
    see_other,
    translate,
)
from web.entrypoints.session import require_csrf

router = APIRouter()
Csrf = Depends(require_csrf)
CSV_ROW_LIMIT = 10_000
# The API's refusals, told in the reviewer's language.
_TOLD = {
    404: N_("This match no longer exists"),
    409: N_(
        "Someone has already decided this match, or it has changed meanwhile; the page shows "
        "its state now"
    ),
    422: N_("The decision was not accepted: check what you entered"),
    428: N_("The match has changed meanwhile; reload the page and decide again"),
}
STATUS_NAMES = {
    "proposed": N_("Proposed"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "declined": N_("Declined by a company"),
    "introduced": N_("Introduced"),
    "closed": N_("Closed"),
    "withdrawn": N_("Withdrawn"),
}
OUTCOMES = {
    "contract_signed": N_("Contract signed"),
    "supply_started": N_("Supply started"),
    "joint_venture_founded": N_("Joint venture founded"),
    "no_agreement": N_("No agreement"),
    "other": N_("Other"),
}


@router.get("/queue")
async def review_queue(request: Request):
    require_session(request, staff=True)
    view = QueueView.from_query(dict(request.query_params))
    page, sectors, regions = await asyncio.gather(
        api(request, "GET", "/matches", params=view.api_params(today=_today())),
        sector_names(request),
        region_names(request),
    )
    total = page.get("total", 0)
    context = {
        "view": view,
        "page": page,
        "rows": [_row(m) for m in page.get("items", [])],
        "total": total,
        "pages": max(1, -(-total // view.page_size)),
        "sectors": sectors,
        "regions": regions,
        "statuses": MATCH_STATUSES,
        "country_pairs": COUNTRY_PAIRS,
    }
    return render(request, "console/queue.html", context)


@router.get("/queue.csv")
async def review_queue_csv(request: Request):
    require_session(request, staff=True)
    view = QueueView.from_query(dict(request.query_params))
    params = view.api_params(today=_today()) | {"limit": 200, "cursor": "0"}
    sectors = await sector_names(request)
    rows, cursor = [], "0"
    while cursor is not None and len(rows) < CSV_ROW_LIMIT:
        page = await api(request, "GET", "/matches", params=params | {"cursor": cursor})
        rows.extend(_csv_row(request, m, sectors) for m in page.get("items", []))
        cursor = page.get("next_cursor")
    return csv_download(_queue_csv_header(request), rows[:CSV_ROW_LIMIT], "review-queue.csv")


@router.get("/matches/{match_id}")
async def match_page(request: Request, match_id: uuid.UUID):
    require_session(request, staff=True)
    return_to = safe_next(request.query_params.get("return_to"), default="/console/queue")
    context = await _match_context(request, match_id, return_to=return_to)
    return render(
        request, "console/match.html", context | {"done": request.query_params.get("done", "")}
    )


async def _match_context(
    request: Request, match_id: uuid.UUID, *, return_to: str, errors: dict | None = None
) -> dict:
    match = await api(request, "GET", f"/matches/{match_id}")
    offer, need, sectors, regions, names = await asyncio.gather(
        _listing(request, "offers", match["offer_id"]),
        _listing(request, "needs", match["need_id"]),
        sector_names(request),
        region_names(request),
        _actor_names(request, match.get("history", [])),
    )
    return {
        "match": match,
        "row": _row(match),
        "offer": match.get("offer", {}) | offer,
        "need": match.get("need", {}) | need,
        "sectors": sectors,
        "regions": regions,
        "actor_names": names,
        "outcomes": OUTCOMES,
        "return_to": return_to,
        "errors": errors or {},
        "done": "",
    }


class Decision(BaseModel):
    """A reviewer's decision form: the page to return to, and what the decision needs."""

    return_to: str = Field("", max_length=2000)
    reason: str = Field("", max_length=2000)  # of a rejection
    outcome: str = Field("", max_length=40)  # of a closing: one of OUTCOMES
    other: str = Field("", max_length=2000)  # the outcome "other", described


@router.post("/matches/{match_id}/approve", dependencies=[Csrf])
async def approve(request: Request, match_id: uuid.UUID, form: Annotated[Decision, Form()]):
    require_session(request, staff=True)
    return await _decide(request, match_id, "approve", {}, form.return_to)


@router.post("/matches/{match_id}/reject", dependencies=[Csrf])
async def reject(request: Request, match_id: uuid.UUID, form: Annotated[Decision, Form()]):
    require_session(request, staff=True)
    if not form.reason.strip():
        return await _refused(request, match_id, {"reason": N_("Say why the match is rejected")})
    body = {"reason": form.reason.strip()}
    return await _decide(request, match_id, "reject", body, form.return_to)


@router.post("/matches/{match_id}/close", dependencies=[Csrf])
async def close(request: Request, match_id: uuid.UUID, form: Annotated[Decision, Form()]):
    require_session(request, staff=True)
    if form.outcome not in OUTCOMES:
        return await _refused(request, match_id, {"outcome": N_("Choose the outcome")})
    if form.outcome == "other" and not form.other.strip():
        return await _refused(request, match_id, {"other": N_("Describe the outcome")})
    text = form.other.strip() if form.outcome == "other" else form.outcome
    return await _decide(request, match_id, "close", {"outcome": text}, form.return_to)


async def _decide(
    request: Request, match_id: uuid.UUID, action: str, body: dict, return_to: str
) -> Response:
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        match = await api(request, "POST", f"/matches/{match_id}/{action}", json=body)
    except ApiProblem as problem:
        if (
            isinstance(problem, ApiUnavailable)
            or not (400 <= problem.status < 500)
            or problem.status in (401, 403)
        ):
            raise
        told = translate(request, _TOLD.get(problem.status, N_("This cannot be done now")))
        if wants_json:
            return JSONResponse(
                {"status": problem.status, "detail": told}, status_code=problem.status
            )
        return await _refused(request, match_id, {"action": told})
    if wants_json:
        return JSONResponse({"id": str(match_id), "status": match["status"]})
    target = safe_next(return_to, default=f"/console/matches/{match_id}")
    separator = "&" if "?" in target else "?"
    return see_other(f"{target}{separator}done={action}")


async def _refused(request: Request, match_id: uuid.UUID, errors: dict) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"status": 422, "errors": errors}, status_code=422)
    # The same page again, told what is wrong next to the field concerned.
    context = await _match_context(request, match_id, return_to="/console/queue", errors=errors)
    return render(request, "console/match.html", context, status_code=422)


async def _listing(request: Request, plural: str, listing_id: str) -> dict:
    try:
        return await api(request, "GET", f"/{plural}/{listing_id}")
    except ApiProblem as problem:
        if isinstance(problem, ApiUnavailable):
            raise
        return {}  # a deleted listing: the match still shows what matching kept of it


async def _actor_names(request: Request, history: list[dict]) -> dict[str, str]:
    """Account ids in the history, as the names of the people behind them."""
    ids = {h["actor"] for h in history if _is_uuid(h.get("actor"))}

    async def name_of(account_id: str) -> tuple[str, str]:
        try:
            account = await api(request, "GET", f"/accounts/{account_id}")
            return account_id, account.get("name") or account.get("email") or ""
        except ApiProblem as problem:
            if isinstance(problem, ApiUnavailable):
                raise
            return account_id, ""

    return dict(await asyncio.gather(*(name_of(i) for i in ids)))


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False


def _row(match: dict) -> dict:
    """A match as a row of the queue: the two strongest reasons in the page's language."""
    in_language = reasons_in(match, current_language())
    return match | {"top_reasons": in_language[:2], "all_reasons": in_language}


def _queue_csv_header(request: Request) -> list[str]:
    return [
        translate(request, h)
        for h in (
            N_("Match"),
            N_("Status"),
            N_("Score"),
            N_("Sector"),
            N_("Offer"),
            N_("Supplier"),
            N_("Supplier's country"),
            N_("Supplier's city"),
            N_("Need"),
            N_("Buyer"),
            N_("Buyer's country"),
            N_("Buyer's city"),
            N_("Reasons"),
            N_("Proposed on"),
        )
    ]


def _csv_row(request: Request, match: dict, sectors: dict[str, str]) -> list:
    row = _row(match)
    status = row["status"]
    named = STATUS_NAMES.get(status)
    status = translate(request, named) if named else status
    return [
        row["id"],
        status,
        f"{row['score']:.2f}",
        sectors.get(row.get("sector", ""), row.get("sector", "")),
        row.get("offer_title", ""),
        row.get("offer_enterprise_name", ""),
        row.get("offer_country", ""),
        row.get("offer_city", ""),
        row.get("need_title", ""),
        row.get("need_enterprise_name", ""),
        row.get("need_country", ""),
        row.get("need_city", ""),
        "; ".join(row["all_reasons"]),
        (row.get("created_at") or "")[:10],
    ]


def _today():
    return datetime.now(UTC).date()
