"""`python -m registry relay` runs the outbox relay as a process of its own: it publishes what the
registry committed and stops cleanly when told to."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid

from aiokafka import AIOKafkaConsumer
from alembic import command
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

from devstack.stack import ROOT
from eventkit.envelope import Envelope
from eventkit.outbox import outbox_row
from registry.__main__ import alembic_config
from registry.adapters.orm import outbox


async def _committed_events(database_url: str, topic: str, count: int) -> list[Envelope]:
    envelopes = [
        Envelope(
            type="listing.published", key=str(uuid.uuid4()), producer="registry", payload={"n": n}
        )
        for n in range(count)
    ]
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(insert(outbox), [outbox_row(e, topic=topic) for e in envelopes])
    await engine.dispose()
    return envelopes


async def _event_ids_on(
    bootstrap: str, topic: str, expected: int, timeout: float = 30
) -> set[uuid.UUID]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    found: set[uuid.UUID] = set()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(found) < expected and asyncio.get_running_loop().time() < deadline:
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                found |= {Envelope.from_bytes(m.value).event_id for m in messages}
    finally:
        await consumer.stop()
    return found


async def test_a_relay_of_its_own_publishes_the_outbox_and_stops_on_sigterm(
    infra, scratch_database, scratch_topic
):
    await asyncio.to_thread(command.upgrade, alembic_config(scratch_database), "head")
    sent = await _committed_events(scratch_database, scratch_topic, 5)
    env = os.environ | infra.service_env("registry") | {"REGISTRY_DATABASE_URL": scratch_database}
    relay = subprocess.Popen(
        [sys.executable, "-m", "registry", "relay"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        received = await _event_ids_on(
            infra.kafka.bootstrap_servers, scratch_topic, expected=len(sent)
        )
    finally:
        relay.send_signal(signal.SIGTERM)
        exit_code = await asyncio.to_thread(relay.wait, 30)

    assert received == {e.event_id for e in sent}
    assert exit_code == 0, relay.stderr.read().decode()[-2000:]
