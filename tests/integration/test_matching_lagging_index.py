"""An instance whose in-memory index is a step behind the database keeps the pairs other instances
proposed meanwhile: a partner it has not filed yet is scored from the database, not taken for a
pair that no longer scores.

Between an instance's catch-up and its read of a listing's matches, another instance may commit a
new partner with its proposed pair (the proposal-count locks are taken after the catch-up and wait
for that commit). The stale instance must not withdraw the pair it cannot see in its index."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from matching.bootstrap import build_matcher
from matching.config import Settings
from matching.service_layer.handlers import listing_from
from matching.service_layer.reconcile import reconcile
from matching.service_layer.unit_of_work import UnitOfWork
from tests.identifiers import fresh_marker
from tests.integration.test_matching_several_instances import (  # noqa: F401  (fixture)
    database,
    listing_event,
)


async def test_a_pair_proposed_by_another_instance_outlives_a_lagging_index(database):
    _, engine = database
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    lagging, current = (build_matcher(Settings(internal_token_secret="s" * 32)) for _ in "ab")
    tag = f"партия {fresh_marker(6)}"
    offer, need = (listing_from(listing_event(side, "flax", tag)) for side in ("offer", "need"))

    async with UnitOfWork(sessions) as uow:
        await uow.listings.put(need)
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        await lagging.catch_up(uow=uow)  # it files the need, then looks no more for a while
    async with UnitOfWork(sessions) as uow:  # another instance files the offer and pairs them
        await uow.listings.put(offer)
        await current.catch_up(uow=uow)
        [proposed] = await reconcile(listing=offer, uow=uow, matcher=current)
        await uow.commit()
    assert proposed.status == "proposed" and proposed.need_id == need.id

    edited = replace(need, description=f"{need.description} (уточнено)", version=2)
    async with UnitOfWork(sessions) as uow:  # the lagging one applies the need's edit
        await uow.listings.put(edited)
        touched = await reconcile(listing=edited, uow=uow, matcher=lagging)
        await uow.commit()

    async with engine.connect() as connection:
        history = await connection.execute(
            text("SELECT event_type FROM match_history WHERE match_id = :id ORDER BY id"),
            {"id": proposed.id},
        )
        assert history.scalars().all() == ["match.proposed"], (
            "the pair still scores: its partner is only not filed yet, so it is neither withdrawn"
            " nor proposed again"
        )
    assert [m.id for m in touched] == [proposed.id]
