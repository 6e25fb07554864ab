"""Reading a topic from its start, as a story or a benchmark checks what reached Kafka."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord


async def records_from_start(
    bootstrap: str, topic: str, *, timeout: float, batch: int | None = None
) -> AsyncIterator[ConsumerRecord]:
    """Every record of `topic` from its earliest offset, as they come, until `timeout` seconds
    have passed; read with `contextlib.aclosing`, so that a reader which stops early closes the
    consumer at once. `batch`: the most records one poll fetches (the consumer's default if
    None). No consumer group: nothing is committed, every reader sees the whole topic."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            polled = await consumer.getmany(timeout_ms=500, max_records=batch)
            for messages in polled.values():
                for message in messages:
                    yield message
    finally:
        await consumer.stop()
