"""A transaction that writes a listing files it in the index before its commit. When that commit
never happens (PostgreSQL stopped under it), the index must not keep what the table does not hold:
found in a fault run, an approval then proposed a pair with an offer that did not exist and failed
with a foreign-key violation (a 500) until the event was read again."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from matching.bootstrap import build_matcher
from matching.config import Settings
from matching.service_layer.handlers import listing_from
from matching.service_layer.reconcile import reconcile
from matching.service_layer.unit_of_work import UnitOfWork
from tests.integration.test_matching_several_instances import (  # noqa: F401  (fixture)
    database,
    listing_event,
)


class CommitLost(Exception):
    """Stands for the database going away before the transaction's commit."""


async def test_a_listing_whose_transaction_never_committed_is_never_proposed(database):
    _, engine = database
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    matcher = build_matcher(Settings(internal_token_secret="s" * 32))
    tag = f"партия {uuid.uuid4().hex[:6]}"
    phantom_offer, need = (listing_from(listing_event(s, "flax", tag)) for s in ("offer", "need"))

    with pytest.raises(CommitLost):
        async with UnitOfWork(sessions) as uow:
            await uow.listings.put(phantom_offer)
            await matcher.catch_up(uow=uow)
            assert phantom_offer.id in matcher.index  # filed from the transaction's own write
            raise CommitLost

    async with UnitOfWork(sessions) as uow:  # the need arrives: its best partner would be the offer
        await uow.listings.put(need)
        await matcher.catch_up(uow=uow)
        proposed = await reconcile(listing=need, uow=uow, matcher=matcher)
        await uow.commit()

    assert phantom_offer.id not in matcher.index
    assert proposed == []


async def test_a_listing_changed_by_a_transaction_that_never_committed_is_filed_as_stored(database):
    _, engine = database
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    matcher = build_matcher(Settings(internal_token_secret="s" * 32))
    tag = f"партия {uuid.uuid4().hex[:6]}"
    offer, need = (listing_from(listing_event(s, "flax", tag)) for s in ("offer", "need"))
    async with UnitOfWork(sessions) as uow:
        await uow.listings.put(offer)
        await matcher.catch_up(uow=uow)
        await uow.commit()

    closed = replace(offer, status="closed", version=offer.version + 1)
    with pytest.raises(CommitLost):
        async with UnitOfWork(sessions) as uow:
            await uow.listings.put(closed)
            await matcher.catch_up(uow=uow)
            assert offer.id not in matcher.index  # a closed listing is matched no more
            raise CommitLost

    async with UnitOfWork(sessions) as uow:  # the offer is still open in the table: it pairs
        await uow.listings.put(need)
        await matcher.catch_up(uow=uow)
        [proposed] = await reconcile(listing=need, uow=uow, matcher=matcher)
        await uow.commit()

    assert matcher.index.get(offer.id).listing.status == "active"  # filed again, as stored
    assert (proposed.offer_id, proposed.need_id) == (offer.id, need.id)
