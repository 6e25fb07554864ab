"""The registry learns from matching's `match.introduced` events who was introduced to whom, once
per event, and shows each enterprise's company its partners with their contacts, newest first;
no one else sees them, and a deleted or suspended partner is not listed."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from eventkit import topics
from eventkit.contracts import MatchApproved, MatchIntroduced, envelope_for
from eventkit.kafka import idempotent_producer
from registry.adapters.orm import introductions, processed_events
from registry.bootstrap import run_consumer_alone
from registry.config import Settings
from registry.domain.actors import Caller
from registry.domain.errors import Forbidden
from registry.entrypoints.consumer import dispatch
from registry.service_layer import enterprises as enterprise_cases
from registry.service_layer import partners as use_cases
from registry.service_layer.unit_of_work import UnitOfWork
from tests.identifiers import fresh_marker
from tests.integration.registry_forms import mogilev_lift_maker, smolensk_housing_operator
from tests.lift_story_events import lift_match_sides

AGENCY = Caller(account_id="reviewer", role="agency")


def _lift_maker() -> dict:
    marker = fresh_marker(6)
    return mogilev_lift_maker(
        name=f"ОАО «Могилёвлифтмаш» {marker}",
        description="Пассажирские лифты",
        certifications=[],
        email=f"lifts-{marker}@example.by",
        phone="+375222123456",
    )


def _housing_operator() -> dict:
    marker = fresh_marker(6)
    return smolensk_housing_operator(
        name=f"МУП «Смоленскжилсервис» {marker}",
        description="Жилой фонд",
        email=f"housing-{marker}@example.ru",
    )


def _introduced(
    offer_enterprise: uuid.UUID,
    need_enterprise: uuid.UUID,
    *,
    at: datetime | None = None,
    kind=MatchIntroduced,
):
    payload = kind(
        match_id=uuid.uuid4(),
        score=0.87,
        status="introduced",
        occurred_at=at or datetime.now(UTC),
        **lift_match_sides(
            offer_enterprise_id=offer_enterprise, need_enterprise_id=need_enterprise
        ),
    )
    return envelope_for(payload, key=str(need_enterprise), producer="matching"), payload


async def test_two_introduced_enterprises_each_see_the_others_contacts(registry_sessions, register):
    maker, buyer = await register(_lift_maker()), await register(_housing_operator())
    envelope, payload = _introduced(maker.id, buyer.id)

    assert await dispatch(envelope, payload, uow=UnitOfWork(registry_sessions)) is True

    [to_buyer] = await use_cases.get_all_partners_by_enterprise(
        uow=UnitOfWork(registry_sessions),
        caller=Caller(None, "company", frozenset({str(buyer.id)})),
        enterprise_id=buyer.id,
    )
    assert (to_buyer.match_id, to_buyer.enterprise_id, to_buyer.name) == (
        payload.match_id,
        maker.id,
        maker.name,
    )
    assert (to_buyer.email, to_buyer.phone, to_buyer.contact_person) == (
        maker.email,
        maker.phone,
        "Иван Петров",
    )
    assert (to_buyer.country, to_buyer.region, to_buyer.city) == ("BY", "mogilev_oblast", "Могилёв")
    assert to_buyer.introduced_at == payload.occurred_at
    [to_maker] = await use_cases.get_all_partners_by_enterprise(
        uow=UnitOfWork(registry_sessions),
        caller=Caller(None, "company", frozenset({str(maker.id)})),
        enterprise_id=maker.id,
    )
    assert (to_maker.enterprise_id, to_maker.email) == (buyer.id, buyer.email)


async def test_the_same_introduction_delivered_twice_is_stored_once(registry_sessions, register):
    maker, buyer = await register(_lift_maker()), await register(_housing_operator())
    envelope, payload = _introduced(maker.id, buyer.id)

    first = await dispatch(envelope, payload, uow=UnitOfWork(registry_sessions))
    again = await dispatch(envelope, payload, uow=UnitOfWork(registry_sessions))

    assert (first, again) == (True, False)
    async with registry_sessions() as session:
        stored = await session.scalar(
            select(func.count())
            .select_from(introductions)
            .where(introductions.c.match_id == payload.match_id)
        )
        applied = await session.scalar(
            select(func.count())
            .select_from(processed_events)
            .where(processed_events.c.event_id == envelope.event_id)
        )
    assert (stored, applied) == (1, 1)
    assert (
        len(
            await use_cases.get_all_partners_by_enterprise(
                uow=UnitOfWork(registry_sessions), caller=AGENCY, enterprise_id=buyer.id
            )
        )
        == 1
    )


async def test_other_match_events_are_passed_over(registry_sessions, register):
    maker, buyer = await register(_lift_maker()), await register(_housing_operator())
    envelope, payload = _introduced(maker.id, buyer.id, kind=MatchApproved)

    assert await dispatch(envelope, payload, uow=UnitOfWork(registry_sessions)) is False

    assert (
        await use_cases.get_all_partners_by_enterprise(
            uow=UnitOfWork(registry_sessions), caller=AGENCY, enterprise_id=buyer.id
        )
        == []
    )


async def test_partners_come_newest_first(registry_sessions, register):
    buyer = await register(_housing_operator())
    older_maker, newer_maker = await register(_lift_maker()), await register(_lift_maker())
    now = datetime.now(UTC)
    for maker, at in ((newer_maker, now), (older_maker, now - timedelta(days=3))):
        await dispatch(*_introduced(maker.id, buyer.id, at=at), uow=UnitOfWork(registry_sessions))

    partners = await use_cases.get_all_partners_by_enterprise(
        uow=UnitOfWork(registry_sessions), caller=AGENCY, enterprise_id=buyer.id
    )

    assert [p.enterprise_id for p in partners] == [newer_maker.id, older_maker.id]


async def test_a_third_company_may_not_see_an_enterprises_partners(registry_sessions, register):
    maker, buyer = await register(_lift_maker()), await register(_housing_operator())
    await dispatch(*_introduced(maker.id, buyer.id), uow=UnitOfWork(registry_sessions))
    stranger = Caller(
        account_id="someone-else", role="company", enterprise_ids=frozenset({str(uuid.uuid4())})
    )

    with pytest.raises(Forbidden):
        await use_cases.get_all_partners_by_enterprise(
            uow=UnitOfWork(registry_sessions), caller=stranger, enterprise_id=buyer.id
        )


async def test_a_suspended_or_deleted_partner_is_not_listed(registry_sessions, register):
    buyer = await register(_housing_operator())
    suspended, deleted, kept = (
        await register(_lift_maker()),
        await register(_lift_maker()),
        await register(_lift_maker()),
    )
    for maker in (suspended, deleted, kept):
        await dispatch(*_introduced(maker.id, buyer.id), uow=UnitOfWork(registry_sessions))

    await enterprise_cases.suspend_enterprise(
        uow=UnitOfWork(registry_sessions),
        caller=AGENCY,
        enterprise_id=suspended.id,
        reason="Проверка",
    )
    await enterprise_cases.delete_enterprise(
        uow=UnitOfWork(registry_sessions),
        caller=AGENCY,
        enterprise_id=deleted.id,
        expected_version=None,
    )

    partners = await use_cases.get_all_partners_by_enterprise(
        uow=UnitOfWork(registry_sessions), caller=AGENCY, enterprise_id=buyer.id
    )
    assert [p.enterprise_id for p in partners] == [kept.id]

    await enterprise_cases.reinstate_enterprise(
        uow=UnitOfWork(registry_sessions), caller=AGENCY, enterprise_id=suspended.id
    )
    partners = await use_cases.get_all_partners_by_enterprise(
        uow=UnitOfWork(registry_sessions), caller=AGENCY, enterprise_id=buyer.id
    )
    assert {p.enterprise_id for p in partners} == {kept.id, suspended.id}


async def test_the_consumer_stores_an_introduction_redelivered_through_kafka_once(
    infra, registry_engine
):
    """`python -m registry consume` (the same consumer `serve` runs inside): the event twice on
    matching.matches, then another; once the other is stored, the first has been applied once."""
    maker, buyer = uuid.uuid4(), uuid.uuid4()
    twice, twice_payload = _introduced(maker, buyer)
    after, after_payload = _introduced(maker, buyer)  # the same key: the same partition, in order
    producer = idempotent_producer(
        infra.kafka.bootstrap_servers, client_id="registry-consumer-test"
    )
    await producer.start()
    for envelope in (twice, twice, after):
        await producer.send_and_wait(topics.MATCHES, envelope.to_bytes(), key=str(buyer).encode())
    await producer.stop()
    settings = Settings(
        database_url=infra.database_url("registry"),
        kafka_bootstrap_servers=infra.kafka.bootstrap_servers,
        internal_token_secret="x" * 32,
        consumer_group=f"registry-test-{uuid.uuid4().hex[:6]}",
    )
    stop = asyncio.Event()
    consuming = asyncio.create_task(run_consumer_alone(settings, stop))
    sessions = async_sessionmaker(registry_engine)

    async def stored(match_id) -> int:
        async with sessions() as session:
            return await session.scalar(
                select(func.count())
                .select_from(introductions)
                .where(introductions.c.match_id == match_id)
            )

    deadline = time.monotonic() + 60
    while not await stored(after_payload.match_id) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait_for(consuming, 15)

    assert await stored(after_payload.match_id) == 1
    assert await stored(twice_payload.match_id) == 1
