"""The outbox relay publishes every committed event to Kafka, in order per key, at least once —
even when a relay dies between publishing and marking, and when several relays run at once."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import MetaData, func, insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from eventkit.envelope import Envelope
from eventkit.kafka import idempotent_producer
from eventkit.outbox import OutboxRelay, outbox_row, outbox_table


@pytest.fixture
async def outbox_db(scratch_database):
    metadata = MetaData()
    table = outbox_table(metadata)
    engine = create_async_engine(scratch_database)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine, table
    await engine.dispose()


@pytest.fixture
async def producer(infra):
    producer = idempotent_producer(infra.kafka.bootstrap_servers, client_id="relay-test")
    await producer.start()
    yield producer
    await producer.stop()


async def _commit_events(
    engine, table, topic: str, keys: list[str], per_key: int
) -> list[Envelope]:
    envelopes = [
        Envelope(type="test.happened", key=key, producer="test", payload={"seq": seq})
        for seq in range(per_key)
        for key in keys
    ]
    async with engine.begin() as connection:
        await connection.execute(insert(table), [outbox_row(e, topic=topic) for e in envelopes])
    return envelopes


async def _read_all(
    bootstrap: str, topic: str, expected: int, timeout: float = 20.0
) -> list[Envelope]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    received: list[Envelope] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(received) < expected and asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for messages in batches.values():
                received += [Envelope.from_bytes(m.value) for m in messages]
        # Anything beyond the expected count (a duplicate) shows up within a short extra wait.
        for messages in (await consumer.getmany(timeout_ms=1000)).values():
            received += [Envelope.from_bytes(m.value) for m in messages]
    finally:
        await consumer.stop()
    return received


def _in_order_per_key(received: list[Envelope]) -> bool:
    by_key = defaultdict(list)
    for envelope in received:
        by_key[envelope.key].append(envelope.payload["seq"])
    return all(seqs == sorted(seqs) for seqs in by_key.values())


async def test_every_committed_event_reaches_kafka_in_order_per_enterprise(
    infra, outbox_db, producer, scratch_topic
):
    engine, table = outbox_db
    keys = [str(uuid.uuid4()) for _ in range(5)]
    sent = await _commit_events(engine, table, scratch_topic, keys, per_key=20)

    batches = await OutboxRelay(
        engine=engine, producer=producer, table=table, batch_size=7
    ).publish_pending()
    while batches:
        batches = await OutboxRelay(
            engine=engine, producer=producer, table=table, batch_size=7
        ).publish_pending()

    received = await _read_all(infra.kafka.bootstrap_servers, scratch_topic, expected=len(sent))
    assert sorted(e.event_id for e in received) == sorted(e.event_id for e in sent)
    assert _in_order_per_key(received)
    async with engine.connect() as connection:
        assert (
            await connection.scalar(
                select(func.count()).select_from(table).where(table.c.published_at.is_(None))
            )
            == 0
        )


class _DiesAfterPublishing:
    """Delivers to the real broker, then the relay process 'dies' before it can mark the rows."""

    def __init__(self, producer) -> None:
        self._producer = producer

    async def send(self, *args, **kwargs):
        delivery = await self._producer.send(*args, **kwargs)
        await delivery
        raise SystemExit("relay killed between publishing and marking")


async def test_a_relay_killed_between_publishing_and_marking_loses_nothing(
    infra, outbox_db, producer, scratch_topic
):
    engine, table = outbox_db
    sent = await _commit_events(engine, table, scratch_topic, [str(uuid.uuid4())], per_key=3)

    with pytest.raises(SystemExit):
        await OutboxRelay(
            engine=engine, producer=_DiesAfterPublishing(producer), table=table
        ).publish_pending()
    await OutboxRelay(engine=engine, producer=producer, table=table).publish_pending()

    received = await _read_all(infra.kafka.bootstrap_servers, scratch_topic, expected=len(sent) + 1)
    assert len(received) == len(sent) + 1  # the event published before the crash went twice...
    assert {e.event_id for e in received} == {
        e.event_id for e in sent
    }  # ...and dedupes to each once


async def test_several_relays_at_once_publish_each_event_once(
    infra, outbox_db, producer, scratch_topic
):
    engine, table = outbox_db
    sent = await _commit_events(
        engine, table, scratch_topic, [str(uuid.uuid4()) for _ in range(40)], per_key=10
    )
    relays = [
        OutboxRelay(engine=engine, producer=producer, table=table, batch_size=25) for _ in range(3)
    ]

    async def drain(relay: OutboxRelay) -> None:
        while await relay.publish_pending():
            pass

    await asyncio.gather(*(drain(relay) for relay in relays))
    await drain(relays[0])  # a shard skipped because another relay held it is picked up here

    received = await _read_all(infra.kafka.bootstrap_servers, scratch_topic, expected=len(sent))
    assert len(received) == len(sent)
    assert {e.event_id for e in received} == {e.event_id for e in sent}
    assert _in_order_per_key(received)
