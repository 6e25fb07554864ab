"""Consuming a real Kafka topic until an event is handled, and reading what the consumer parked in
the topic's dead-letter topic."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import AIOKafkaConsumer

from eventkit.kafka import EventConsumer
from eventkit.topics import dead_letter


def consumer_of(bootstrap: str, topic: str, *, handle, dead_letters, **options) -> EventConsumer:
    """A consumer of `topic` in a consumer group of its own, parking what it gives up on in
    `dead_letters`; `options` are the consumer's other settings."""
    group = f"g-{uuid.uuid4().hex[:6]}"
    return EventConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        topics=[topic],
        handle=handle,
        dead_letters=dead_letters,
        **options,
    )


async def consume_until_handled(
    bootstrap: str, topic: str, *, dead_letters, accepts=None, skipped=None
) -> list[uuid.UUID]:
    """Runs one consumer of `topic`, taking only the event types `accepts` names (any, without it),
    until it hands an event to its handler; returns the ids of the events it handled (what it could
    not read went to `dead_letters`)."""
    handled: list[uuid.UUID] = []
    stop = asyncio.Event()

    async def handle(envelope, payload) -> None:
        handled.append(envelope.event_id)
        stop.set()

    consumer = consumer_of(
        bootstrap,
        topic,
        handle=handle,
        dead_letters=dead_letters,
        accepts={topic: accepts} if accepts is not None else {},  # {}: any contract
        skipped=skipped,
        retry_wait_max=0.2,
    )
    await asyncio.wait_for(consumer.run(stop), timeout=30)
    return handled


async def parked_in_dead_letters(bootstrap: str, topic: str, *, expected: int) -> list:
    """The first `expected` messages parked in the dead-letter topic of `topic`."""
    reader = AIOKafkaConsumer(
        dead_letter(topic), bootstrap_servers=bootstrap, auto_offset_reset="earliest"
    )
    await reader.start()
    try:
        parked: list = []
        async with asyncio.timeout(15):
            while len(parked) < expected:
                for messages in (await reader.getmany(timeout_ms=500)).values():
                    parked += messages
        return parked
    finally:
        await reader.stop()
