"""Matching's HTTP routes (the gateway's upstream paths): decode, call a use case, encode."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from matching.adapters.repository import QueueFilter
from matching.domain.errors import FieldError, Forbidden, InvalidInput
from matching.domain.funnel import GROUPINGS
from matching.domain.match import STATUSES, SUGGESTED
from matching.domain.review import VERIFICATIONS
from matching.entrypoints.dependencies import CallerDep, MatcherDep, UowDep, viewer_of
from matching.entrypoints.schemas import (
    DECISION_ERRORS,
    INVALID,
    NOT_FOUND,
    NOT_NOW,
    NOT_YOURS,
    STAFF_ONLY,
    TOO_LARGE,
    UNAUTHORIZED,
    ApproveIn,
    CloseIn,
    Day,
    FunnelOut,
    ListingOut,
    MatchDetailOut,
    MatchOut,
    MatchPage,
    OutsideTheCalendar,
    RejectIn,
    RespondIn,
    StatsOut,
    StatsRow,
    day_within_the_calendar,
    moment_within_the_calendar,
)
from matching.service_layer import figures as figure_cases
from matching.service_layer import matches as use_cases
from matching.service_layer.matches import MatchView
from servicekit.problems import problem_responses

router = APIRouter(responses=problem_responses(UNAUTHORIZED))
Country = Annotated[str | None, Query(pattern=r"^(RU|BY)$")]


def _detail(view: MatchView) -> MatchDetailOut:
    return MatchDetailOut(
        **MatchOut.of(view.reviewed).model_dump(),
        offer=ListingOut.of(view.offer),
        need=ListingOut.of(view.need),
        history=view.history,
    )


def _page(items, total: int, offset: int, limit: int) -> MatchPage:
    next_cursor = str(offset + limit) if offset + limit < total else None
    return MatchPage(items=[MatchOut.of(m) for m in items], total=total, next_cursor=next_cursor)


def _moment(value: str | None, *, field: str, end: bool) -> datetime | None:
    """A bound of the created-at window: a date starts at its UTC midnight, or, as the end, includes
    its whole day (the window ends at the next midnight); a date-time is taken as it is."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = day_within_the_calendar(date.fromisoformat(value))
            return datetime.combine(day + timedelta(days=1) if end else day, time(), UTC)
        return moment_within_the_calendar(datetime.fromisoformat(value))
    except OutsideTheCalendar as error:
        raise InvalidInput([FieldError(field, str(error))]) from None
    except ValueError:
        raise InvalidInput(
            [FieldError(field, "must be an ISO date (YYYY-MM-DD) or date-time")]
        ) from None


@router.get("/matches", response_model=MatchPage, responses=problem_responses(INVALID))
async def review_queue(
    caller: CallerDep,
    uow: UowDep,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(STATUSES) + ")$")] = None,
    sector: str | None = None,
    offer_country: Country = None,
    need_country: Country = None,
    country_pair: Annotated[
        str | None, Query(pattern=r"^(RU|BY)-(RU|BY)$", description="offer-need, e.g. BY-RU")
    ] = None,
    region: str | None = None,
    min_score: Annotated[float | None, Query(ge=0, le=1)] = None,
    need_id: uuid.UUID | None = None,
    offer_id: uuid.UUID | None = None,
    enterprise_id: uuid.UUID | None = None,
    verification: Annotated[
        Literal[VERIFICATIONS] | None,
        Query(
            description="verified: both enterprises verified; unverified: at least one not "
            "verified (or not yet known)"
        ),
    ] = None,
    created_from: Annotated[
        str | None,
        Query(
            description="created at or after: an ISO date (from its UTC midnight) or date-time "
            "(UTC when without offset)"
        ),
    ] = None,
    created_until: Annotated[
        str | None,
        Query(
            description="created before: an ISO date includes that whole UTC day; a date-time "
            "is exclusive"
        ),
    ] = None,
    sort: Annotated[
        Literal["score", "age", "newest"],
        Query(description="score: highest first; age: oldest first; newest: newest first"),
    ] = "score",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,9}$")
    ] = None,  # an offset within what PostgreSQL takes
):
    if country_pair:
        offer_country, need_country = country_pair.split("-")
    created_after, created_before = (
        _moment(created_from, field="created_from", end=False),
        _moment(created_until, field="created_until", end=True),
    )
    if created_after and created_before and created_after >= created_before:
        raise InvalidInput([FieldError("created_until", "must be after created_from")])
    scope = (
        {}
        if caller.is_staff
        else {
            "statuses": tuple(sorted(SUGGESTED)),
            "enterprise_ids": tuple(uuid.UUID(e) for e in caller.enterprise_ids),
        }
    )
    where = QueueFilter(
        status=status,
        sector=sector,
        offer_country=offer_country,
        need_country=need_country,
        region=region,
        min_score=min_score,
        need_id=need_id,
        offer_id=offer_id,
        enterprise_id=enterprise_id,
        verification=verification,
        created_from=created_after,
        created_before=created_before,
        **scope,
    )
    offset = int(cursor or 0)
    items, total = await use_cases.get_page_of_matches(
        uow=uow, where=where, sort=sort, limit=limit, offset=offset
    )
    return _page(items, total, offset, limit)


@router.get(
    "/matches/{match_id}",
    response_model=MatchDetailOut,
    responses=problem_responses(NOT_FOUND, INVALID),
)
async def one_match(match_id: uuid.UUID, caller: CallerDep, uow: UowDep):
    return _detail(
        await use_cases.get_match_or_raise(uow=uow, match_id=match_id, viewer=viewer_of(caller))
    )


@router.post(
    "/matches/{match_id}/approve",
    response_model=MatchDetailOut,
    responses=problem_responses(*DECISION_ERRORS),
)
async def approve(
    match_id: uuid.UUID,
    caller: CallerDep,
    uow: UowDep,
    matcher: MatcherDep,
    body: ApproveIn | None = None,
):
    note = body.note if body else None
    return _detail(
        await use_cases.approve(
            uow=uow, match_id=match_id, viewer=viewer_of(caller), note=note, matcher=matcher
        )
    )


@router.post(
    "/matches/{match_id}/reject",
    response_model=MatchDetailOut,
    responses=problem_responses(*DECISION_ERRORS),
)
async def reject(
    match_id: uuid.UUID, body: RejectIn, caller: CallerDep, uow: UowDep, matcher: MatcherDep
):
    return _detail(
        await use_cases.reject(
            uow=uow,
            match_id=match_id,
            viewer=viewer_of(caller),
            reason=body.reason,
            matcher=matcher,
        )
    )


@router.post(
    "/matches/{match_id}/respond",
    response_model=MatchDetailOut,
    responses=problem_responses(NOT_YOURS, NOT_FOUND, NOT_NOW, TOO_LARGE, INVALID),
)
async def respond(match_id: uuid.UUID, body: RespondIn, caller: CallerDep, uow: UowDep):
    view = await use_cases.respond(
        uow=uow, match_id=match_id, viewer=viewer_of(caller), answer=body.answer, side=body.side
    )
    return _detail(view)


@router.post(
    "/matches/{match_id}/close",
    response_model=MatchDetailOut,
    responses=problem_responses(*DECISION_ERRORS),
)
async def close(match_id: uuid.UUID, body: CloseIn, caller: CallerDep, uow: UowDep):
    return _detail(
        await use_cases.close(
            uow=uow, match_id=match_id, viewer=viewer_of(caller), outcome=body.outcome
        )
    )


@router.get(
    "/enterprises/{enterprise_id}/suggestions",
    response_model=MatchPage,
    responses=problem_responses(
        (403, "An enterprise's suggestions are for that enterprise and the agency"), INVALID
    ),
)
async def suggestions(
    enterprise_id: uuid.UUID,
    caller: CallerDep,
    uow: UowDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,9}$")
    ] = None,  # an offset within what PostgreSQL takes
):
    offset = int(cursor or 0)
    items, total = await use_cases.get_page_of_suggestions(
        uow=uow, enterprise_id=enterprise_id, viewer=viewer_of(caller), limit=limit, offset=offset
    )
    return _page(items, total, offset, limit)


class FiguresOut(BaseModel):
    introductions: int  # matches ever introduced, those closed since included
    approved: int  # matches the agency ever approved


@router.get("/figures", response_model=FiguresOut)
async def public_figures(caller: CallerDep, uow: UowDep, response: Response):
    """The home page's figures, for anyone; a minute old at most is fine."""
    figures = await figure_cases.get_figures(uow=uow)
    response.headers["Cache-Control"] = "public, max-age=60"
    return FiguresOut(introductions=figures.introductions, approved=figures.approved)


@router.get("/stats", response_model=StatsOut, responses=problem_responses(STAFF_ONLY, INVALID))
async def stats(
    caller: CallerDep,
    uow: UowDep,
    group_by: Literal["sector", "region", "offer_region", "status", "country_pair"] = "sector",
    period: Literal["day", "week", "month"] | None = None,
):
    if not caller.is_staff:
        raise Forbidden("the pipeline statistics are for the investment agency")
    rows = await use_cases.get_stats(uow=uow, group_by=group_by, period=period)
    return StatsOut(group_by=group_by, period=period, items=[StatsRow(**row) for row in rows])


@router.get(
    "/stats/funnel", response_model=FunnelOut, responses=problem_responses(STAFF_ONLY, INVALID)
)
async def funnel(
    caller: CallerDep,
    uow: UowDep,
    date_from: Annotated[
        Day | None,
        Query(description="first day, inclusive (UTC); by default 90 days before date_to"),
    ] = None,
    date_to: Annotated[
        Day | None, Query(description="last day, inclusive (UTC); by default today")
    ] = None,
    group_by: Annotated[
        Literal[GROUPINGS],
        Query(
            description='none (one row "all"), sector, region_pair '
            '("<offer_region>→<need_region>"), country_pair '
            '("BY-RU", offer-need), week or month (keyed by the period\'s first day)'
        ),
    ] = "none",
):
    result = await use_cases.get_funnel(
        uow=uow,
        viewer=viewer_of(caller),
        date_from=date_from,
        date_to=date_to,
        group_by=group_by,
        today=datetime.now(UTC).date(),
    )
    return FunnelOut.of(result)
