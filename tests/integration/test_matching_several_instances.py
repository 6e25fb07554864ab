"""Several matching instances share one database and one consumer group: each keeps its own index
in step through the listings' change numbers, and they agree on every proposal.

The first test runs three real `python -m matching serve` processes against the real broker and
stops one of them in the middle of a burst; the second pins down the change-number race between
two writers on PostgreSQL itself."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from collections import Counter

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from devstack.ports import free_port
from devstack.stack import ROOT
from eventkit import topics
from eventkit.contracts import ListingChanged, ListingPublished, envelope_for
from eventkit.kafka import idempotent_producer
from matching.__main__ import alembic_config
from matching.bootstrap import build_matcher
from matching.config import Settings
from matching.domain.listing import Listing
from matching.service_layer.handlers import listing_from
from matching.service_layer.unit_of_work import UnitOfWork
from tests.identifiers import fresh_marker
from tests.integration.matching_events import enterprise_profile

K = 3  # the instances' MATCHING_MAX_PROPOSED_PER_LISTING

# One market per sector (the lifts other tests publish are left out): each supplier pairs with its
# own sector's buyers only.
SECTORS = {
    "flax": (
        "1204",
        "Льняное волокно и семена льна",
        "льноволокно трёпаное, семена льна масличного",
    ),
    "agricultural_machinery": (
        "8433",
        "Зерноуборочные комбайны",
        "комбайны зерноуборочные и жатки",
    ),
    "municipal_vehicles": (
        "8705",
        "Коммунальные уборочные машины",
        "подметально-уборочные и поливомоечные машины",
    ),
    "machine_tools": (
        "8458",
        "Токарные станки с ЧПУ",
        "токарные обрабатывающие центры с числовым программным управлением",
    ),
    "mechanical_engineering": (
        "8413",
        "Насосы центробежные",
        "центробежные насосы и насосные агрегаты",
    ),
    "construction": (
        "6810",
        "Железобетонные плиты перекрытия",
        "сборный железобетон, плиты и панели",
    ),
    "water_treatment": ("842121", "Станции водоочистки", "фильтры и станции очистки питьевой воды"),
    "energy_nuclear": ("8402", "Паровые котлы", "котлы паровые и водогрейные промышленные"),
    "breeding": ("0102", "Племенной крупный рогатый скот", "племенные тёлки голштинской породы"),
    "food_agriculture": ("0402", "Сухое молоко", "молоко сухое обезжиренное и сливки"),
}
CROWDED = "machine_tools"  # its one supplier is wanted by 2K buyers: it holds exactly K proposals


def listing_event(side: str, sector: str, tag: str) -> ListingPublished:
    code, title, description = SECTORS[sector]
    by = side == "offer"
    return ListingPublished(
        listing_id=uuid.uuid4(),
        side=side,
        enterprise_id=uuid.uuid4(),
        enterprise_name=f"{'ОАО' if by else 'ООО'} «{title.split()[0]} {uuid.uuid4().hex[:4]}»",
        enterprise_country="BY" if by else "RU",
        enterprise_region="mogilev_oblast" if by else "smolensk_oblast",
        enterprise_city="Могилёв" if by else "Смоленск",
        enterprise_legal_id=str(uuid.uuid4().int)[: 9 if by else 10],
        enterprise_languages=["ru"],
        kind="goods",
        title=f"{title} {tag}",
        description=f"{'Поставляем' if by else 'Закупаем'}: {description} {tag}",
        sector=sector,
        product_codes=[code],
        status="active",
    )


def market(tag: str) -> tuple[list[ListingPublished], dict[uuid.UUID, set[uuid.UUID]]]:
    """The listings, and for each supplier the buyers it must be proposed to (all of them but in the
    crowded sector)."""
    listings, buyers_of = [], {}
    for sector in SECTORS:
        offer = listing_event("offer", sector, tag)
        needs = [
            listing_event("need", sector, tag) for _ in range(2 * K if sector == CROWDED else 2)
        ]
        listings += [offer, *needs]
        buyers_of[offer.listing_id] = {n.listing_id for n in needs}
    return listings, buyers_of


def events_of(listing: ListingPublished) -> list[tuple[str, object]]:
    """Its enterprise verified, the listing published, then edited once: what registry sends, each
    on its topic."""
    edited = ListingChanged(
        **listing.model_dump() | {"description": listing.description + " (уточнено)", "version": 2}
    )
    return [
        (topics.ENTERPRISES, enterprise_profile(listing)),
        (topics.LISTINGS, listing),
        (topics.LISTINGS, edited),
    ]


class Instance:
    def __init__(self, name: str, port: int, child) -> None:
        self.name, self.port, self.child = name, port, child

    async def ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                assert self.child.alive(), self.child.log_tail()
                try:
                    if (
                        await client.get(f"http://127.0.0.1:{self.port}/readyz")
                    ).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.3)
        raise AssertionError(f"{self.name} was not ready: {self.child.log_tail()}")


@pytest.fixture
async def database(scratch_database):
    await asyncio.to_thread(command.upgrade, alembic_config(scratch_database), "head")
    engine = create_async_engine(scratch_database, pool_size=5)
    yield scratch_database, engine
    await engine.dispose()


@pytest.fixture
async def three_instances(infra, database):
    """Three matching processes in one consumer group of their own, on the test's database."""
    url, _ = database
    group = f"matching-{uuid.uuid4().hex[:8]}"
    env = infra.service_env("matching") | {
        "MATCHING_DATABASE_URL": url,
        "MATCHING_CONSUMER_GROUP": group,
        "MATCHING_RELAY_ENABLED": "false",
        "MATCHING_MAX_PROPOSED_PER_LISTING": str(K),
        "MATCHING_LOG_LEVEL": "WARNING",
    }
    instances = []
    try:
        for n in range(3):
            port = free_port()
            name = f"{group}-{n}"
            child = infra.supervisor.start(
                name,
                [sys.executable, "-m", "matching", "serve"],
                env=env | {"MATCHING_HTTP_PORT": str(port)},
                cwd=ROOT,
            )
            instances.append(Instance(name, port, child))
        await asyncio.gather(*(i.ready() for i in instances))
        await _group_settled(infra.kafka.bootstrap_servers, group, members=3)
        yield instances, group
    finally:
        for instance in instances:
            infra.supervisor.stop(instance.name)


async def _group_settled(bootstrap: str, group: str, *, members: int, timeout: float = 60) -> None:
    """Waits until the consumer group is stable with this many members (each then owns
    partitions)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for response in await admin.describe_consumer_groups([group]):
                for described in response.groups:
                    state, group_members = described[2], described[5]
                    if state == "Stable" and len(group_members) == members:
                        return
            await asyncio.sleep(0.5)
        raise AssertionError(f"the consumer group {group} did not settle with {members} members")
    finally:
        await admin.close()


async def _applied(engine, event_ids: list[uuid.UUID]) -> int:
    async with engine.connect() as connection:
        return await connection.scalar(
            text("SELECT count(*) FROM processed_events WHERE event_id = ANY(:ids)"),
            {"ids": event_ids},
        )


async def _wait_applied(
    engine, event_ids: list[uuid.UUID], *, at_least: int, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while (done := await _applied(engine, event_ids)) < at_least:
        assert time.monotonic() < deadline, f"only {done} of {at_least} events applied"
        await asyncio.sleep(0.3)


async def test_three_instances_agree_and_one_stopping_mid_burst_loses_and_doubles_nothing(
    infra, database, three_instances
):
    _, engine = database
    instances, _ = three_instances
    listings, buyers_of = market(f"партия {fresh_marker(6)}")
    envelopes = [
        (topic, envelope_for(payload, key=str(payload.enterprise_id), producer="registry"))
        for listing in listings
        for topic, payload in events_of(listing)
    ]
    first_half, second_half = envelopes[: len(envelopes) // 2], envelopes[len(envelopes) // 2 :]
    producer = idempotent_producer(
        infra.kafka.bootstrap_servers, client_id="several-instances-test"
    )
    await producer.start()

    async def burst(part) -> None:
        """Three writers at once, each in its own order, as several registry instances would."""

        async def writer(share) -> None:
            for topic, envelope in share:
                await producer.send_and_wait(topic, envelope.to_bytes(), key=envelope.key.encode())

        await asyncio.gather(*(writer(part[n::3]) for n in range(3)))

    try:
        await burst(first_half)
        await _wait_applied(
            engine, [e.event_id for _, e in first_half], at_least=len(first_half) // 3
        )
        stopped = instances[0]
        os.killpg(
            stopped.child.process.pid, signal.SIGKILL
        )  # mid-burst, without leaving the group politely
        await burst(second_half)
        await _wait_applied(
            engine, [e.event_id for _, e in envelopes], at_least=len(envelopes), timeout=180
        )
    finally:
        await producer.stop()
    assert not stopped.child.alive()

    mine = {listing.listing_id for listing in listings}
    async with engine.connect() as connection:
        pairs = (
            await connection.execute(
                text(
                    "SELECT id, offer_id, need_id, status FROM matches WHERE offer_id = "
                    "ANY(:ids) OR need_id = ANY(:ids)"
                ),
                {"ids": list(mine)},
            )
        ).all()
        history = await connection.execute(
            text(
                "SELECT match_id, count(*) FROM match_history WHERE event_type = "
                "'match.proposed' GROUP BY match_id"
            )
        )
        proposals_per_match = Counter(dict(history.all()))
        withdrawals = await connection.execute(
            text(
                "SELECT match_id, count(*) FROM match_history WHERE to_status = 'withdrawn' "
                "GROUP BY match_id"
            )
        )
        withdrawals_per_match = Counter(dict(withdrawals.all()))
        announced = await connection.execute(
            text(
                "SELECT (envelope::jsonb -> 'payload' ->> 'match_id')::uuid, count(*) FROM outbox "
                "WHERE envelope::jsonb ->> 'type' = 'match.proposed' GROUP BY 1"
            )
        )
        outbox_per_match = Counter(dict(announced.all()))
        displaced = (
            (
                await connection.execute(
                    text(
                        "SELECT match_id FROM match_history WHERE to_status = 'withdrawn' AND "
                        "note LIKE 'a partner that scores higher%'"
                    )
                )
            )
            .scalars()
            .all()
        )

    # A pair is withdrawn only when a listing that scores higher with its full partner arrived after
    # it.
    withdrawn = {match_id for match_id, *_, status in pairs if status != "proposed"}
    assert {status for *_, status in pairs} <= {"proposed", "withdrawn"}
    assert set(displaced) >= withdrawn, "a pair is withdrawn only to make room for a better one"
    pairs = [pair for pair in pairs if pair[0] not in withdrawn]
    by_offer: dict[uuid.UUID, set[uuid.UUID]] = {}
    for _, offer_id, need_id, _status in pairs:
        if (
            need_id in mine and offer_id in mine
        ):  # (another test's listing of these sectors would only count towards K)
            by_offer.setdefault(offer_id, set()).add(need_id)
    for offer_id, buyers in buyers_of.items():
        got = by_offer.get(offer_id, set())
        if len(buyers) > K:
            assert len(got) == K and got <= buyers, (
                "the crowded supplier holds exactly K proposals, all to its own buyers"
            )
        else:
            assert got == buyers, "every expected pair is proposed, and no other"
    proposed = Counter()
    for _, offer_id, need_id, _ in pairs:
        proposed[offer_id] += 1
        proposed[need_id] += 1
    assert max(proposed.values()) <= K
    # A pair displaced while the edits arrive in the writers' order (an edited buyer shares
    # "уточнено" with the edited supplier, so it scores higher for a while) is proposed again when
    # it outscores another; proposed any other time more than once, it was applied twice.
    again = {m: proposals_per_match[m] - 1 - withdrawals_per_match[m] for m, *_ in pairs}
    assert not any(again.values()), (
        "each pair proposed once, and once more after each time it was withdrawn, whichever "
        f"instance applied it: {again}"
    )
    assert all(outbox_per_match[m] == proposals_per_match[m] for m, *_ in pairs), (
        "and announced each time"
    )


async def test_a_listing_written_before_another_but_committed_after_it_is_not_missed_by_a_third(
    database,
):
    """Writer A takes its change number first and commits last; another instance catching up in
    between must not move past A's number without A."""
    _, engine = database
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    reader = build_matcher(Settings(internal_token_secret="s" * 32))
    tag = f"партия {fresh_marker(6)}"
    first, second = (listing_from(listing_event(side, "flax", tag)) for side in ("offer", "need"))

    async def write(listing: Listing, *, then: asyncio.Event | None = None) -> None:
        async with UnitOfWork(sessions) as uow:
            await uow.listings.put(listing)
            if then is not None:
                await then.wait()
            await uow.commit()

    commit_first = asyncio.Event()
    writer_a = asyncio.create_task(write(first, then=commit_first))
    await asyncio.sleep(0.3)  # A holds its change number, uncommitted
    writer_b = asyncio.create_task(write(second))
    await asyncio.sleep(0.5)
    async with UnitOfWork(sessions) as uow:
        await reader.catch_up(uow=uow)  # the third instance looks while A is still open

    commit_first.set()
    await asyncio.gather(writer_a, writer_b)
    async with UnitOfWork(sessions) as uow:
        await reader.catch_up(uow=uow)
    assert first.id in reader.index, "A's listing is not skipped"
    assert second.id in reader.index
