"""What the platform did with the stream, read from where it lives (the services' databases, the
Kafka topics and the SMTP sink's store), never from the services' own counters; and the verdict:
what was lost, what was sent twice, what 5xx went unretried."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from devstack.stack import Stack
from eventkit.envelope import Envelope
from eventkit.topics import CONSUMED_BY, MATCHES, PARTITIONS, dead_letter
from tests.faults.traffic import Ledger

SETTLE_TIMEOUT = 180.0  # outboxes drained, every group at the end of its topics, emails out
LATE_DUPLICATE_WAIT = 3.0  # a resend arrives right behind the first copy
_CONFIRMATION_LINK = re.compile(r"/confirm-contact\?token=([A-Za-z0-9._-]+)")
# The match emails and the events that cause them (notifications' domain/plans.py MATCH_TEMPLATES).
EMAIL_OF_EVENT = {"match.approved": "suggestion", "match.introduced": "introduction"}


@dataclass
class Verdict:
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    resends: list[str] = field(default_factory=list)  # the one resend allowed, same Message-ID
    unretried: list[str] = field(default_factory=list)  # 5xx not a 503 + Retry-After answered later
    retried: int = 0  # 503s answered on retry
    emails_checked: int = 0
    events_checked: int = 0

    def figures(self) -> dict:
        return {
            "lost": len(self.lost),
            "duplicated": len(self.duplicated),
            "unretried_5xx": len(self.unretried),
            "retried_503": self.retried,
            "resends": len(self.resends),
            "emails_checked": self.emails_checked,
            "events_checked": self.events_checked,
        }

    def problems(self) -> list[str]:
        return self.lost + self.duplicated + self.unretried


# --- the SMTP sink ------------------------------------------------------------------------------
def sink_messages(stack: Stack) -> list[dict]:
    """Every message the sink has received, from its store (kept across its restarts)."""
    store = stack.config.state_dir / "mail.jsonl"
    messages = []
    for line in store.read_text().splitlines() if store.exists() else []:
        try:
            messages.append(json.loads(line))
        except json.JSONDecodeError:  # the line being written right now
            continue
    return messages


def confirm_addresses(stack: Stack, ledger: Ledger, *, timeout: float = 120.0) -> None:
    """Each company follows its enterprise address's confirmation link, as soon as it arrives:
    the emails kept for an unconfirmed address go out only then."""
    waiting = {email.lower() for email in ledger.acknowledged.enterprises.values()}
    deadline = time.monotonic() + timeout
    refused: dict[str, str] = {}  # address -> the last answer to its confirmation
    with httpx.Client(base_url=stack.gateway_url, timeout=20) as gateway:
        while waiting and time.monotonic() < deadline:
            for message in sink_messages(stack):
                token = _CONFIRMATION_LINK.search(message.get("Text") or "")
                to = {a["Address"].lower() for a in message["To"]} & waiting
                if token and to:
                    answer = gateway.post(
                        "/api/v1/contact-confirmations", json={"token": token.group(1)}
                    )
                    if answer.status_code in (200, 409):
                        waiting -= to
                    refused[min(to)] = f"{answer.status_code} {answer.text[:200]}"
            time.sleep(1.0)
    if waiting:
        rows = asyncio.run(
            scalars(
                stack,
                "notifications",
                "SELECT recipient, status, attempts, last_error FROM deliveries "
                "WHERE template = 'contact_confirmation' AND recipient = ANY(:waiting)",
                waiting=sorted(waiting),
            )
        )
        raise AssertionError(
            f"{len(waiting)} enterprise addresses not confirmed: "
            f"{[refused.get(a, 'no link') for a in waiting][:5]}; their confirmations: {rows[:5]}"
        )


# --- Kafka --------------------------------------------------------------------------------------
async def topic_envelopes(bootstrap: str, topic: str) -> list[Envelope]:
    """Every message of the topic, from its first offset to its end offset now."""
    consumer = await _reader(bootstrap)
    try:
        partitions = _partitions([topic])
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        envelopes: list[Envelope] = []
        deadline = time.monotonic() + 60
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            assert time.monotonic() < deadline, f"could not read {topic} to its end"
            for records in (await consumer.getmany(timeout_ms=500)).values():
                envelopes += [Envelope.from_bytes(r.value) for r in records]
        return envelopes
    finally:
        await consumer.stop()


async def _reader(bootstrap: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    return consumer


def _partitions(topics) -> list[TopicPartition]:
    """Every partition of the topics, as the infrastructure created them."""
    return [TopicPartition(t, p) for t in topics for p in range(PARTITIONS[t])]


async def groups_behind(bootstrap: str) -> dict[str, int]:
    """For each consumer group, how many messages of its topics it has not committed yet."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    consumer = await _reader(bootstrap)
    try:
        behind = {}
        for group, topics in CONSUMED_BY.items():
            partitions = _partitions(topics)
            ends = await consumer.end_offsets(partitions)
            committed = await admin.list_consumer_group_offsets(group)
            behind[group] = sum(
                end - (committed[tp].offset if tp in committed else 0) for tp, end in ends.items()
            )
        return behind
    finally:
        await consumer.stop()
        await admin.close()


# --- the databases ------------------------------------------------------------------------------
async def scalars(stack: Stack, database: str, sql: str, **params) -> list:
    engine = create_async_engine(stack.database_url(database), pool_size=1)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(text(sql), params)).all())
    finally:
        await engine.dispose()


async def unpublished(stack: Stack) -> int:
    counts = [
        (await scalars(stack, db, "SELECT count(*) FROM outbox WHERE published_at IS NULL"))[0][0]
        for db in ("registry", "matching")
    ]
    return sum(counts)


# --- waiting and judging ------------------------------------------------------------------------
async def settle(stack: Stack) -> dict[str, int]:
    """Waits (bounded) until both outboxes are published and every group is at its topics' end;
    returns what is still behind (empty when settled)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        behind = {
            g: n for g, n in (await groups_behind(stack.kafka.bootstrap_servers)).items() if n
        }
        if pending := await unpublished(stack):
            behind["outboxes"] = pending
        if not behind or time.monotonic() > deadline:
            return behind
        await asyncio.sleep(1.0)


def expected_message_id(event_id: uuid.UUID, enterprise_id: str, template: str) -> str:
    """The Message-ID notifications gives the email an event causes to an enterprise: the same on
    every attempt (its domain/deliveries.py), so each copy at the sink is recognisable."""
    key = f"{event_id}:enterprise:{enterprise_id}:{template}"
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, key).hex}@unionmatch.local"


async def judge(stack: Stack, ledger: Ledger) -> Verdict:
    verdict = Verdict()
    behind = await settle(stack)
    verdict.lost += [f"{what} still has {n} events not applied" for what, n in behind.items()]
    await _check_acknowledged(stack, ledger, verdict)
    await _check_nothing_dead_lettered(stack, verdict)
    envelopes = await topic_envelopes(stack.kafka.bootstrap_servers, MATCHES)
    await _check_outboxes_on_topics(stack, envelopes, verdict)
    await _check_match_emails(stack, envelopes, verdict)
    _check_server_errors(ledger, verdict)
    return verdict


async def _check_acknowledged(stack: Stack, ledger: Ledger, verdict: Verdict) -> None:
    done = ledger.acknowledged
    enterprises = dict(await scalars(stack, "registry", "SELECT id::text, status FROM enterprises"))
    listings = {row[0] for row in await scalars(stack, "registry", "SELECT id::text FROM listings")}
    matches = {
        row[0]: row[1:]
        for row in await scalars(
            stack, "matching", "SELECT id::text, status, offer_answer, need_answer FROM matches"
        )
    }
    verdict.lost += [
        f"enterprise {e} acknowledged, not in registry"
        for e in done.enterprises
        if e not in enterprises
    ]
    verdict.lost += [
        f"verification of {e} acknowledged, registry says {enterprises.get(e)}"
        for e in done.verified
        if enterprises.get(e) != "verified"
    ]
    verdict.lost += [f"listing {i} acknowledged, not in registry" for i in done.listings - listings]
    verdict.lost += [
        f"approval of {m} acknowledged, matching says {matches.get(m, ('missing',))[0]}"
        for m in done.approved
        if matches.get(m, ("missing",))[0] not in ("approved", "introduced", "closed")
    ]
    sides = {"offer": 1, "need": 2}
    verdict.lost += [
        f"{side}'s answer to {m} acknowledged, matching has {matches.get(m)}"
        for (m, side), answer in done.answers.items()
        if matches.get(m, (None, None, None))[sides[side]] != answer
    ]


async def _check_nothing_dead_lettered(stack: Stack, verdict: Verdict) -> None:
    """A group at its end offsets has read every event, not applied it: what it set aside on a
    dead-letter topic was never applied (the stream sends only valid events, so any is a loss)."""
    for source in sorted({topic for read in CONSUMED_BY.values() for topic in read}):
        letters = await topic_envelopes(stack.kafka.bootstrap_servers, dead_letter(source))
        verdict.lost += [
            f"{letter.type} {letter.event_id} was dead-lettered from {source}, never applied"
            for letter in letters
        ]


async def _check_outboxes_on_topics(
    stack: Stack, match_envelopes: list[Envelope], verdict: Verdict
) -> None:
    """Every event matching wrote to its outbox is on its topic (the registry's reach the groups,
    which `settle` checked, through the same relay code)."""
    on_topic = {e.event_id for e in match_envelopes}
    written = await scalars(
        stack, "matching", "SELECT event_id FROM outbox WHERE topic = :t", t=MATCHES
    )
    verdict.events_checked += len(written)
    verdict.lost += [
        f"match event {e} never reached {MATCHES}" for (e,) in written if e not in on_topic
    ]


async def _check_match_emails(stack: Stack, envelopes: list[Envelope], verdict: Verdict) -> None:
    """Each approved match's suggestion to each side, each introduction to each side: exactly once
    at the sink (a second copy with the same Message-ID is the known resend after a crash
    mid-send, reported; a third is a duplicate)."""
    expected: dict[str, str] = {}
    for envelope in {e.event_id: e for e in envelopes}.values():
        template = EMAIL_OF_EVENT.get(envelope.type)
        if template is None:
            continue
        match_id = envelope.payload["match_id"]
        for side in ("offer", "need"):
            enterprise_id = envelope.payload[side]["enterprise_id"]
            message_id = expected_message_id(envelope.event_id, enterprise_id, template)
            expected[message_id] = f"{template} of match {match_id} to its {side}"
    verdict.emails_checked = len(expected)
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        copies = Counter(m["MessageID"] for m in sink_messages(stack))
        missing = [what for mid, what in expected.items() if not copies[mid]]
        if not missing or time.monotonic() > deadline:
            break
        await asyncio.sleep(1.0)
    await asyncio.sleep(LATE_DUPLICATE_WAIT)
    copies = Counter(m["MessageID"] for m in sink_messages(stack))
    for message_id, what in expected.items():
        if copies[message_id] == 0:
            verdict.lost.append(f"{what} never reached the sink")
        elif copies[message_id] == 2:
            verdict.resends.append(f"{what} resent once (same Message-ID)")
        elif copies[message_id] > 2:
            verdict.duplicated.append(f"{what} reached the sink {copies[message_id]} times")


def _check_server_errors(ledger: Ledger, verdict: Verdict) -> None:
    for error in ledger.server_errors:
        if error.status == 503 and error.retry_after and error.answered_on_retry:
            verdict.retried += 1
        else:
            verdict.unretried.append(
                f"{error.status} on {error.route} (Retry-After {error.retry_after!r}, "
                f"answered on retry: {error.answered_on_retry})"
            )


def figures_file(root: Path) -> Path:
    return root / ".cache" / "faults" / "last-run.json"
