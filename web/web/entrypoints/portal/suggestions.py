"""My suggestions: the partners the agency has approved for the enterprise's listings, newest
first, each with the state in words and, while it waits for this company, its two answers."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from web.adapters.gateway_client import ApiProblem, ApiUnavailable
from web.domain.reasons import reasons_in
from web.entrypoints.console.reference import sector_names
from web.entrypoints.i18n import current_language
from web.entrypoints.portal.mine import scope_of
from web.entrypoints.rendering import NotAllowed, api, render, see_other
from web.entrypoints.session import require_csrf

router = APIRouter()
Csrf = Depends(require_csrf)
PAGE_SIZE = 100


def my_side(match: dict, enterprise_id: str) -> str:
    """The side of the match that is this enterprise's (the offer's when it holds both)."""
    return "offer" if match["offer_enterprise_id"] == enterprise_id else "need"


def state_of_match(match: dict, side: str) -> str:
    """What the suggestion waits for, from this side's point of view."""
    mine = match.get(f"{side}_answer")
    status = match["status"]
    if status == "approved":
        return "waiting_for_you" if mine is None else "waiting_for_partner"
    if status == "declined":
        return "you_declined" if mine == "declined" else "partner_declined"
    if status in ("introduced", "closed", "withdrawn"):
        return status
    return "other"


def _shown(match: dict, enterprise_id: str, language: str) -> dict:
    side = my_side(match, enterprise_id)
    other = "need" if side == "offer" else "offer"
    return {
        "id": match["id"],
        "side": side,
        "state": state_of_match(match, side),
        "score": match["score"],
        "sector": match.get("sector"),
        "reasons": reasons_in(match, language),
        "my_title": match[f"{side}_title"],
        "my_listing_id": match[f"{side}_id"],
        "partner": {
            "id": match[f"{other}_enterprise_id"],
            "name": match[f"{other}_enterprise_name"],
            "city": match[f"{other}_city"],
            "country": match[f"{other}_country"],
            "title": match[f"{other}_title"],
        },
        "my_answer": match.get(f"{side}_answer"),
        "outcome": match.get("outcome"),
        "created_at": match.get("created_at"),
        "updated_at": match.get("updated_at"),
    }


@router.get("/my/suggestions")
async def my_suggestions(request: Request, done: str = "", cursor: str = ""):
    scope = await scope_of(request)
    page, sectors = await asyncio.gather(
        api(
            request,
            "GET",
            f"/enterprises/{scope.enterprise_id}/suggestions",
            params={"limit": PAGE_SIZE, "cursor": cursor if cursor.isdigit() else None},
        ),
        sector_names(request),
    )
    language = current_language()
    items = sorted(
        (_shown(m, scope.enterprise_id, language) for m in page.get("items", [])),
        key=lambda s: s["created_at"] or "",
        reverse=True,
    )
    await asyncio.gather(
        *(_whose_listing_closed(request, s) for s in items if s["state"] == "withdrawn")
    )
    waiting = sum(1 for s in items if s["state"] == "waiting_for_you")
    return render(
        request,
        "portal/suggestions.html",
        {
            "scope": scope,
            "items": items,
            "total": page.get("total", len(items)),
            "next_cursor": page.get("next_cursor"),
            "sectors": sectors,
            "waiting": waiting,
            "done": done if done in ("interested", "declined", "changed") else "",
            "answered": request.query_params.get("match", ""),
        },
    )


async def _whose_listing_closed(request: Request, shown: dict) -> None:
    """A withdrawn suggestion: was it this company's listing that closed, or the partner's?"""
    try:
        mine = await api(request, "GET", f"/{shown['side']}s/{shown['my_listing_id']}")
    except ApiProblem as problem:
        if isinstance(problem, ApiUnavailable):
            raise
        return
    if mine.get("status") == "closed":
        shown["state"] = "withdrawn_by_you"


@router.post("/my/suggestions/{match_id}/answer", dependencies=[Csrf])
async def answer(
    request: Request,
    match_id: uuid.UUID,
    answer: Annotated[str, Form(pattern="^(interested|declined)$")],
    side: Annotated[str, Form(pattern="^(offer|need)$")],
):
    scope = await scope_of(request)
    try:
        await api(
            request, "POST", f"/matches/{match_id}/respond", json={"answer": answer, "side": side}
        )
    except ApiProblem as problem:
        if isinstance(problem, ApiUnavailable) or problem.status not in (403, 404, 409):
            raise
        if problem.status in (403, 404):
            raise NotAllowed("not_yours") from None
        # Answered already, or withdrawn meanwhile: the page shows how it stands now.
        return see_other(
            scope.address("/my/suggestions", done="changed", match=str(match_id))
            + f"#match-{match_id}"
        )
    return see_other(
        scope.address("/my/suggestions", done=answer, match=str(match_id)) + f"#match-{match_id}"
    )
