"""Matching forgets a deleted enterprise's name and its listings' texts, even when a listing's close
(on registry.listings) reaches it after the deletion (on registry.enterprises): the two topics keep
no order between them."""

from __future__ import annotations

import asyncio
import time
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from eventkit.contracts import EnterpriseDeleted, ListingClosed
from tests.integration.matching_events import (
    announce,
    enterprise_profile,
    envelope_of,
    lift_offer,
    publish,
    series,
)


async def _stored(platform, listing_id: uuid.UUID) -> dict | None:
    engine = create_async_engine(platform.database_url("matching"))
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT l.enterprise_name, l.title, l.description, l.status, "
                    "l.enterprise_status, e.name AS known_name "
                    "FROM listings l LEFT JOIN enterprises e ON e.id = l.enterprise_id WHERE "
                    "l.id = :id"
                ),
                {"id": listing_id},
            )
        ).first()
    await engine.dispose()
    return dict(row._mapping) if row else None


async def _wait_for(platform, listing_id: uuid.UUID, ready) -> dict | None:
    deadline = time.monotonic() + 30
    stored = await _stored(platform, listing_id)
    while not (stored and ready(stored)) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        stored = await _stored(platform, listing_id)
    return stored


async def test_a_close_read_after_the_deletion_brings_no_text_back(platform, kafka_producer):
    offer = lift_offer(series())
    await announce(kafka_producer, enterprise_profile(offer))
    await publish(kafka_producer, envelope_of(offer))
    assert (
        await _wait_for(
            platform, offer.listing_id, lambda row: row["enterprise_status"] == "verified"
        )
    )["title"] == offer.title

    await announce(kafka_producer, EnterpriseDeleted(enterprise_id=offer.enterprise_id))
    erased = await _wait_for(
        platform, offer.listing_id, lambda row: row["enterprise_status"] == "deleted"
    )
    assert erased == {
        "enterprise_name": "",
        "title": "",
        "description": "",
        "status": "active",
        "enterprise_status": "deleted",
        "known_name": "",
    }

    late_close = ListingClosed(
        **offer.model_dump()
        | {"status": "closed", "version": 2, "closed_because": "enterprise_deleted"}
    )
    await publish(kafka_producer, envelope_of(late_close))
    closed = await _wait_for(platform, offer.listing_id, lambda row: row["status"] == "closed")
    assert closed == {
        "enterprise_name": "",
        "title": "",
        "description": "",
        "status": "closed",
        "enterprise_status": "deleted",
        "known_name": "",
    }
