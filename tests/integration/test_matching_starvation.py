"""No starvation: a supplier already holding K unreviewed proposals is skipped for a new need, and
reconsidered as soon as one of its proposals is reviewed or withdrawn: in that same request (or
event) its best waiting pair is proposed, without anyone running `rematch`. The limit holds when
two instances make room for the same partner at once.

The matching service's own use cases and handlers on a real PostgreSQL database of their own."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from eventkit.contracts import ListingClosed, ListingReopened, ListingSnapshot, envelope_for
from matching.__main__ import alembic_config
from matching.adapters.orm import match_history, matches
from matching.bootstrap import build_matcher
from matching.config import Settings
from matching.service_layer import handlers
from matching.service_layer import matches as use_cases
from matching.service_layer.matcher import Matcher
from matching.service_layer.unit_of_work import UnitOfWork
from tests.identifiers import fresh_marker
from tests.integration.matching_events import (
    enterprise_profile,
    envelope_of,
    lift_need,
    lift_offer,
)
from tests.integration.scratch_sql import migrated_sessions

K = 2
REVIEWER = use_cases.Viewer(actor="reviewer-1", is_staff=True, enterprise_ids=frozenset())


@pytest.fixture
async def sessions(scratch_database):
    config = alembic_config(scratch_database)
    async with migrated_sessions(scratch_database, config, pool_size=10) as sessions:
        yield sessions


def an_instance() -> Matcher:
    """One matching instance's matcher (its own in-memory index), with K proposed matches at most
    per listing."""
    return build_matcher(Settings(internal_token_secret="s" * 32, max_proposed_per_listing=K))


@dataclass
class Matching:
    """One matching instance: registry events in, the agency's reviews, and what the tables hold."""

    sessions: async_sessionmaker
    matcher: Matcher

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    async def publish(self, *listings: ListingSnapshot) -> None:
        """Each listing's enterprise verified (matching pairs only those), then the listing, as the
        registry announces them."""
        for listing in listings:
            profile = enterprise_profile(listing)
            await handlers.apply_registry_event(
                envelope_for(profile, key=str(profile.enterprise_id), producer="registry"),
                profile,
                uow=self.uow(),
                matcher=self.matcher,
            )
            await handlers.apply_registry_event(
                envelope_of(listing), listing, uow=self.uow(), matcher=self.matcher
            )

    async def close(self, listing: ListingSnapshot) -> None:
        closed = ListingClosed(
            **listing.model_dump() | {"status": "closed", "version": listing.version + 1}
        )
        await handlers.apply_registry_event(
            envelope_of(closed), closed, uow=self.uow(), matcher=self.matcher
        )

    async def reject(self, match_id: uuid.UUID) -> None:
        await use_cases.reject(
            uow=self.uow(),
            match_id=match_id,
            viewer=REVIEWER,
            reason="the buyer has a supplier",
            matcher=self.matcher,
        )

    async def approve(self, match_id: uuid.UUID) -> None:
        await use_cases.approve(
            uow=self.uow(), match_id=match_id, viewer=REVIEWER, note=None, matcher=self.matcher
        )

    async def pairs(self, listing: ListingSnapshot) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
        """The listing's matches: partner listing id -> (match id, status)."""
        lid = listing.listing_id
        async with self.sessions() as session:
            rows = await session.execute(
                select(matches.c.id, matches.c.offer_id, matches.c.need_id, matches.c.status).where(
                    (matches.c.offer_id == lid) | (matches.c.need_id == lid)
                )
            )
            return {
                (r.need_id if r.offer_id == lid else r.offer_id): (r.id, r.status) for r in rows
            }

    async def proposed(self, listing: ListingSnapshot) -> set[uuid.UUID]:
        return {
            partner
            for partner, (_, status) in (await self.pairs(listing)).items()
            if status == "proposed"
        }


@pytest.fixture
def matching(sessions) -> Matching:
    return Matching(sessions, an_instance())


def series() -> str:
    """One test's lift series: its listings pair with each other (the database is the test's
    own)."""
    return f"серия {fresh_marker(8)}"


def far_need(tag: str) -> ListingSnapshot:
    """A buyer of the same lifts, but far from the supplier and without the certificate the others
    ask for: it scores lower."""
    return lift_need(tag, enterprise_region="moscow", enterprise_city="Москва", certifications=[])


async def a_supplier_at_capacity(
    matching: Matching, tag: str
) -> tuple[ListingSnapshot, list[ListingSnapshot]]:
    supplier = lift_offer(tag)
    first_buyers = [lift_need(tag) for _ in range(K)]
    await matching.publish(supplier, *first_buyers)
    assert await matching.proposed(supplier) == {b.listing_id for b in first_buyers}
    return supplier, first_buyers


async def a_buyer_waiting_for_a_full_supplier(matching) -> tuple:
    """A supplier at capacity (with its first buyers), and a buyer as good that waits for room."""
    tag = series()
    supplier, first_buyers = await a_supplier_at_capacity(matching, tag)
    waiting = lift_need(tag)
    await matching.publish(waiting)
    assert supplier.listing_id not in await matching.pairs(waiting)
    return supplier, first_buyers, waiting


async def test_a_rejection_proposes_the_suppliers_best_waiting_buyer_in_the_same_request(matching):
    tag = series()
    supplier, first_buyers = await a_supplier_at_capacity(matching, tag)
    weaker, best = far_need(tag), lift_need(tag)
    await matching.publish(weaker, best)
    assert supplier.listing_id not in await matching.pairs(best), (
        "the supplier holds K unreviewed proposals: the new buyer waits"
    )
    assert supplier.listing_id not in await matching.pairs(weaker)
    scores = {
        n.listing_id: matching.matcher.score_pair(
            handlers.listing_from(supplier), n.listing_id
        ).value
        for n in (weaker, best)
    }
    assert scores[best.listing_id] > scores[weaker.listing_id] >= matching.matcher.threshold

    rejected_id, _ = (await matching.pairs(supplier))[first_buyers[0].listing_id]
    await matching.reject(rejected_id)

    assert await matching.proposed(supplier) == {first_buyers[1].listing_id, best.listing_id}, (
        "the best waiting buyer, and only it"
    )
    assert (await matching.pairs(supplier))[first_buyers[0].listing_id][1] == "rejected"
    assert supplier.listing_id not in await matching.pairs(weaker)


async def test_an_approval_makes_room_too(matching):
    supplier, first_buyers, waiting = await a_buyer_waiting_for_a_full_supplier(matching)

    approved_id, _ = (await matching.pairs(supplier))[first_buyers[0].listing_id]
    await matching.approve(approved_id)

    assert await matching.proposed(supplier) == {first_buyers[1].listing_id, waiting.listing_id}
    assert (await matching.pairs(supplier))[first_buyers[0].listing_id][1] == "approved"


async def test_a_buyer_closing_its_need_lets_the_waiting_buyer_be_proposed(matching):
    supplier, first_buyers, waiting = await a_buyer_waiting_for_a_full_supplier(matching)

    await matching.close(first_buyers[0])

    assert (await matching.pairs(supplier))[first_buyers[0].listing_id][1] == "withdrawn"
    assert await matching.proposed(supplier) == {first_buyers[1].listing_id, waiting.listing_id}


async def test_a_better_buyer_arriving_later_takes_the_place_of_a_full_suppliers_weakest_proposal(
    matching,
):
    tag = series()
    supplier = lift_offer(tag)
    far_buyers = [far_need(tag) for _ in range(K)]
    await matching.publish(
        supplier, *far_buyers
    )  # the supplier holds K proposals, both with far buyers
    near_buyer = lift_need(tag)

    await matching.publish(near_buyer)

    pairs = await matching.pairs(supplier)
    assert pairs[near_buyer.listing_id][1] == "proposed"
    assert sorted(pairs[b.listing_id][1] for b in far_buyers) == ["proposed", "withdrawn"]
    assert len(await matching.proposed(supplier)) == K
    [displaced_id] = [match_id for match_id, status in pairs.values() if status == "withdrawn"]
    async with matching.sessions() as session:
        notes = (
            (
                await session.execute(
                    select(match_history.c.note).where(
                        match_history.c.match_id == displaced_id,
                        match_history.c.to_status == "withdrawn",
                    )
                )
            )
            .scalars()
            .all()
        )
    assert notes == ["a partner that scores higher was proposed instead"]


async def test_a_buyer_that_scores_no_higher_waits_for_a_full_supplier(matching):
    supplier, first_buyers = await a_supplier_at_capacity(matching, tag := series())
    later = lift_need(tag)  # as good as the first ones, not better

    await matching.publish(later)

    assert await matching.proposed(supplier) == {b.listing_id for b in first_buyers}


async def test_a_reopened_need_waits_for_a_full_supplier_and_its_pair_comes_back_when_room_is_made(
    matching,
):
    tag = series()
    supplier, (returning, staying) = await a_supplier_at_capacity(matching, tag)
    waiting = lift_need(tag)
    await matching.publish(waiting)
    await matching.close(returning)  # its pair is withdrawn, and the waiting buyer takes the room
    assert await matching.proposed(supplier) == {staying.listing_id, waiting.listing_id}
    earlier_id, _ = (await matching.pairs(supplier))[returning.listing_id]

    reopened = ListingReopened(
        **returning.model_dump() | {"status": "active", "version": returning.version + 2}
    )
    await handlers.apply_registry_event(
        envelope_of(reopened), reopened, uow=matching.uow(), matcher=matching.matcher
    )
    assert await matching.proposed(supplier) == {staying.listing_id, waiting.listing_id}, (
        "the supplier stays within K"
    )
    assert (await matching.pairs(supplier))[returning.listing_id] == (earlier_id, "withdrawn")

    rejected_id, _ = (await matching.pairs(supplier))[waiting.listing_id]
    await matching.reject(rejected_id)

    assert await matching.proposed(supplier) == {staying.listing_id, returning.listing_id}
    assert (await matching.pairs(supplier))[returning.listing_id] == (earlier_id, "proposed"), (
        "the same pair, proposed again"
    )


async def test_two_instances_making_room_for_the_same_buyer_at_once_keep_it_within_k(sessions):
    """Two suppliers at capacity, each with one proposal rejected at the same moment on another
    instance; both would take the same waiting buyer, who has room for one more proposal only."""
    first, second = Matching(sessions, an_instance()), Matching(sessions, an_instance())
    tag = series()
    # All three suppliers are as far away; the other one makes the lifts the buyer asks for and the
    # early buyers do not, so it is the buyer's best and no better than the two for the early
    # buyers.
    supplier_a, supplier_b = (
        lift_offer(tag, enterprise_region="brest_oblast", enterprise_city="Брест") for _ in range(2)
    )
    other_supplier = lift_offer(
        tag, enterprise_region="brest_oblast", enterprise_city="Брест", product_codes=["8428900000"]
    )
    early = [lift_need(tag) for _ in range(K)]
    buyer = lift_need(tag, product_codes=["842890"])
    await first.publish(supplier_a, supplier_b)
    await second.publish(*early)  # both suppliers now hold K proposals: the early buyers
    await first.publish(other_supplier)  # the early buyers hold K each: it waits
    await second.publish(buyer)  # both suppliers are full: the buyer gets the other supplier only
    assert (
        await first.proposed(supplier_a)
        == await first.proposed(supplier_b)
        == {e.listing_id for e in early}
    )
    assert await first.proposed(buyer) == {other_supplier.listing_id}

    a_match, _ = (await first.pairs(supplier_a))[early[0].listing_id]
    b_match, _ = (await first.pairs(supplier_b))[early[1].listing_id]
    await asyncio.gather(first.reject(a_match), second.reject(b_match))

    buyers_suppliers = await first.proposed(buyer)
    assert len(buyers_suppliers) == K and other_supplier.listing_id in buyers_suppliers
    assert len(buyers_suppliers & {supplier_a.listing_id, supplier_b.listing_id}) == 1
    for listing in (supplier_a, supplier_b, other_supplier, buyer, *early):
        assert len(await first.proposed(listing)) <= K
