"""A match's transitions as events on matching.matches, keyed by the need's enterprise."""

from __future__ import annotations

from eventkit import topics
from eventkit.contracts import MatchSide, current_contract, envelope_for
from matching.domain.listing import Listing
from matching.domain.match import Match
from matching.service_layer.unit_of_work import UnitOfWork

# What every event of a match says of its score, as the match names it.
_SCORED = ("score", "reasons_ru", "reasons_en", "reasons_be")


def _side(listing: Listing) -> MatchSide:
    return MatchSide(
        listing_id=listing.id,
        enterprise_id=listing.enterprise_id,
        enterprise_name=listing.enterprise_name,
        title=listing.title,
    )


async def publish_transitions(
    *, match: Match, offer: Listing, need: Listing, uow: UnitOfWork
) -> None:
    """Writes one outbox row per transition the match went through in this unit of work."""
    for transition in match.pending:
        answered = transition.side if transition.event_type == "match.responded" else None
        payload = current_contract(transition.event_type)(
            match_id=match.id,
            offer=_side(offer),
            need=_side(need),
            **{name: getattr(match, name) for name in _SCORED},
            status=transition.to_status,
            actor=transition.actor,
            answered_by_side=answered,
            answer=getattr(match, f"{answered}_answer") if answered else None,
            note=transition.note,
            occurred_at=transition.at,
            previous_status=transition.from_status,
            withdrawn_because=transition.cause,
            withdrawn_side=transition.side if transition.event_type == "match.withdrawn" else None,
        )
        envelope = envelope_for(payload, key=str(need.enterprise_id), producer="matching")
        await uow.outbox.add(envelope, topic=topics.MATCHES)
    match.pending.clear()
