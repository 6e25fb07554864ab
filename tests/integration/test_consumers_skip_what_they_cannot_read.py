"""A consumer takes from its topic only the event types that topic carries, parks the rest in the
dead-letter topic, and when even the dead-letter topic refuses a message, counts it and moves on
to the next one instead of stopping its partition for good."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from prometheus_client import CollectorRegistry, Counter

from eventkit import topics
from eventkit.contracts import EnterpriseRegistered, ListingExpiring, envelope_for
from eventkit.envelope import Envelope
from eventkit.kafka import idempotent_producer
from eventkit.topics import dead_letter
from tests.integration.dead_letters import (
    consume_until_handled,
    consumer_of,
    parked_in_dead_letters,
)
from tests.lift_story_events import lift_maker_event

ENTERPRISE_EVENTS_ONLY = topics.EVENT_TYPES[topics.ENTERPRISES]


def _registered() -> Envelope:
    payload = lift_maker_event(EnterpriseRegistered)
    return envelope_for(payload, key=str(payload.enterprise_id), producer="test")


def _expiring() -> Envelope:
    payload = ListingExpiring(
        listing_id=uuid.uuid4(),
        side="offer",
        enterprise_id=uuid.uuid4(),
        enterprise_name="ОАО «Гомсельмаш»",
        title="Комбайны зерноуборочные",
        valid_until=date(2027, 1, 31),
    )
    return envelope_for(payload, key=str(payload.enterprise_id), producer="test")


async def test_an_event_of_a_type_its_topic_does_not_carry_is_parked_and_the_next_one_is_applied(
    infra, scratch_topic
):
    bootstrap = infra.kafka.bootstrap_servers
    producer = idempotent_producer(bootstrap, client_id="wrong-topic-test")
    await producer.start()
    try:
        off_topic, good = _expiring(), _registered()
        for envelope in (off_topic, good):
            await producer.send_and_wait(scratch_topic, envelope.to_bytes(), key=b"k")

        handled = await consume_until_handled(
            bootstrap, scratch_topic, dead_letters=producer, accepts=ENTERPRISE_EVENTS_ONLY
        )

        parked = await parked_in_dead_letters(bootstrap, scratch_topic, expected=1)
    finally:
        await producer.stop()
    assert handled == [good.event_id]
    assert Envelope.from_bytes(parked[0].value).event_id == off_topic.event_id
    assert "'listing.expiring' does not belong on" in dict(parked[0].headers)["reason"].decode()


async def test_a_message_the_dead_letter_topic_refuses_is_counted_and_skipped_and_the_next_applied(
    infra,
):
    bootstrap = infra.kafka.bootstrap_servers
    topic = f"test.{uuid.uuid4().hex[:10]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:  # a dead-letter topic that takes nothing over 1 KB, beside a topic that takes 1 MB
        await admin.create_topics(
            [
                NewTopic(topic, 1, 1),
                NewTopic(dead_letter(topic), 1, 1, topic_configs={"max.message.bytes": "1024"}),
            ]
        )
    finally:
        await admin.close()
    registry = CollectorRegistry()
    skipped = Counter("events_skipped_total", "skipped", ["topic", "error"], registry=registry)
    producer = idempotent_producer(bootstrap, client_id="refused-dlq-test")
    await producer.start()
    try:
        too_large_to_park = b'{"not an envelope": "' + b"x" * 8000 + b'"}'
        small_and_unreadable = b"not json at all"
        good = _registered()
        for raw in (too_large_to_park, small_and_unreadable, good.to_bytes()):
            await producer.send_and_wait(topic, raw, key=b"k")

        handled = await consume_until_handled(
            bootstrap,
            topic,
            dead_letters=producer,
            accepts=ENTERPRISE_EVENTS_ONLY,
            skipped=lambda on, error: skipped.labels(on, error).inc(),
        )

        # The refusal left the (idempotent, shared) producer able to park the next message.
        parked = await parked_in_dead_letters(bootstrap, topic, expected=1)
    finally:
        await producer.stop()
    assert handled == [good.event_id]
    assert [m.value for m in parked] == [small_and_unreadable]
    assert (
        registry.get_sample_value(
            "events_skipped_total", {"topic": topic, "error": "MessageSizeTooLargeError"}
        )
        == 1
    )


async def test_a_handler_that_keeps_failing_is_parked_and_the_log_names_only_the_errors_kind(
    infra, scratch_topic
):
    bootstrap = infra.kafka.bootstrap_servers
    producer = idempotent_producer(bootstrap, client_id="failing-handler-test")
    await producer.start()
    failing, good = _registered(), _registered()
    quoted = "duplicate key value: Key (email)=(sales@gomselmash.example.by) already exists"
    handled: list[uuid.UUID] = []
    stop = asyncio.Event()

    async def handle(envelope, payload) -> None:
        if envelope.event_id == failing.event_id:
            raise ValueError(quoted)
        handled.append(envelope.event_id)
        stop.set()

    try:
        for envelope in (failing, good):
            await producer.send_and_wait(scratch_topic, envelope.to_bytes(), key=b"k")
        consumer = consumer_of(
            bootstrap,
            scratch_topic,
            handle=handle,
            dead_letters=producer,
            max_attempts=2,
            retry_wait_max=0.1,
        )
        with structlog.testing.capture_logs() as logged:
            await asyncio.wait_for(consumer.run(stop), timeout=30)
        [parked] = await parked_in_dead_letters(bootstrap, scratch_topic, expected=1)
    finally:
        await producer.stop()

    assert handled == [good.event_id]
    assert (
        quoted in dict(parked.headers)["reason"].decode()
    )  # the operator reading the dead letter sees why
    [line] = [event for event in logged if event["event"] == "event_dead_lettered"]
    assert line["reason"] == "handler failed 2 times: ValueError"
    assert "sales@" not in str(logged)
