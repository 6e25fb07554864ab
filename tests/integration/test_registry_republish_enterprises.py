"""Matching's database is lost after the topics' seven days, and restored empty: the operator runs
`python -m registry republish-enterprises --all`, then `republish-listings --all`. Matching learns
each enterprise as it is now (verified, pending, suspended) from one `enterprise.updated` apiece and
pairs the verified enterprises' listings; nobody is emailed for it.

The registry's command on a PostgreSQL database of its own; matching's handlers on another, fed the
outbox's events as the relay would deliver them (enterprises first)."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from sqlalchemy import select

from matching.adapters.orm import enterprises as matching_enterprises
from matching.adapters.orm import matches
from notifications.domain.plans import deliveries_for
from registry.__main__ import alembic_config as registry_alembic_config
from registry.adapters.orm import enterprises, listings
from registry.domain.errors import NotFound
from registry.service_layer.republish import republish_enterprises
from tests.integration.registry_forms import outbox_events
from tests.integration.scratch_sql import migrated_sessions
from tests.integration.test_registry_republish_listings import (  # noqa: F401  (fixture)
    Matching,
    Registry,
    a_listing,
    an_enterprise,
    matching_sessions,
)


@pytest.fixture
async def registry(scratch_database):
    config = registry_alembic_config(scratch_database)
    async with migrated_sessions(scratch_database, config) as sessions:
        yield Registry(scratch_database, sessions)


async def test_a_matching_database_restored_empty_learns_every_enterprise_and_pairs_the_verified(
    registry, matching_sessions
):
    supplier = an_enterprise("ОАО «Могилёвлифтмаш»", "BY", "mogilev_oblast", "Могилёв", "700068951")
    buyer = an_enterprise(
        "ООО «Смоленская управляющая компания»", "RU", "smolensk_oblast", "Смоленск", "6731000007"
    )
    waiting = an_enterprise(
        "ООО «Вяземский лифт»", "RU", "smolensk_oblast", "Вязьма", "6722000003", status="pending"
    )
    paused = an_enterprise(
        "ОАО «Брестлифт»", "BY", "brest_oblast", "Брест", "200000001", status="suspended"
    )
    gone = an_enterprise("ООО «Закрылись»", "RU", "smolensk_oblast", "Смоленск", "6731000015")
    offer, need = (
        a_listing(supplier, "offer", unit="pcs", quantity=300),
        a_listing(buyer, "need", unit="pcs", quantity=40),
    )
    others = [a_listing(e, "offer", unit="pcs", quantity=300) for e in (waiting, paused)]
    await registry.insert(enterprises, supplier, buyer, waiting, paused, gone)
    await registry.insert(listings, offer, need, *others)
    await registry.mark_deleted(gone)

    told = await asyncio.to_thread(registry.run, "republish-enterprises", "--all")
    listed = await asyncio.to_thread(registry.run, "republish-listings", "--all")

    assert told.returncode == 0, told.stderr
    assert json.loads(told.stdout.strip().splitlines()[-1]) == {"republished": 4}
    announced = await outbox_events(registry.sessions, topic="registry.enterprises")
    assert sorted((e.type, e.key, p.status) for e, p in announced) == sorted(
        ("enterprise.updated", str(e["id"]), e["status"])
        for e in (supplier, buyer, waiting, paused)
    )  # the deleted enterprise is not announced again
    assert all(
        deliveries_for(e, p, public_base_url="http://127.0.0.1") == [] for e, p in announced
    )  # a profile as it already was: no email
    assert listed.returncode == 0, listed.stderr

    matching = Matching(matching_sessions)
    for envelope, payload in [
        *announced,
        *await outbox_events(registry.sessions, topic="registry.listings"),
    ]:
        await matching.apply(envelope, payload)

    async with matching_sessions() as session:
        known = dict(
            (
                await session.execute(
                    select(matching_enterprises.c.id, matching_enterprises.c.status)
                )
            ).all()
        )
        pairs = {
            (row.offer_id, row.need_id): row.status
            for row in await session.execute(
                select(matches.c.offer_id, matches.c.need_id, matches.c.status)
            )
        }
    assert known == {
        supplier["id"]: "verified",
        buyer["id"]: "verified",
        waiting["id"]: "pending",
        paused["id"]: "suspended",
    }
    assert pairs == {(offer["id"], need["id"]): "proposed"}  # the others wait for the agency


async def test_one_enterprise_may_be_chosen_and_an_unknown_one_is_refused(registry):
    chosen = an_enterprise("ОАО «Могилёвлифтмаш»", "BY", "mogilev_oblast", "Могилёв", "700068951")
    other = an_enterprise("ОАО «Брестлифт»", "BY", "brest_oblast", "Брест", "200000001")
    await registry.insert(enterprises, chosen, other)

    count = await republish_enterprises(unit_of_work=registry.uow, enterprise_id=chosen["id"])

    assert count == 1
    announced = await outbox_events(registry.sessions, topic="registry.enterprises")
    assert [p.enterprise_id for _, p in announced] == [chosen["id"]]
    with pytest.raises(NotFound):
        await republish_enterprises(unit_of_work=registry.uow, enterprise_id=uuid.uuid4())
    refused = await asyncio.to_thread(registry.run, "republish-enterprises")
    assert refused.returncode == 2 and "republish-enterprises needs --all or --enterprise" in (
        refused.stderr
    )
