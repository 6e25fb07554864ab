"""Brings one listing's matches in line with its current text and the listings on the other side:
new partners are proposed, open matches re-scored, and those that no longer hold withdrawn."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from matching.domain.index import Candidate
from matching.domain.listing import Listing, platform_today
from matching.domain.match import APPROVED, PROPOSED, WITHDRAWN, Match, weakest_outscored_by
from matching.domain.scoring import Score
from matching.service_layer.events import publish_transitions
from matching.service_layer.matcher import Matcher
from matching.service_layer.unit_of_work import UnitOfWork


def _partner_of(match: Match, listing: Listing) -> uuid.UUID:
    return match.need_id if listing.side == "offer" else match.offer_id


def _score_fields(score: Score) -> dict:
    return {
        "score": score.value,
        "components": score.components,
        "reasons_ru": score.reasons_ru,
        "reasons_en": score.reasons_en,
        "reasons_be": score.reasons_be,
    }


async def reconcile(
    *,
    listing: Listing,
    uow: UnitOfWork,
    matcher: Matcher,
    today: date | None = None,
    best: list[Candidate] | None = None,
) -> list[Match]:
    """`best`: the listing's `matcher.best_partners`, when they were computed beforehand (a re-match
    computes them for a batch of listings at once)."""
    today = today or platform_today()
    # A listing whose valid_until has passed is proposed to no one and gets no one, even before the
    # registry's close of it arrives (that close then withdraws its open matches as expired).
    live = listing.is_active and not listing.expired_on(today)
    if live and best is None:
        best = matcher.best_partners(listing)
    candidates = {c.listing.id: c for c in best if not c.listing.expired_on(today)} if live else {}
    # Before its matches are read and counted: no other instance proposes for it or its partners
    # meanwhile.
    await uow.matches.lock_proposal_counts([listing.id, *candidates])
    existing = {
        _partner_of(m, listing): m
        for m in await uow.matches.get_all_by_listing_for_update(listing.id)
    }
    stored = await uow.listings.get_by_ids({*candidates, *existing})
    candidates = {c.listing.id: c for c in _held_by_the_table(candidates.values(), stored)}
    partners = {pid: c.listing for pid, c in candidates.items()}
    partners |= {pid: stored[pid] for pid in existing if pid not in partners and pid in stored}
    touched: list[Match] = []
    counts = await uow.matches.get_proposed_counts_by_listings(candidates)
    proposed = sum(1 for m in existing.values() if m.status == PROPOSED)
    displaced: list[Match] = []
    for partner_id, match in _best_first(existing, candidates):
        candidate = candidates.get(partner_id)
        if candidate is not None:
            if match.is_open:
                match.rescore(**_score_fields(candidate.score))
                touched.append(match)
            elif match.status == WITHDRAWN and proposed < matcher.limit:
                # A reopened listing's (or re-verified enterprise's) pairs come back within K, best
                # first: a full partner gives up a weaker proposal for one; the rest wait for room.
                if counts.get(partner_id, 0) >= matcher.limit:
                    weaker = await _displaced_by(
                        candidate.score.value, partner=partners[partner_id], uow=uow
                    )
                    if weaker is None:
                        continue
                    displaced.append(weaker)
                match.repropose(**_score_fields(candidate.score))
                proposed += 1
                touched.append(match)
        elif match.is_open:
            if _kept_while_rechecked(match, listing, partners.get(partner_id)):
                continue
            stored = partners.get(partner_id)
            score = matcher.score_pair(listing, partner_id, stored=stored) if live else None
            if score is None or score.value < matcher.threshold:
                ended = _ended_by(listing, partners.get(partner_id))
                match.withdraw(
                    reason=_why_withdrawn(ended, today=today),
                    cause=_withdrawal_cause(ended, today=today),
                    side=ended.side,
                )
            else:
                match.rescore(**_score_fields(score))
            touched.append(match)
    new = [pid for pid in candidates if pid not in existing]  # best first
    proposed = sum(1 for m in existing.values() if m.status == PROPOSED)
    created: list[Match] = []
    for partner_id in new:
        if proposed >= matcher.limit:
            break
        if counts.get(partner_id, 0) >= matcher.limit:
            weaker = await _displaced_by(
                candidates[partner_id].score.value, partner=partners[partner_id], uow=uow
            )
            if weaker is None:
                continue
            displaced.append(weaker)
        proposed += 1
        partner = partners[partner_id]
        offer, need = (listing, partner) if listing.side == "offer" else (partner, listing)
        created.append(
            Match.propose(
                offer_id=offer.id,
                need_id=need.id,
                offer_enterprise_id=offer.enterprise_id,
                need_enterprise_id=need.enterprise_id,
                **_score_fields(candidates[partner_id].score),
            )
        )
    for match in created:
        await _store(match, listing, partners, uow=uow, new=True)
    # A partner whose proposed match is withdrawn here has room again: its best waiting pairs below,
    # which may displace weaker ones as any better pair does; a partner that was displaced gets its
    # own, without displacing further (one step, not a cascade).
    withdrawn_from = [
        pid
        for pid, m in existing.items()
        if any(t.from_status == PROPOSED and t.to_status == WITHDRAWN for t in m.pending)
    ]
    displaced_from = [m.need_id if listing.side == "need" else m.offer_id for m in displaced]
    for match in touched:
        await _store(match, listing, partners, uow=uow, new=False)
    created += await _fill_room(withdrawn_from, uow=uow, matcher=matcher, displacing=True)
    created += await _fill_room(displaced_from, uow=uow, matcher=matcher, displacing=False)
    return created + touched


@dataclass(frozen=True)
class Waiting:
    """Listings that may hold fewer than K proposed matches, each with its best partners, best
    first."""

    partners: dict[uuid.UUID, tuple[Listing, list[Candidate]]]


async def waiting_pairs(
    *, listing_ids: Iterable[uuid.UUID], uow: UnitOfWork, matcher: Matcher
) -> Waiting:
    """The best partners of these listings (the active ones), looked up deep enough to pass the
    partners they already have a match with and some at capacity, and the locks on all their
    proposal counts, taken in one ordered batch (call it before locking any match)."""
    today = platform_today()
    listings = [
        listing
        for listing in (await uow.listings.get_by_ids(listing_ids)).values()
        if listing.is_active and not listing.expired_on(today)
    ]
    paired = await uow.matches.get_partner_ids_by_listings(listing.id for listing in listings)
    best = {
        listing.id: [
            c
            for c in matcher.best_partners(listing, beyond=len(paired[listing.id]) + matcher.limit)
            if not c.listing.expired_on(today)
        ]
        for listing in listings
    }
    stored = await uow.listings.get_by_ids({c.listing.id for found in best.values() for c in found})
    found = {
        listing.id: (listing, _held_by_the_table(best[listing.id], stored)) for listing in listings
    }
    await uow.matches.lock_proposal_counts(
        [*found, *(c.listing.id for _, best in found.values() for c in best)]
    )
    return Waiting(found)


async def propose_waiting(
    *, waiting: Waiting, uow: UnitOfWork, matcher: Matcher, displacing: bool = True
) -> list[Match]:
    """Each listing below K proposed matches gets its best partners until it has K: a partner it
    has no match with, or one whose pair was withdrawn (a listing reopened while the other side was
    full) and scores again; a pair rejected or answered is not offered again. A partner holding K
    gives up its weakest unreviewed proposal to a pair that scores higher, as it does for a new
    listing; the listing that pair leaves has room and gets its own best waiting pairs, without
    displacing any further (`displacing=False`: one step, not a cascade). In the unit of work that
    called `waiting_pairs`, after the transition that made room."""
    every = {
        *waiting.partners,
        *(c.listing.id for _, best in waiting.partners.values() for c in best),
    }
    counts = await uow.matches.get_proposed_counts_by_listings(every)
    paired = await uow.matches.get_partner_ids_by_listings(waiting.partners)
    withdrawn = await uow.matches.get_withdrawn_by_listings(waiting.partners)
    created: list[Match] = []
    left_with_room: list[uuid.UUID] = []
    for listing_id in sorted(waiting.partners):
        listing, best = waiting.partners[listing_id]
        for candidate in best:
            if counts.get(listing_id, 0) >= matcher.limit:
                break
            partner = candidate.listing
            earlier = withdrawn.pop((listing_id, partner.id), None)
            if partner.id in paired[listing_id] and earlier is None:
                continue
            if counts.get(partner.id, 0) >= matcher.limit:
                weaker = (
                    await _displaced_by(candidate.score.value, partner=partner, uow=uow)
                    if displacing
                    else None
                )
                if weaker is None:
                    continue
                left = _partner_of(weaker, partner)
                counts[partner.id] -= 1
                if left in counts:
                    counts[left] -= 1
                left_with_room.append(left)
            if earlier is not None:
                withdrawn.pop((partner.id, listing_id), None)
                earlier.repropose(**_score_fields(candidate.score))
                await _store(earlier, listing, {partner.id: partner}, uow=uow, new=False)
                created.append(earlier)
            else:
                offer, need = (listing, partner) if listing.side == "offer" else (partner, listing)
                match = Match.propose(
                    offer_id=offer.id,
                    need_id=need.id,
                    offer_enterprise_id=offer.enterprise_id,
                    need_enterprise_id=need.enterprise_id,
                    **_score_fields(candidate.score),
                )
                await _store(match, listing, {partner.id: partner}, uow=uow, new=True)
                created.append(match)
            for one, other in ((listing_id, partner.id), (partner.id, listing_id)):
                counts[one] = counts.get(one, 0) + 1
                paired.setdefault(one, set()).add(other)
    created += await _fill_room(left_with_room, uow=uow, matcher=matcher, displacing=False)
    return created


async def _fill_room(
    listing_ids: list[uuid.UUID], *, uow: UnitOfWork, matcher: Matcher, displacing: bool
) -> list[Match]:
    """The best waiting pairs of listings that have just got room."""
    if not listing_ids:
        return []
    return await propose_waiting(
        waiting=await waiting_pairs(listing_ids=listing_ids, uow=uow, matcher=matcher),
        uow=uow,
        matcher=matcher,
        displacing=displacing,
    )


async def _displaced_by(score: float, *, partner: Listing, uow: UnitOfWork) -> Match | None:
    """A partner holding K proposals gives up its weakest unreviewed one to a new listing that
    scores higher with it: a better pair is never kept from the agency by one that merely came
    first. The weaker pair's other listing has room again (its best waiting pairs are proposed
    after)."""
    weakest = weakest_outscored_by(
        score, await uow.matches.get_all_by_listing_for_update(partner.id)
    )
    if weakest is None:
        return None
    weakest = await uow.matches.get(
        weakest.id, for_update=True
    )  # a reviewer may have just taken it up
    if weakest is None or weakest.status != PROPOSED:
        return None
    weakest.withdraw(
        reason="a partner that scores higher was proposed instead",
        cause="displaced",
        side=partner.side,
    )
    other_id = _partner_of(weakest, partner)
    other = await uow.listings.get(other_id)
    await _store(weakest, partner, {other_id: other}, uow=uow, new=False)
    return weakest


def _held_by_the_table(
    candidates: Iterable[Candidate], stored: dict[uuid.UUID, Listing]
) -> list[Candidate]:
    """The candidates this transaction sees in the listings table, best first. The index is shared
    by the process: it may hold a listing that another of its transactions wrote and has not
    committed (that transaction's catch-up filed it), and a pair pointing at it could not be
    stored. That listing's own reconcile proposes its pairs once it is committed."""
    return [c for c in candidates if c.listing.id in stored]


def _best_first(
    existing: dict[uuid.UUID, Match], candidates: dict[uuid.UUID, Candidate]
) -> list[tuple[uuid.UUID, Match]]:
    """The listing's matches, those with its best partners first (in `candidates`' order), so that
    pairs coming back take the room best first."""
    rank = {partner_id: place for place, partner_id in enumerate(candidates)}
    return sorted(existing.items(), key=lambda item: rank.get(item[0], len(rank)))


def _kept_while_rechecked(match: Match, listing: Listing, partner: Listing | None) -> bool:
    """An enterprise sent back to pending (its identity was edited) withdraws its proposed pairs
    only: a suggestion the agency approved and the companies were sent outlives the re-check (a
    suspension, if the re-check fails, ends it)."""
    if match.status != APPROVED or listing.status != "active" or listing.enterprise_suspended:
        return False
    return listing.awaits_verification or (partner is not None and partner.awaits_verification)


def _ended_by(listing: Listing, partner: Listing | None) -> Listing:
    """The side whose listing or enterprise ends the pair: this listing, unless it is live and the
    partner's enterprise awaits the agency."""
    if (
        listing.is_active
        and partner is not None
        and partner.status == "active"
        and partner.awaits_verification
    ):
        return partner
    return listing


def _why_withdrawn(listing: Listing, *, today: date | None = None) -> str:
    if listing.enterprise_suspended:
        return f"the enterprise behind the {listing.side} was suspended"
    if listing.expired_on(today or platform_today()):
        return f"the {listing.side} expired: it was valid until {listing.valid_until.isoformat()}"
    if listing.status != "active":
        return f"the {listing.side} was closed"
    if listing.awaits_verification:
        return f"the enterprise behind the {listing.side} awaits the agency's verification"
    return "the pair no longer scores"


def _withdrawal_cause(listing: Listing, *, today: date | None = None) -> str:
    if listing.enterprise_suspended:
        return "enterprise_suspended"
    if listing.expired_on(today or platform_today()):
        return "listing_expired"
    if listing.status != "active":
        return "listing_closed"
    if listing.awaits_verification:
        return "enterprise_unverified"
    return "no_longer_scores"


async def _store(
    match: Match,
    listing: Listing,
    partners: dict[uuid.UUID, Listing],
    *,
    uow: UnitOfWork,
    new: bool,
) -> None:
    partner = partners[_partner_of(match, listing)]
    offer, need = (listing, partner) if listing.side == "offer" else (partner, listing)
    if new:
        await uow.matches.add(match, offer=offer, need=need)
    else:
        await uow.matches.save(match)
    await publish_transitions(match=match, offer=offer, need=need, uow=uow)
