"""Consumers apply each event once, and park what they cannot read in the dead-letter topic
without stopping."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select

from eventkit.contracts import EnterpriseRegistered, envelope_for
from eventkit.envelope import Envelope
from eventkit.kafka import EventConsumer, idempotent_producer
from eventkit.topics import dead_letter
from notifications.adapters.orm import deliveries
from notifications.service_layer import events
from notifications.service_layer.unit_of_work import UnitOfWork


def _registered(email: str) -> tuple[Envelope, EnterpriseRegistered]:
    payload = EnterpriseRegistered(
        enterprise_id=uuid.uuid4(),
        name="ОАО «Бобруйскагромаш»",
        country="BY",
        region="mogilev_oblast",
        city="Бобруйск",
        sectors=["agricultural_machinery"],
        languages=["ru"],
        contact_person="Олег Сидоров",
        email=email,
        status="pending",
        contact_email_confirmed=True,  # its owner's address: welcomed at once
    )
    return envelope_for(payload, key=str(payload.enterprise_id), producer="test"), payload


async def test_the_same_event_delivered_twice_queues_one_email(notifications_sessions):
    envelope, payload = _registered("agro@example.by")

    first, second = [
        await events.handle(
            uow=UnitOfWork(notifications_sessions),
            envelope=envelope,
            payload=payload,
            public_base_url="http://x",
        )
        for _ in range(2)
    ]

    assert (first, second) == (1, 0)
    async with notifications_sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(deliveries)
            .where(deliveries.c.event_id == envelope.event_id)
        )
    assert count == 1


async def test_unreadable_events_go_to_the_dead_letter_topic_and_the_consumer_keeps_going(
    infra, scratch_topic
):
    bootstrap = infra.kafka.bootstrap_servers
    good, _ = _registered("good@example.by")
    unknown_type = Envelope(type="enterprise.teleported", key="k", producer="test", payload={})
    bad_payload = Envelope(
        type="enterprise.registered",
        key="k",
        producer="test",
        payload=good.payload | {"email": "nope"},
    )
    producer = idempotent_producer(bootstrap, client_id="dlq-test")
    await producer.start()
    for raw in (
        b"not json at all",
        unknown_type.to_bytes(),
        bad_payload.to_bytes(),
        good.to_bytes(),
    ):
        await producer.send_and_wait(scratch_topic, raw, key=b"k")

    handled: list[uuid.UUID] = []
    stop = asyncio.Event()

    async def handle(envelope, payload) -> None:
        handled.append(envelope.event_id)
        stop.set()

    consumer = EventConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"g-{uuid.uuid4().hex[:6]}",
        topics=[scratch_topic],
        handle=handle,
        dead_letters=producer,
    )
    await asyncio.wait_for(consumer.run(stop), timeout=30)

    parked = AIOKafkaConsumer(
        dead_letter(scratch_topic), bootstrap_servers=bootstrap, auto_offset_reset="earliest"
    )
    await parked.start()
    reasons: list[str] = []
    while len(reasons) < 3:
        for messages in (await asyncio.wait_for(parked.getmany(timeout_ms=1000), 10)).values():
            reasons += [dict(m.headers)["reason"].decode() for m in messages]
    await parked.stop()
    await producer.stop()

    assert handled == [good.event_id]
    assert any("invalid envelope" in r for r in reasons)
    assert any("enterprise.teleported" in r for r in reasons)
    assert any("email" in r for r in reasons)
