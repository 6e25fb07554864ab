"""`python -m eventkit.replay`: puts the records of a dead-letter topic back on their topic, once
the operator has fixed what made the consumers set them aside.

It reads `<topic>.dlq` from its own consumer group's committed offsets (the earliest record the
first time) up to the end offsets taken when it starts, so it stops by itself even while consumers
keep parking records. Each record goes back to its source topic (the `source_topic` header
EventConsumer wrote, or the name without `.dlq`) with the same key and value, so it lands on the
partition of its key's other events, and a `replayed_from` header naming the dead-letter record.
Once the broker has acknowledged a batch, the group's offsets are committed: a second run replays
only what was parked since. `--dry-run` lists what would be replayed and changes nothing.

Every consumer group of the source topic reads a replayed event again, not only the one that
parked it. That is harmless: the consumers apply each event id once (processed_events), so an
event one of them had already applied is passed over.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError

from eventkit.envelope import Envelope
from eventkit.kafka import PLAINTEXT, KafkaClientSettings, KafkaSecurity, idempotent_producer
from eventkit.topics import DELIVERIES, dead_letter

DEFAULT_GROUP = "eventkit-dlq-replay"
DEAD_LETTER_SUFFIX = dead_letter("")


class RefusedTopic(Exception):
    """A topic whose records are not events to hand back to their consumers."""


@dataclass
class Replay:
    """What one run did (or, dry, would do)."""

    records: int = 0
    by_source_topic: dict[str, int] = field(default_factory=dict)
    reached_end: bool = True


def source_topic_of(dead_letter_topic: str) -> str:
    """The topic a dead-letter topic's records came from; RefusedTopic for the deliveries' one and
    for a topic that is not a dead-letter topic."""
    if dead_letter_topic == dead_letter(DELIVERIES):
        raise RefusedTopic(
            f"{dead_letter_topic} holds notification.dead facts about emails that could not be "
            "sent, not events to handle again; resend dead emails with "
            "`python -m notifications resend-dead`"
        )
    if not dead_letter_topic.endswith(DEAD_LETTER_SUFFIX):
        raise RefusedTopic(
            f"{dead_letter_topic} is not a dead-letter topic (its name does not end with "
            f"{DEAD_LETTER_SUFFIX!r})"
        )
    return dead_letter_topic.removesuffix(DEAD_LETTER_SUFFIX)


async def replay_dead_letters(
    *,
    bootstrap_servers: str,
    topic: str,
    group: str = DEFAULT_GROUP,
    dry_run: bool = False,
    timeout: float = 120.0,
    security: KafkaSecurity = PLAINTEXT,
    out: TextIO = sys.stdout,
) -> Replay:
    """Replays `topic` (a dead-letter topic) from `group`'s committed offsets up to the end offsets
    of now; prints one line per record to `out`."""
    fallback_source = source_topic_of(topic)
    partitions = await _partitions_of(bootstrap_servers, topic, security)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **security.client_options(),
    )
    # A dry run writes nothing, so it needs no producer (nor a Kafka user allowed to write).
    producer = (
        None
        if dry_run
        else idempotent_producer(
            bootstrap_servers, client_id=f"{group}-producer", security=security
        )
    )
    replayer = _Replayer(producer=producer, fallback_source=fallback_source, out=out)
    await consumer.start()
    try:
        if producer is not None:
            await producer.start()
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout
        while await _left_to_read(consumer, ends):
            if time.monotonic() >= deadline:
                replayer.replay.reached_end = False
                break
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            for partition, messages in batches.items():
                due = [message for message in messages if message.offset < ends[partition]]
                if not due:
                    continue
                await replayer.replay_batch(due)
                if not dry_run:
                    await consumer.commit({partition: due[-1].offset + 1})
        return replayer.replay
    finally:
        if producer is not None:
            await producer.stop()
        await consumer.stop()


async def _partitions_of(
    bootstrap_servers: str, topic: str, security: KafkaSecurity
) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **security.client_options())
    await admin.start()
    try:
        # Listed first: describing a topic that does not exist may create it on some brokers.
        if topic not in await admin.list_topics():
            raise RefusedTopic(f"topic {topic} does not exist on this cluster")
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    numbers = sorted(partition["partition"] for partition in described["partitions"])
    return [TopicPartition(topic, number) for number in numbers]


async def _left_to_read(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return True
    return False


@dataclass
class _Replayer:
    """Sends dead-letter records back to their source topics (none without a producer: a dry run)
    and tells `out` about each."""

    producer: AIOKafkaProducer | None
    fallback_source: str
    out: TextIO
    replay: Replay = field(default_factory=Replay)

    async def replay_batch(self, messages: list[ConsumerRecord]) -> None:
        """One partition's batch, sent; returns once the broker has acknowledged every record."""
        sent = []
        for message in messages:
            source = _header(message, "source_topic") or self.fallback_source
            verb = "replay " if self.producer is not None else "would replay "
            print(verb + _described(message, source), file=self.out)
            self.replay.records += 1
            self.replay.by_source_topic[source] = self.replay.by_source_topic.get(source, 0) + 1
            if self.producer is not None:
                origin = f"{message.topic}/{message.partition}/{message.offset}"
                sent.append(
                    await self.producer.send(
                        source,
                        message.value,
                        key=message.key,
                        headers=[("replayed_from", origin.encode())],
                    )
                )
        await asyncio.gather(*sent)


def _described(message: ConsumerRecord, source: str) -> str:
    try:
        event_type = Envelope.from_bytes(message.value or b"").type
    except ValidationError:
        event_type = "(undecodable)"
    key = message.key.decode(errors="replace") if message.key is not None else "-"
    reason = _header(message, "reason") or "-"
    return (
        f"partition={message.partition} offset={message.offset} to={source} "
        f"type={event_type} key={key} reason={reason!r}"
    )


def _header(message: ConsumerRecord, name: str) -> str | None:
    for header, value in message.headers or ():
        if header == name:
            return value.decode(errors="replace")
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m eventkit.replay",
        description="Puts the records of a dead-letter topic back on their source topic.",
    )
    parser.add_argument("--bootstrap-servers", required=True, help="Kafka brokers, host:port,...")
    parser.add_argument("--topic", required=True, help="the dead-letter topic, e.g. X.dlq")
    parser.add_argument(
        "--group",
        default=DEFAULT_GROUP,
        help=f"consumer group whose committed offsets mark what was replayed ({DEFAULT_GROUP})",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would be replayed; change nothing"
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="give up after this many seconds (120)"
    )
    parser.add_argument(
        "--env-prefix",
        default="REPLAY_",
        help="read SASL/TLS from <PREFIX>KAFKA_SECURITY_PROTOCOL, _SASL_MECHANISM, "
        "_SASL_USERNAME, _SASL_PASSWORD, _SSL_CAFILE (REPLAY_; e.g. MATCHING_ inside a pod of "
        "matching); PLAINTEXT when unset",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """0: every record up to the end offsets of the start is replayed (or listed); 1: the timeout
    came first (what was acknowledged is committed; run it again); 2: a refused topic."""
    args = _parser().parse_args(argv)
    try:
        security = KafkaClientSettings(_env_prefix=args.env_prefix).kafka_security()
    except ValidationError as error:
        print(f"error: Kafka settings under {args.env_prefix}: {error}", file=sys.stderr)
        return 2
    try:
        replay = asyncio.run(
            replay_dead_letters(
                bootstrap_servers=args.bootstrap_servers,
                topic=args.topic,
                group=args.group,
                dry_run=args.dry_run,
                timeout=args.timeout,
                security=security,
            )
        )
    except RefusedTopic as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    verb = "would replay" if args.dry_run else "replayed"
    targets = ", ".join(f"{n} to {topic}" for topic, n in replay.by_source_topic.items())
    print(
        f"{verb} {replay.records} record(s) from {args.topic}" + (f": {targets}" if targets else "")
    )
    if not replay.reached_end:
        print(
            f"error: stopped after {args.timeout:.0f}s before the end; run it again",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
