"""An operator who fixed what made a consumer park events puts them back on their topic with
`python -m eventkit.replay`: the same key and value, once (a second run replays nothing), nothing
at all with --dry-run, and never the deliveries' dead letters (emails go back through
notifications' resend-dead)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition

from eventkit.contracts import EnterpriseRegistered, envelope_for
from eventkit.kafka import idempotent_producer
from eventkit.topics import DELIVERIES, dead_letter
from tests.integration.dead_letters import consumer_of, parked_in_dead_letters
from tests.lift_story_events import lift_maker_event


async def _park_events_as_a_failing_consumer_does(bootstrap: str, topic: str) -> list[tuple]:
    """Publishes three events on `topic`, each under its own key, and runs a consumer whose handler
    always fails until it has parked all three; returns the (key, value) of each."""
    producer = idempotent_producer(bootstrap, client_id="replay-test")
    await producer.start()
    try:
        published = []
        for _ in range(3):
            payload = lift_maker_event(EnterpriseRegistered)
            key = str(payload.enterprise_id)
            value = envelope_for(payload, key=key, producer="test").to_bytes()
            await producer.send_and_wait(topic, value, key=key.encode())
            published.append((key.encode(), value))

        async def fail(envelope, payload) -> None:
            raise RuntimeError("a bug in the handler, since fixed")

        stop = asyncio.Event()
        consumer = consumer_of(
            bootstrap, topic, handle=fail, dead_letters=producer, max_attempts=1, accepts={}
        )
        running = asyncio.create_task(consumer.run(stop))
        try:
            await parked_in_dead_letters(bootstrap, topic, expected=3)
        finally:
            stop.set()
            await asyncio.wait_for(running, timeout=15)
        return published
    finally:
        await producer.stop()


async def _replay(*arguments: str) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "eventkit.replay", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _records_of(bootstrap: str, topic: str) -> list:
    """Every record of `topic` up to its end offsets of now."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await reader.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(3)]  # scratch_topic's three
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        records: list = []
        async with asyncio.timeout(15):
            while sum(ends.values()) > len(records):
                for messages in (await reader.getmany(timeout_ms=500)).values():
                    records += messages
        return records
    finally:
        await reader.stop()


async def test_dead_letters_go_back_to_their_topic_once_and_dry_run_changes_nothing(
    infra, scratch_topic
):
    bootstrap = infra.kafka.bootstrap_servers
    published = await _park_events_as_a_failing_consumer_does(bootstrap, scratch_topic)
    group = f"replay-{uuid.uuid4().hex[:6]}"
    command = ["--bootstrap-servers", bootstrap, "--topic", dead_letter(scratch_topic)]

    dry = await _replay(*command, "--group", group, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    listed = [
        line for line in dry.stdout.splitlines() if line.startswith("would replay partition=")
    ]
    assert len(listed) == 3
    assert all("type=enterprise.registered" in line for line in listed)
    assert all("a bug in the handler, since fixed" in line for line in listed)
    assert len(await _records_of(bootstrap, scratch_topic)) == 3  # nothing was replayed

    first = await _replay(*command, "--group", group)
    assert first.returncode == 0, first.stderr
    assert f"replayed 3 record(s) from {dead_letter(scratch_topic)}" in first.stdout
    records = await _records_of(bootstrap, scratch_topic)
    replayed = [r for r in records if dict(r.headers).get("replayed_from")]
    assert sorted((r.key, r.value) for r in replayed) == sorted(published)
    origins = {dict(r.headers)["replayed_from"].decode() for r in replayed}
    assert origins == {f"{dead_letter(scratch_topic)}/0/{offset}" for offset in range(3)}

    second = await _replay(*command, "--group", group)
    assert second.returncode == 0, second.stderr
    assert "replayed 0 record(s)" in second.stdout
    assert len(await _records_of(bootstrap, scratch_topic)) == 6


async def test_the_deliveries_dead_letters_are_refused_with_the_way_back_for_emails(infra):
    refused = await _replay(
        "--bootstrap-servers", infra.kafka.bootstrap_servers, "--topic", dead_letter(DELIVERIES)
    )
    assert refused.returncode == 2
    assert "python -m notifications resend-dead" in refused.stderr
