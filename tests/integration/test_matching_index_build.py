"""A starting matching instance files the whole listings table into its index at once (the bulk
build, with the garbage collector paused), then keeps up one listing at a time, and finds the same
partners as an index filled one listing at a time."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import replace

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from matching.__main__ import alembic_config
from matching.bootstrap import build_matcher
from matching.config import Settings
from matching.service_layer.handlers import listing_from
from matching.service_layer.unit_of_work import UnitOfWork
from tests.identifiers import fresh_marker
from tests.integration.test_matching_several_instances import SECTORS, listing_event


@pytest.fixture
async def database(scratch_database):
    await asyncio.to_thread(command.upgrade, alembic_config(scratch_database), "head")
    engine = create_async_engine(scratch_database, pool_size=5)
    yield async_sessionmaker(engine, expire_on_commit=False), engine
    await engine.dispose()


async def test_a_starting_instance_files_the_whole_table_at_once_then_keeps_up_listing_by_listing(
    database,
):
    sessions, engine = database
    tag = f"партия {fresh_marker(6)}"
    listings = [
        listing_from(listing_event(side, sector, tag))
        for sector in SECTORS
        for side in ("offer", "need", "need")
    ]
    closed = replace(listing_from(listing_event("offer", "flax", tag)), status="closed")
    async with UnitOfWork(sessions) as uow:
        for listing in [*listings, closed]:
            await uow.listings.put(listing)
        await uow.commit()
    async with engine.connect() as connection:
        last_change = (
            await connection.execute(text("SELECT max(change_number) FROM listings"))
        ).scalar_one()

    starting = build_matcher(Settings(internal_token_secret="s" * 32))
    async with UnitOfWork(sessions) as uow:
        read = await starting.catch_up(uow=uow)

    assert read == len(listings) + 1 and starting.seen_change == last_change
    assert (
        len(starting.index) == len(listings) and closed.id not in starting.index
    )  # a closed listing is read, not filed
    assert gc.isenabled(), "the collector runs again after the build"
    # The same partners, with the same scores, as an index filled one listing at a time.
    one_by_one = build_matcher(Settings(internal_token_secret="s" * 32))
    for listing in listings:
        one_by_one.index.put(listing)
    for need in (listing for listing in listings if listing.side == "need"):
        bulk = [(c.listing.id, c.score.value) for c in starting.best_partners(need)]
        assert bulk == [(c.listing.id, c.score.value) for c in one_by_one.best_partners(need)]
        assert bulk and all(partner_id in starting.index for partner_id, _ in bulk)

    newcomer = listing_from(listing_event("need", "flax", tag))
    async with UnitOfWork(sessions) as uow:
        await uow.listings.put(newcomer)
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        assert await starting.catch_up(uow=uow) == 1  # after the build: only what changed since
    flax_offer = next(
        listing for listing in listings if listing.sector == "flax" and listing.side == "offer"
    )
    assert newcomer.id in starting.index and starting.seen_change > last_change
    assert [c.listing.id for c in starting.best_partners(newcomer)] == [flax_offer.id]
