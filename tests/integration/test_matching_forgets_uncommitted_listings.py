"""A transaction that writes a listing files it in the index before its commit. When that commit
never happens (PostgreSQL stopped under it), the index must not keep what the table does not hold:
found in a fault run, an approval then proposed a pair with an offer that did not exist and failed
with a foreign-key violation (a 500) until the event was read again. And while that commit has not
happened yet, the process's other transactions (an approval, another partition's consumer) must
not pair with the listing either: found again in a fault run, as the same violation."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from matching.bootstrap import build_matcher
from matching.config import Settings
from matching.domain.listing import Listing
from matching.domain.match import Match
from matching.service_layer.handlers import listing_from
from matching.service_layer.matcher import Matcher
from matching.service_layer.reconcile import propose_waiting, reconcile, waiting_pairs
from matching.service_layer.unit_of_work import UnitOfWork
from tests.identifiers import fresh_marker
from tests.integration.test_matching_several_instances import (  # noqa: F401  (fixture)
    database,
    listing_event,
)


class CommitLost(Exception):
    """Stands for the database going away before the transaction's commit."""


@dataclass
class Flax:
    """A matcher on the test's database, and an offer and a need that pair."""

    sessions: async_sessionmaker
    matcher: Matcher
    offer: Listing
    need: Listing

    async def written_but_never_committed(self, listing: Listing) -> None:
        """A transaction writes the listing and catches up (filing it), then ends without its
        commit."""
        with pytest.raises(CommitLost):
            async with UnitOfWork(self.sessions) as uow:
                await uow.listings.put(listing)
                await self.matcher.catch_up(uow=uow)
                raise CommitLost

    async def committed(self, listing: Listing) -> list[Match]:
        """Writes the listing as the consumer does, and returns the pairs it proposed."""
        async with UnitOfWork(self.sessions) as uow:
            await uow.listings.put(listing)
            await self.matcher.catch_up(uow=uow)
            proposed = await reconcile(listing=listing, uow=uow, matcher=self.matcher)
            await uow.commit()
        return proposed


@pytest.fixture
def flax(database) -> Flax:
    _, engine = database
    tag = f"партия {fresh_marker(6)}"
    offer, need = (listing_from(listing_event(s, "flax", tag)) for s in ("offer", "need"))
    return Flax(
        sessions=async_sessionmaker(engine, expire_on_commit=False),
        matcher=build_matcher(Settings(internal_token_secret="s" * 32)),
        offer=offer,
        need=need,
    )


async def test_a_listing_whose_transaction_never_committed_is_never_proposed(flax: Flax):
    await flax.written_but_never_committed(flax.offer)
    assert flax.offer.id in flax.matcher.index  # filed from the transaction's own write

    proposed = await flax.committed(flax.need)  # its best partner would be the offer

    assert flax.offer.id not in flax.matcher.index
    assert proposed == []


async def test_a_listing_changed_by_a_transaction_that_never_committed_is_filed_as_stored(
    flax: Flax,
):
    assert await flax.committed(flax.offer) == []  # no need yet
    closed = replace(flax.offer, status="closed", version=flax.offer.version + 1)
    await flax.written_but_never_committed(closed)
    assert flax.offer.id not in flax.matcher.index  # filed closed, so matched no more

    [proposed] = await flax.committed(flax.need)  # the offer is still open in the table: it pairs

    assert flax.matcher.index.get(flax.offer.id).listing.status == "active"  # filed as stored
    assert (proposed.offer_id, proposed.need_id) == (flax.offer.id, flax.need.id)


async def test_room_given_while_a_partner_is_not_committed_yet_pairs_with_it_only_once_it_is(
    flax: Flax,
):
    """The need has room (a reviewer has just decided one of its pairs) while the offer's event is
    being applied: the reviewer's transaction looks for the need's waiting pairs and finds the offer
    in the index, not in the table."""
    assert await flax.committed(flax.need) == []  # nothing to pair with yet
    async with UnitOfWork(flax.sessions) as writing:  # the offer's event
        await writing.listings.put(flax.offer)
        await flax.matcher.catch_up(uow=writing)
        assert flax.offer.id in flax.matcher.index  # filed, not yet committed

        async with UnitOfWork(flax.sessions) as reviewing:  # the room the review gave the need
            waiting = await waiting_pairs(
                listing_ids=[flax.need.id], uow=reviewing, matcher=flax.matcher
            )
            meanwhile = await propose_waiting(waiting=waiting, uow=reviewing, matcher=flax.matcher)
            await reviewing.commit()

        [proposed] = await reconcile(listing=flax.offer, uow=writing, matcher=flax.matcher)
        await writing.commit()

    assert meanwhile == []  # the offer was not in the table it could see: no pair, no error
    assert (proposed.offer_id, proposed.need_id) == (flax.offer.id, flax.need.id)
