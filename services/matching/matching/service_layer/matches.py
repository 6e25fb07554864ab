"""The review and suggestion use cases: each opens a unit of work, asks the domain, writes the
match's events to the outbox and commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from functools import partial

from matching.adapters.repository import QueueFilter, is_deadlock
from matching.domain.errors import Forbidden, NotFound
from matching.domain.funnel import Funnel, FunnelRange, arranged
from matching.domain.listing import Listing
from matching.domain.match import PROPOSED, SUGGESTED, Match, side_owned_by
from matching.domain.review import ReviewedMatch
from matching.service_layer.events import publish_transitions
from matching.service_layer.matcher import Matcher
from matching.service_layer.reconcile import Waiting, propose_waiting, reconcile, waiting_pairs
from matching.service_layer.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Viewer:
    """Who asks, as the use cases need to know it."""

    actor: str
    is_staff: bool
    enterprise_ids: frozenset[str]

    def may_see(self, match: Match) -> bool:
        if self.is_staff:
            return True
        own = {str(match.offer_enterprise_id), str(match.need_enterprise_id)} & self.enterprise_ids
        return bool(own) and match.status in SUGGESTED


@dataclass(frozen=True)
class MatchView:
    reviewed: ReviewedMatch
    offer: Listing
    need: Listing
    history: list[dict]

    @property
    def match(self) -> Match:
        return self.reviewed.match


async def get_match_or_raise(*, uow: UnitOfWork, match_id: uuid.UUID, viewer: Viewer) -> MatchView:
    async with uow:
        reviewed = await uow.matches.get_reviewed(match_id)
        if reviewed is None or not viewer.may_see(reviewed.match):
            raise NotFound(
                "match", match_id
            )  # a company is not told that other companies' matches exist
        match = reviewed.match
        listings = await uow.listings.get_by_ids([match.offer_id, match.need_id])
        return MatchView(
            reviewed,
            listings[match.offer_id],
            listings[match.need_id],
            await uow.matches.get_history(match_id),
        )


async def _transition(
    *, uow: UnitOfWork, match_id: uuid.UUID, viewer: Viewer, change, matcher: Matcher | None = None
) -> MatchView:
    """With the matcher (a review): the match leaves the proposed ones, so both its listings have
    room again and propose their best waiting pairs in this same transaction. Run again when
    PostgreSQL broke a deadlock with a consumer proposing for the same listings."""
    for attempt in range(1, 4):
        try:
            return await _transition_once(
                uow=uow, match_id=match_id, viewer=viewer, change=change, matcher=matcher
            )
        except Exception as error:
            if attempt == 3 or not is_deadlock(error):
                raise
    raise AssertionError("unreachable")


async def _transition_once(
    *, uow: UnitOfWork, match_id: uuid.UUID, viewer: Viewer, change, matcher: Matcher | None
) -> MatchView:
    async with uow:
        waiting = (
            await _waiting_behind(match_id=match_id, uow=uow, matcher=matcher)
            if matcher is not None
            else None
        )
        match = await uow.matches.get(match_id, for_update=True)
        if match is None or not (viewer.is_staff or viewer.may_see(match)):
            raise NotFound("match", match_id)
        change(match)
        listings = await uow.listings.get_by_ids([match.offer_id, match.need_id])
        offer, need = listings[match.offer_id], listings[match.need_id]
        await uow.matches.save(match)
        await publish_transitions(match=match, offer=offer, need=need, uow=uow)
        if waiting is not None:
            await propose_waiting(waiting=waiting, uow=uow, matcher=matcher)
        history = await uow.matches.get_history(match_id)
        reviewed = await uow.matches.get_reviewed(match_id)
        await uow.commit()
    return MatchView(reviewed, offer, need, history)


async def _waiting_behind(
    *, match_id: uuid.UUID, uow: UnitOfWork, matcher: Matcher
) -> Waiting | None:
    """The best waiting pairs of a proposed match's two listings, their proposal counts locked
    before the match is (the order every proposing transaction follows)."""
    match = await uow.matches.get(match_id)
    if match is None or match.status != PROPOSED:
        return None  # nothing leaves the proposed ones (the transition refuses, or it is not found)
    await matcher.catch_up(uow=uow)
    return await waiting_pairs(
        listing_ids=[match.offer_id, match.need_id], uow=uow, matcher=matcher
    )


def _staff_only(viewer: Viewer, action: str, what: str = "a match") -> None:
    if not viewer.is_staff:
        raise Forbidden(f"only the investment agency may {action} {what}")


async def _staff_decision(
    action: str,
    *,
    uow: UnitOfWork,
    match_id: uuid.UUID,
    viewer: Viewer,
    change,
    matcher: Matcher | None = None,
) -> MatchView:
    _staff_only(viewer, action)
    return await _transition(
        uow=uow, match_id=match_id, viewer=viewer, change=change, matcher=matcher
    )


async def approve(
    *,
    uow: UnitOfWork,
    match_id: uuid.UUID,
    viewer: Viewer,
    note: str | None,
    matcher: Matcher | None = None,
) -> MatchView:
    """The agency sends a proposed match to both companies, with an optional note."""
    change = partial(Match.approve, actor=viewer.actor, note=note)
    return await _staff_decision(
        "approve", uow=uow, match_id=match_id, viewer=viewer, change=change, matcher=matcher
    )


async def reject(
    *,
    uow: UnitOfWork,
    match_id: uuid.UUID,
    viewer: Viewer,
    reason: str,
    matcher: Matcher | None = None,
) -> MatchView:
    """The agency keeps a proposed match from the companies, saying why."""
    change = partial(Match.reject, actor=viewer.actor, reason=reason)
    return await _staff_decision(
        "reject", uow=uow, match_id=match_id, viewer=viewer, change=change, matcher=matcher
    )


async def close(*, uow: UnitOfWork, match_id: uuid.UUID, viewer: Viewer, outcome: str) -> MatchView:
    """The agency records how an introduction ended."""
    change = partial(Match.close, actor=viewer.actor, outcome=outcome)
    return await _staff_decision("close", uow=uow, match_id=match_id, viewer=viewer, change=change)


async def respond(
    *, uow: UnitOfWork, match_id: uuid.UUID, viewer: Viewer, answer: str, side: str | None
) -> MatchView:
    def change(match: Match) -> None:
        answering = side_owned_by(match, viewer.enterprise_ids, side)
        match.respond(side=answering, answer=answer, actor=viewer.actor)

    return await _transition(uow=uow, match_id=match_id, viewer=viewer, change=change)


async def get_page_of_matches(
    *, uow: UnitOfWork, where: QueueFilter, sort: str, limit: int, offset: int
) -> tuple[list[ReviewedMatch], int]:
    async with uow:
        return await uow.matches.get_page(where, sort=sort, limit=limit, offset=offset)


async def get_page_of_suggestions(
    *, uow: UnitOfWork, enterprise_id: uuid.UUID, viewer: Viewer, limit: int, offset: int
) -> tuple[list[ReviewedMatch], int]:
    if not (viewer.is_staff or str(enterprise_id) in viewer.enterprise_ids):
        raise Forbidden("an enterprise's suggestions are for that enterprise only")
    where = QueueFilter(
        enterprise_id=enterprise_id,
        statuses=tuple(sorted(SUGGESTED)),
        with_withdrawn_after_approval=True,
    )
    return await get_page_of_matches(uow=uow, where=where, sort="score", limit=limit, offset=offset)


async def get_stats(*, uow: UnitOfWork, group_by: str, period: str | None) -> list[dict]:
    async with uow:
        return await uow.matches.get_stats(group_by=group_by, period=period)


async def get_funnel(
    *,
    uow: UnitOfWork,
    viewer: Viewer,
    date_from: date | None,
    date_to: date | None,
    group_by: str,
    today: date,
) -> Funnel:
    """How many matches reached each stage in the range (by default the last 90 days up to
    today)."""
    _staff_only(viewer, "see", "the funnel")
    funnel_range = FunnelRange.of(date_from=date_from, date_to=date_to, today=today)
    async with uow:
        rows = await uow.matches.get_funnel(funnel_range, group_by=group_by)
    return Funnel(
        funnel_range, group_by, arranged(rows, group_by=group_by, funnel_range=funnel_range)
    )


async def rebuild_funnel(*, uow: UnitOfWork) -> int:
    """The funnel's roll-up derived again from the matches' history, in one transaction."""
    async with uow:
        rows = await uow.matches.rebuild_funnel()
        await uow.commit()
    return rows


async def rematch_all(*, uow_factory, matcher: Matcher, batch: int = 200, workers: int = 1) -> int:
    """Re-scores every active need against the offers (after the weights or the taxonomy changed):
    new pairs are proposed, open ones re-scored or withdrawn. One transaction per batch of needs;
    each batch's partners are found together, in `workers` processes (forked from this one)."""
    async with uow_factory() as uow:
        await matcher.catch_up(uow=uow)
    needs = matcher.index.listings("need")
    try:
        for start in range(0, len(needs), batch):
            # The best partners of the batch's needs are found together (the index does not change
            # meanwhile).
            best = matcher.best_partners_many(needs[start : start + batch], workers=workers)
            async with uow_factory() as uow:
                for need, partners in zip(needs[start : start + batch], best, strict=True):
                    await reconcile(listing=need, uow=uow, matcher=matcher, best=partners)
                await uow.commit()
    finally:
        # a failed batch (a deadlock, say) leaves no forked worker behind
        matcher.index.close_workers()
    # The gate holds here too: a listing of an enterprise not verified (or closed) is in no
    # candidate list, and the open matches it still holds (say, proposed before the gate) are
    # withdrawn.
    async with uow_factory() as uow:
        paused = await uow.listings.get_all_paused_with_open_matches()
    for start in range(0, len(paused), batch):
        async with uow_factory() as uow:
            for listing in paused[start : start + batch]:
                await reconcile(listing=listing, uow=uow, matcher=matcher)
            await uow.commit()
    return len(needs)
