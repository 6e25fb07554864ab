"""The matcher the use cases share: the in-memory index with the settings it applies, kept in step
with the listings table."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from matching.domain.index import Candidate, MatchIndex
from matching.domain.listing import Listing
from matching.domain.scoring import Score
from matching.service_layer.unit_of_work import UnitOfWork


@dataclass
class Matcher:
    index: MatchIndex
    threshold: float
    limit: int  # at most this many proposed matches per listing
    seen_change: int = 0

    async def catch_up(self, *, uow: UnitOfWork) -> int:
        """Files every listing written since the last look (by this instance or another one)."""
        count = 0
        async for change_number, listing in uow.listings.changed_since(self.seen_change):
            self.index.put(listing)
            self.seen_change = max(self.seen_change, change_number)
            count += 1
        return count

    def best_partners(self, listing: Listing, *, beyond: int = 0) -> list[Candidate]:
        """The best K partners, best first, and `beyond` more after them (for when some are already
        paired with the listing or hold K proposed matches themselves)."""
        return self.index.match(listing, threshold=self.threshold, limit=self.limit + beyond)

    def score_pair(self, listing: Listing, partner_id: uuid.UUID) -> Score | None:
        partner = self.index.get(partner_id)
        if partner is None or not listing.may_pair_with(partner.listing):
            return None
        own = self.index.profile(listing)
        offer, need = (own, partner) if listing.side == "offer" else (partner, own)
        return self.index.scorer.score(offer, need, self.index.weights)
