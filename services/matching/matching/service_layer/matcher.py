"""The matcher the use cases share: the in-memory index with the settings it applies, kept in step
with the listings table.

A catch-up inside a transaction that writes listings files them before they are committed (the
transaction sees its own writes). When that transaction does not commit (PostgreSQL stopped under
it, a rule refused the event), the index would keep listings the table does not hold, and a later
proposal would point at one that does not exist: so those listings are read again from the table
at the next catch-up, and filed as it holds them, or forgotten."""

from __future__ import annotations

import gc
import uuid
from dataclasses import dataclass, field

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
    # Listings filed from a transaction that then did not commit, to be read again.
    unconfirmed: set[uuid.UUID] = field(default_factory=set)

    async def catch_up(self, *, uow: UnitOfWork) -> int:
        """Files every listing written since the last look (by this instance or another one). The
        first look reads the whole table and files it in bulk (`MatchIndex.put_all`: postings
        inverted at once, the garbage collector paused while the listings are read and filed)."""
        uow.on_rollback(self._distrust_written)
        await self._confirm(uow=uow)
        if self.seen_change == 0:
            return await self._build(uow=uow)
        count = 0
        async for change_number, listing in uow.listings.get_all_changed_since(self.seen_change):
            self.index.put(listing)
            self.seen_change = max(self.seen_change, change_number)
            count += 1
        return count

    def _distrust_written(self, uow: UnitOfWork) -> None:
        self.unconfirmed |= uow.listings.written

    async def _confirm(self, *, uow: UnitOfWork) -> None:
        """Files the unconfirmed listings as the table holds them, and forgets those it does not."""
        if not self.unconfirmed:
            return
        asked = set(self.unconfirmed)
        stored = await uow.listings.get_by_ids(asked)
        for listing_id in asked:
            if listing_id in stored:
                self.index.put(stored[listing_id])
            else:
                self.index.remove(listing_id)
        self.unconfirmed -= asked

    async def _build(self, *, uow: UnitOfWork) -> int:
        collecting = gc.isenabled()
        # a million listings read: collections walking the growing heap would make it quadratic
        gc.disable()
        try:
            changes = [change async for change in uow.listings.get_all_changed_since(0)]
        finally:
            if collecting:
                gc.enable()
        self.index.put_all(listing for _, listing in changes)
        self.seen_change = max((change_number for change_number, _ in changes), default=0)
        return len(changes)

    def best_partners(self, listing: Listing, *, beyond: int = 0) -> list[Candidate]:
        """The best K partners, best first, and `beyond` more after them (for when some are already
        paired with the listing or hold K proposed matches themselves)."""
        return self.index.match(listing, threshold=self.threshold, limit=self.limit + beyond)

    def best_partners_many(
        self, listings: list[Listing], *, workers: int = 1
    ) -> list[list[Candidate]]:
        """`best_partners` of each listing, found together (a re-match), in `workers` processes:
        the same partners and scores."""
        return self.index.match_many(
            listings, threshold=self.threshold, limit=self.limit, workers=workers
        )

    def score_pair(
        self, listing: Listing, partner_id: uuid.UUID, *, stored: Listing | None = None
    ) -> Score | None:
        """`stored`: the partner as the database holds it, scored when this instance has not filed
        it yet (another instance wrote it after this one's last catch-up): a pair is not taken for
        one that no longer scores only because this index lags."""
        partner = self.index.get(partner_id)
        if partner is None and stored is not None and stored.is_active:
            partner = self.index.profile(stored)
        if partner is None or not listing.may_pair_with(partner.listing):
            return None
        own = self.index.profile(listing)
        offer, need = (own, partner) if listing.side == "offer" else (partner, own)
        return self.index.scorer.score(offer, need, self.index.weights)
