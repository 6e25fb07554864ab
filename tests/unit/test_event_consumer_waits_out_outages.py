"""A consumer's handler that meets the database down waits for it instead of dead-lettering the
event (a 10 s PostgreSQL restart used to send listings to the dead-letter topic after five quick
attempts, and matching never proposed them); a failure of the event itself is still dead-lettered
after its attempts, and a consumer asked to stop while waiting leaves the event uncommitted."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import ConsumerRecord

from eventkit import asyncapi, contracts
from eventkit.kafka import EventConsumer, _StoppedWaitingOut

EVENT = asyncapi.example_envelope(contracts.ListingPublished)


class DeadLetters:
    """Stands in for the producer: what would have been sent to a dead-letter topic."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    async def send_and_wait(self, topic: str, value: bytes, **_) -> None:
        self.sent.append((topic, value))


class DatabaseDown(ConnectionError):
    pass


def failing(times: int, failure: Exception):
    calls: list[uuid.UUID] = []

    async def handle(envelope, payload) -> None:
        calls.append(envelope.event_id)
        if len(calls) <= times:
            raise failure

    return handle, calls


def consumer(handle, dead_letters: DeadLetters) -> EventConsumer:
    return EventConsumer(
        bootstrap_servers="127.0.0.1:9",  # never started: _process is driven directly
        group_id="test",
        topics=["registry.listings"],
        handle=handle,
        dead_letters=dead_letters,
        max_attempts=3,
        retry_wait_max=0.001,
        waits_out=lambda failure: isinstance(failure, DatabaseDown),
    )


def record() -> ConsumerRecord:
    return ConsumerRecord(
        topic="registry.listings",
        partition=0,
        offset=7,
        timestamp=0,
        timestamp_type=0,
        key=EVENT.key.encode(),
        value=EVENT.to_bytes(),
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=[],
    )


async def test_an_event_waits_out_the_database_beyond_its_attempts_and_is_applied():
    dead_letters = DeadLetters()
    handle, calls = failing(12, DatabaseDown("connection refused"))

    await consumer(handle, dead_letters)._process(record())

    assert len(calls) == 13 and dead_letters.sent == []


async def test_a_failure_of_the_event_itself_is_dead_lettered_after_its_attempts():
    dead_letters = DeadLetters()
    handle, calls = failing(12, ValueError("a field the handler cannot apply"))

    await consumer(handle, dead_letters)._process(record())

    assert len(calls) == 3
    assert dead_letters.sent == [("registry.listings.dlq", EVENT.to_bytes())]


async def test_a_consumer_asked_to_stop_while_waiting_leaves_the_event_to_be_read_again():
    dead_letters = DeadLetters()
    handle, calls = failing(10**6, DatabaseDown("connection refused"))
    waiting = consumer(handle, dead_letters)
    waiting._stopping = asyncio.Event()
    asyncio.get_running_loop().call_later(0.2, waiting._stopping.set)

    with pytest.raises(_StoppedWaitingOut):
        await asyncio.wait_for(waiting._process(record()), 10)

    assert len(calls) > 1 and dead_letters.sent == []
