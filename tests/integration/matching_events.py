"""What the matching integration stories share: the listings and profiles they publish to the
real Kafka and waiting for what matching stores (the producer and the matching API client are
fixtures of tests/integration/conftest.py)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from dataclasses import fields
from datetime import UTC, datetime

import httpx

from devstack.stack import ROOT
from eventkit import topics
from eventkit.contracts import (
    EnterpriseProfile,
    EnterpriseUpdated,
    EnterpriseVerified,
    ListingPublished,
    ListingSnapshot,
    envelope_for,
)
from eventkit.envelope import Envelope
from matching.domain.listing import Listing
from tests.identifiers import fresh_marker
from tests.matching_listings import housing_need, lift_maker


def series() -> str:
    """A model series named only by one test's pair, so earlier tests' lift makers do not outrank
    it."""
    return f"серия {fresh_marker(8)}"


def lift_offer(series: str = "", **changes) -> ListingPublished:
    """The story's lift maker's offer with an enterprise of its own, `series` in its description
    and the lift certificate held by the enterprise rather than asked of the listing."""
    offer = lift_maker(
        legal_id=str(uuid.uuid4().int)[:9],
        description=f"Производим и монтируем пассажирские лифты для жилых домов {series}",
        certifications=(),
        enterprise_certifications=("ТР ТС 011/2011",),
    )
    return published(offer, **changes)


def lift_need(series: str = "", **changes) -> ListingPublished:
    """The story's housing need with an enterprise of its own and `series` in its description."""
    need = housing_need(
        legal_id=str(uuid.uuid4().int)[:10],
        description=f"Требуются пассажирские лифты с монтажом {series}",
    )
    return published(need, **changes)


def published(listing: Listing, **changes) -> ListingPublished:
    """`listing` as the registry publishes it: the enterprise's facts under their event names."""
    kept = ListingSnapshot.model_fields.keys() & {field.name for field in fields(listing)}
    shared = {name: getattr(listing, name) for name in kept}
    enterprise = {f"enterprise_{name}": getattr(listing, name) for name in _ENTERPRISE_FACTS}
    return ListingPublished(listing_id=listing.id, **shared | enterprise | changes)


_ENTERPRISE_FACTS = ("country", "region", "city", "legal_id", "languages")


def envelope_of(payload) -> Envelope:
    return envelope_for(payload, key=str(payload.enterprise_id), producer="registry")


async def publish(producer, *envelopes: Envelope | bytes) -> None:
    for item in envelopes:
        raw = item if isinstance(item, bytes) else item.to_bytes()
        key = b"k" if isinstance(item, bytes) else item.key.encode()
        await producer.send_and_wait(topics.LISTINGS, raw, key=key)


def enterprise_profile(
    listing: ListingSnapshot, *, status: str = "verified", kind=EnterpriseUpdated, **changes
) -> EnterpriseProfile:
    """The profile of the enterprise behind a listing, as the registry announces it on
    `registry.enterprises` in an event of `kind` (updated, suspended, reinstated...)."""
    carried = {
        name: getattr(listing, f"enterprise_{name}") for name in ("name", *_ENTERPRISE_FACTS)
    }
    values = carried | dict(
        enterprise_id=listing.enterprise_id,
        sectors=[listing.sector],
        languages=list(listing.enterprise_languages) or ["ru"],
        contact_person="Анна Иванова",
        email=f"contact-{listing.enterprise_id.hex[:8]}@example.org",
        status=status,
    )
    return kind(**values | changes)


def verified_by_agency(listing: ListingSnapshot) -> EnterpriseVerified:
    """The agency's verification of the enterprise behind a listing."""
    return EnterpriseVerified(
        enterprise_id=listing.enterprise_id,
        name=listing.enterprise_name,
        email="ok@example.org",
        languages=["ru"],
        verified_by="reviewer-1",
        verified_at=datetime.now(UTC),
    )


async def announce(producer, *profiles) -> None:
    """Publishes enterprise events (profiles, verifications...) to `registry.enterprises`, keyed by
    the enterprise."""
    for payload in profiles:
        envelope = envelope_for(payload, key=str(payload.enterprise_id), producer="registry")
        await producer.send_and_wait(
            topics.ENTERPRISES, envelope.to_bytes(), key=envelope.key.encode()
        )


async def verify(producer, *listings: ListingSnapshot) -> None:
    """Makes matching know the enterprises behind these listings as verified (matching pairs only
    listings of verified enterprises): one verified profile per enterprise."""
    seen: set[uuid.UUID] = set()
    for listing in listings:
        if listing.enterprise_id not in seen:
            seen.add(listing.enterprise_id)
            await announce(producer, enterprise_profile(listing))


async def publish_verified(producer, *listings: ListingSnapshot) -> None:
    """The listings' enterprises verified, then the listings published, in this order."""
    await verify(producer, *listings)
    await publish(producer, *(envelope_of(listing) for listing in listings))


def pair_of(offer: ListingSnapshot, need: ListingSnapshot) -> dict[str, str]:
    """The `/matches` filter on the match between `offer` and `need`."""
    return {"offer_id": str(offer.listing_id), "need_id": str(need.listing_id)}


async def matches_page(api: httpx.AsyncClient, **params) -> dict:
    """One page of `/matches` as `api` reads it, filtered by `params`."""
    return (await api.get("/matches", params=params)).json()


async def wait_for_matches(
    api: httpx.AsyncClient, *, timeout: float = 60, expect=lambda page: page["total"] > 0, **params
) -> dict:
    """The first page of matches that meets `expect`, or the last one read when `timeout` (sized for
    a busy machine) has passed: the caller's assertions then say what was missing."""
    deadline = time.monotonic() + timeout
    while True:
        page = await matches_page(api, **params)
        if expect(page) or time.monotonic() > deadline:
            return page
        await asyncio.sleep(0.1)


async def proposed_pair(
    producer, api: httpx.AsyncClient
) -> tuple[dict, ListingPublished, ListingPublished]:
    """A lift offer and need of one test's own series, their enterprises verified, and the match
    matching proposed for them (as `api` reads it)."""
    tag = series()
    offer, need = lift_offer(tag), lift_need(tag)
    await publish_verified(producer, offer, need)
    page = await wait_for_matches(api, **pair_of(offer, need))
    return page["items"][0], offer, need


async def run_matching(platform, command: str, **environment: str) -> subprocess.CompletedProcess:
    """`python -m matching <command>` against the running platform's database and Kafka, with
    `environment` over the service's settings."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "matching", command],
        env={**os.environ, **platform.service_env("matching"), **environment},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def wait_until_stored(
    database_url: str, *listing_ids: uuid.UUID, timeout: float = 20
) -> list:
    """The listings as the matching service stored them (with their matches, in one transaction)."""
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import create_async_engine

    from matching.adapters.orm import listings

    engine = create_async_engine(database_url)
    try:
        deadline = time.monotonic() + timeout
        while True:
            async with engine.connect() as connection:
                rows = (
                    await connection.execute(select(listings).where(listings.c.id.in_(listing_ids)))
                ).all()
            if len(rows) == len(listing_ids) or time.monotonic() > deadline:
                return rows
            await asyncio.sleep(0.1)
    finally:
        await engine.dispose()
