"""Revision 0006 rewrote the units of the listings already there to their codes without an event, so
matching kept the old text («шт./год» against «шт.»: quantities not compared). After upgrading, the
operator runs `python -m registry republish-listings --all --include-closed`: the outbox holds one
`listing.changed` per listing with its code and its same version, and once matching applies them its
read model holds the codes and the supplier's capacity is weighed against the buyer's need.

The registry's revisions and command on a PostgreSQL database of their own; matching's handlers on
another, fed the outbox's events as the relay would deliver them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import date

import pytest
from alembic import command
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from devstack.stack import ROOT
from eventkit.contracts import ListingPublished, decode, envelope_for
from matching.__main__ import alembic_config as matching_alembic_config
from matching.adapters.orm import listings as matching_listings
from matching.adapters.orm import matches
from matching.bootstrap import build_matcher
from matching.config import Settings as MatchingSettings
from matching.service_layer import handlers
from matching.service_layer.unit_of_work import UnitOfWork as MatchingUnitOfWork
from registry.__main__ import alembic_config as registry_alembic_config
from registry.adapters.orm import enterprises, listings
from registry.domain.errors import NotFound
from registry.service_layer import events
from registry.service_layer.republish import republish_listings
from registry.service_layer.unit_of_work import UnitOfWork
from tests.integration.matching_events import enterprise_profile
from tests.integration.registry_forms import outbox_events
from tests.integration.scratch_sql import migrated_sessions


@pytest.fixture
async def registry_at_0005(scratch_database):
    """The registry's database as it stood before the unit vocabulary."""
    config = registry_alembic_config(scratch_database)
    async with migrated_sessions(scratch_database, config, "0005") as sessions:
        yield scratch_database, sessions


@pytest.fixture
async def matching_sessions(infra):
    name = f"scratch_{uuid.uuid4().hex[:10]}"
    infra.postgres.create_databases([name])
    url = infra.database_url(name)
    async with migrated_sessions(url, matching_alembic_config(url)) as sessions:
        yield sessions
    infra.postgres.drop_database(name)


def an_enterprise(
    name: str, country: str, region: str, city: str, legal_id: str, **changes
) -> dict:
    return (
        dict(
            id=uuid.uuid4(),
            name=name,
            country=country,
            region=region,
            city=city,
            legal_id=legal_id,
            inn=legal_id if country == "RU" else None,
            unp=legal_id if country == "BY" else None,
            sectors=["elevators"],
            description="",
            languages=["ru"],
            size="large",
            certifications=["ТР ТС 011/2011"],
            contact_person="Иван Петров",
            email=f"sales-{legal_id}@example.org",
            personal_data_consent=True,
            status="verified",
            version=1,
        )
        | changes
    )


def a_listing(
    enterprise: dict,
    side: str,
    *,
    unit: str,
    quantity: float,
    status: str = "active",
    version: int = 1,
) -> dict:
    titles = {
        "offer": "Пассажирские лифты грузоподъёмностью 400–1000 кг",
        "need": "Замена пассажирских лифтов в многоквартирных домах",
    }
    return dict(
        id=uuid.uuid4(),
        enterprise_id=enterprise["id"],
        side=side,
        kind="goods",
        title=titles[side],
        description="Пассажирские лифты с монтажом для жилых домов",
        sector="elevators",
        product_codes=["842810"],
        quantity=quantity,
        unit=unit,
        regions=[],
        certifications=["ТР ТС 011/2011"],
        valid_until=date(2030, 12, 31),
        status=status,
        version=version,
        closed_because="closed_by_owner" if status == "closed" else None,
    )


class Registry:
    def __init__(self, url: str, sessions: async_sessionmaker) -> None:
        self.url, self.sessions = url, sessions

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    async def insert(self, table, *rows: dict) -> None:
        async with self.sessions() as session:
            await session.execute(insert(table), list(rows))
            await session.commit()

    async def mark_deleted(self, enterprise: dict) -> None:
        """The enterprise as its deletion leaves it (its listings closed apart)."""
        async with self.sessions() as session:
            await session.execute(
                update(enterprises)
                .where(enterprises.c.id == enterprise["id"])
                .values(deleted_at=date(2026, 11, 1))
            )
            await session.commit()

    async def snapshot(self, listing: dict) -> ListingPublished:
        """The listing as the registry announced it when it was published (the same code path as
        every change)."""
        async with self.uow() as uow:
            stored = await uow.listings.get(listing["id"], side=listing["side"])
            enterprise = await uow.enterprises.get(listing["enterprise_id"])
        return decode(events.listing_snapshot(ListingPublished, stored, enterprise).to_bytes())[1]

    async def listing_events(self) -> list:
        return await outbox_events(self.sessions, topic="registry.listings")

    def run(self, *arguments: str) -> subprocess.CompletedProcess:
        env = os.environ | {
            "REGISTRY_DATABASE_URL": self.url,
            "REGISTRY_INTERNAL_TOKEN_SECRET": "s" * 32,
        }
        return subprocess.run(
            [sys.executable, "-m", "registry", *arguments],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )


class Matching:
    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions
        self.matcher = build_matcher(MatchingSettings(internal_token_secret="s" * 32))

    async def apply(self, envelope, payload) -> None:
        await handlers.apply_registry_event(
            envelope, payload, uow=MatchingUnitOfWork(self.sessions), matcher=self.matcher
        )

    async def verified(self, snapshot) -> None:
        profile = enterprise_profile(snapshot)
        await self.apply(
            envelope_for(profile, key=str(profile.enterprise_id), producer="registry"), profile
        )

    async def units(self) -> dict[uuid.UUID, tuple[str, int]]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(
                    matching_listings.c.id, matching_listings.c.unit, matching_listings.c.version
                )
            )
        return {row.id: (row.unit, row.version) for row in rows}

    async def reasons_of_pair(self, offer: dict, need: dict) -> list[str]:
        async with self.sessions() as session:
            return await session.scalar(
                select(matches.c.reasons_ru).where(
                    matches.c.offer_id == offer["id"], matches.c.need_id == need["id"]
                )
            )


@pytest.fixture
def registry(registry_at_0005) -> Registry:
    return Registry(*registry_at_0005)


async def test_after_revision_0006_republishing_gives_matching_the_unit_codes(
    registry, matching_sessions
):
    supplier = an_enterprise("ОАО «Могилёвлифтмаш»", "BY", "mogilev_oblast", "Могилёв", "700068951")
    buyer = an_enterprise(
        "ООО «Смоленская управляющая компания»", "RU", "smolensk_oblast", "Смоленск", "6731000007"
    )
    gone = an_enterprise("ООО «Закрылись»", "RU", "smolensk_oblast", "Смоленск", "6731000015")
    capacity = a_listing(supplier, "offer", unit="шт./год", quantity=2500, version=2)
    need = a_listing(buyer, "need", unit="шт.", quantity=1500)
    old_offer = a_listing(supplier, "offer", unit="т/мес.", quantity=3, status="closed", version=4)
    deleted_ones = a_listing(gone, "offer", unit="шт.", quantity=10, status="closed", version=2)
    await registry.insert(enterprises, supplier, buyer, gone)
    await registry.insert(listings, capacity, need, old_offer, deleted_ones)
    await registry.mark_deleted(gone)

    # Matching got the listings as they were published, units as the companies wrote them.
    matching = Matching(matching_sessions)
    for listing in (capacity, need, old_offer):
        snapshot = await registry.snapshot(listing)
        await matching.verified(snapshot)
        await matching.apply(
            envelope_for(snapshot, key=str(snapshot.enterprise_id), producer="registry"), snapshot
        )
    assert (await matching.units())[capacity["id"]] == ("шт./год", 2)
    assert not any(
        "покрывает" in reason for reason in await matching.reasons_of_pair(capacity, need)
    )

    await asyncio.to_thread(
        command.upgrade, registry_alembic_config(registry.url), "head"
    )  # 0006: units become codes
    assert await registry.listing_events() == []  # ...and nobody was told

    done = await asyncio.to_thread(registry.run, "republish-listings", "--all", "--include-closed")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"republished": 3}
    announced = await registry.listing_events()
    assert sorted(
        (e.type, p.listing_id, p.unit, p.version, p.status) for e, p in announced
    ) == sorted(
        [
            ("listing.changed", capacity["id"], "pcs/year", 2, "active"),
            ("listing.changed", need["id"], "pcs", 1, "active"),
            ("listing.changed", old_offer["id"], "t/month", 4, "closed"),
        ]
    )  # the deleted enterprise's listing was closed with its enterprise: not announced again
    assert all(e.key == str(p.enterprise_id) for e, p in announced)

    for envelope, payload in announced:
        await matching.apply(envelope, payload)

    held = await matching.units()
    assert {held[capacity["id"]], held[need["id"]], held[old_offer["id"]]} == {
        ("pcs/year", 2),
        ("pcs", 1),
        ("t/month", 4),
    }
    assert any(
        reason.startswith("мощность 2500 шт./год покрывает потребность 1500 шт.")
        for reason in await matching.reasons_of_pair(capacity, need)
    )


async def test_by_default_only_active_listings_are_announced_and_one_enterprise_may_be_chosen(
    registry,
):
    await asyncio.to_thread(command.upgrade, registry_alembic_config(registry.url), "head")
    supplier = an_enterprise("ОАО «Могилёвлифтмаш»", "BY", "mogilev_oblast", "Могилёв", "700068951")
    other = an_enterprise("ОАО «Брестлифт»", "BY", "brest_oblast", "Брест", "200000001")
    active = [a_listing(supplier, "offer", unit="pcs", quantity=n) for n in range(1, 6)]
    closed = a_listing(supplier, "offer", unit="pcs", quantity=9, status="closed")
    theirs = a_listing(other, "offer", unit="pcs", quantity=7)
    await registry.insert(enterprises, supplier, other)
    await registry.insert(listings, *active, closed, theirs)

    count = await republish_listings(
        unit_of_work=registry.uow, enterprise_id=supplier["id"], batch=2
    )

    assert count == 5  # in three transactions of at most two, none repeated, none left out
    assert sorted(p.listing_id for _, p in await registry.listing_events()) == sorted(
        a["id"] for a in active
    )
    with pytest.raises(NotFound):
        await republish_listings(unit_of_work=registry.uow, enterprise_id=uuid.uuid4())
    unknown = await asyncio.to_thread(
        registry.run, "republish-listings", "--enterprise", str(uuid.uuid4())
    )
    assert unknown.returncode == 1 and "was not found" in unknown.stderr
    refused = await asyncio.to_thread(registry.run, "republish-listings")
    assert refused.returncode == 2 and "--all or --enterprise" in refused.stderr
