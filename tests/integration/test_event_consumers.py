"""Consumers apply each event once, and park what they cannot read in the dead-letter topic
without stopping."""

from __future__ import annotations

from sqlalchemy import func, select

from eventkit.contracts import EnterpriseRegistered, envelope_for
from eventkit.envelope import Envelope
from eventkit.kafka import idempotent_producer
from notifications.adapters.orm import deliveries
from notifications.service_layer import events
from notifications.service_layer.unit_of_work import UnitOfWork
from tests.integration.dead_letters import consume_until_handled, parked_in_dead_letters
from tests.lift_story_events import lift_maker_event


def _registered(email: str) -> tuple[Envelope, EnterpriseRegistered]:
    payload = lift_maker_event(
        EnterpriseRegistered,
        email=email,
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

    try:
        handled = await consume_until_handled(bootstrap, scratch_topic, dead_letters=producer)
        parked = await parked_in_dead_letters(bootstrap, scratch_topic, expected=3)
    finally:
        await producer.stop()
    reasons = [dict(message.headers)["reason"].decode() for message in parked]

    assert handled == [good.event_id]
    assert any("invalid envelope" in r for r in reasons)
    assert any("enterprise.teleported" in r for r in reasons)
    assert any("email" in r for r in reasons)
