"""Benchmark of the notifications service: emails per second into the SMTP sink with one and with
several service instances in one consumer group, and the latency from publishing match.approved
to the message at the sink.

    .venv/bin/python bench/notifications/bench_emails.py  # 200 approvals per run, 1 and 3 instances
    .venv/bin/python bench/notifications/bench_emails.py --matches 500 --instances 1 2 4

It starts its own PostgreSQL, Kafka and SMTP sink on free ports (as the tests do), runs the
notifications service as real processes, publishes real eventkit envelopes, and reads the sink's
arrival times. Each run of the service sits between two measures of what the sink takes alone
from one bare connection (`sink alone`, their mean), and `ratio` is the service's emails/s over it.
`cpu ms/email` is the processor time the instances spent on the burst (consuming the events,
rendering, building, sending and recording the emails) over its emails: unlike the rates, it hardly
moves with what else the machine runs.
Each approval causes two emails (one per side). Latency is measured from the
moment the event was handed to the Kafka producer to the sink's receipt time (same clock); the
approval call through the gateway adds the matching service's outbox relay on top of this.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [
    str(ROOT / p) for p in ("libs/eventkit", "libs/servicekit", "services/notifications", ".")
]

import httpx  # noqa: E402
import psutil  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bench.common import parsed_options, percentile, stack_on_free_ports  # noqa: E402
from devstack.ports import free_port  # noqa: E402
from devstack.stack import Stack  # noqa: E402
from eventkit import topics  # noqa: E402
from eventkit.contracts import EnterpriseRegistered, MatchApproved, MatchSide, envelope_for  # noqa: E402
from eventkit.kafka import idempotent_producer  # noqa: E402
from notifications.domain.deliveries import enterprise_address, idempotency_key  # noqa: E402


def message_id(event_id: uuid.UUID, recipient: str, template: str) -> str:
    key = idempotency_key(event_id, recipient, template)
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, key).hex}@unionmatch.local"


def enterprise(i: int, country: str) -> EnterpriseRegistered:
    return EnterpriseRegistered(
        enterprise_id=uuid.uuid4(),
        name=f"Предприятие {country}-{i}",
        country=country,
        region="smolensk_oblast",
        city="Смоленск",
        sectors=["elevators"],
        languages=["ru" if country == "RU" else "be"],
        contact_person="Контакт",
        email=f"bench-{uuid.uuid4().hex[:10]}@example.{country.lower()}",
        status="verified",
        # The owner's confirmed address, as the registry vouches: mailed at once, not kept until a
        # confirmation link is followed.
        contact_email_confirmed=True,
    )


def approval(offer: EnterpriseRegistered, need: EnterpriseRegistered) -> MatchApproved:
    def side(e, title):
        return MatchSide(
            listing_id=uuid.uuid4(),
            enterprise_id=e.enterprise_id,
            enterprise_name=e.name,
            title=title,
        )

    return MatchApproved(
        match_id=uuid.uuid4(),
        offer=side(offer, "Лифты"),
        need=side(need, "120 лифтов"),
        score=0.8,
        reasons_ru=["Та же отрасль"],
        reasons_en=["Same sector"],
        status="approved",
        occurred_at=datetime.now(UTC),
    )


class Run:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    async def publish(self, payloads, *, interval: float = 0.0) -> dict[str, datetime]:
        """Publishes and returns, for each expected email's Message-ID, when its event was handed to
        Kafka."""
        producer = idempotent_producer(self.stack.kafka.bootstrap_servers, client_id="bench")
        await producer.start()
        published: dict[str, datetime] = {}
        try:
            for payload in payloads:
                if isinstance(payload, MatchApproved):
                    envelope = envelope_for(
                        payload, key=str(payload.need.enterprise_id), producer="matching"
                    )
                    expected = [
                        message_id(
                            envelope.event_id, enterprise_address(s.enterprise_id), "suggestion"
                        )
                        for s in (payload.offer, payload.need)
                    ]
                    topic = topics.MATCHES
                else:
                    envelope = envelope_for(
                        payload, key=str(payload.enterprise_id), producer="registry"
                    )
                    expected = [message_id(envelope.event_id, str(payload.email), "welcome")]
                    topic = topics.ENTERPRISES
                at = datetime.now(UTC)
                await producer.send(topic, envelope.to_bytes(), key=envelope.key.encode())
                published.update(dict.fromkeys(expected, at))
                if interval:
                    await asyncio.sleep(interval)
            await producer.flush()
        finally:
            await producer.stop()
        return published

    async def arrivals(self, expected: set[str], *, timeout: float) -> dict[str, datetime]:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.stack.mail_api_url, timeout=30) as client:
            while time.monotonic() < deadline:
                page = (await client.get("/api/v1/messages", params={"limit": 100000})).json()
                arrived = {
                    m["MessageID"]: datetime.fromisoformat(m["Created"])
                    for m in page["messages"]
                    if m["MessageID"] in expected
                }
                if len(arrived) == len(expected):
                    return arrived
                await asyncio.sleep(0.5)
        raise SystemExit(
            f"only {len(arrived)} of {len(expected)} emails arrived within {timeout:.0f}s"
        )


def start_instances(stack: Stack, count: int) -> dict[str, int]:
    """The instances' names and process ids."""
    names = {}
    for i in range(count):
        name = f"notifications-{i}"
        env = stack.service_env("notifications") | {
            "NOTIFICATIONS_HTTP_PORT": str(free_port()),
            "NOTIFICATIONS_LOG_LEVEL": "WARNING",
        }
        child = stack.supervisor.start(
            name, [sys.executable, "-m", "notifications", "serve"], env=env, cwd=ROOT
        )
        stack._await_http(
            child, f"http://127.0.0.1:{env['NOTIFICATIONS_HTTP_PORT']}/readyz", timeout=60
        )
        names[name] = child.pid()
    return names


def cpu_seconds(pids) -> float:
    """User and system time the processes have spent so far."""
    return sum(sum(psutil.Process(pid).cpu_times()[:2]) for pid in pids)


async def sink_ceiling(stack: Stack, *, emails: int = 300) -> float:
    """Emails per second the sink takes from one bare SMTP connection: the ceiling for the runs
    above."""
    from email.message import EmailMessage

    import aiosmtplib

    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=stack.config.smtp_port) as client:
        started = time.perf_counter()
        for i in range(emails):
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = (
                "bench@unionmatch.local",
                f"ceiling-{i}@example.ru",
                "Предложение",
            )
            message.set_content("Текст письма " * 40)
            message.add_alternative("<p>" + "Текст письма " * 40 + "</p>", subtype="html")
            await client.send_message(message)
        return emails / (time.perf_counter() - started)


async def measure(stack: Stack, instances: int, matches: int, paced: int, rate: float) -> dict:
    run = Run(stack)
    names = start_instances(stack, instances)
    try:
        offers = [enterprise(i, "BY") for i in range(max(1, matches // 10))]
        needs = [enterprise(i, "RU") for i in range(matches)]
        # The welcomes prove every instance has joined the group and knows the recipients.
        welcomes = await run.publish([*offers, *needs])
        await run.arrivals(set(welcomes), timeout=120)
        await asyncio.sleep(2)
        cpu_before = cpu_seconds(names.values())
        published = await run.publish(
            [approval(offers[i % len(offers)], need) for i, need in enumerate(needs)]
        )
        arrived = await run.arrivals(set(published), timeout=300)
        cpu = cpu_seconds(names.values()) - cpu_before
        queued = await queued_times(stack, since=min(published.values()))
        # Latency when the service is not saturated: approvals arriving at a steady, modest rate.
        steady = await run.publish(
            [approval(offers[0], needs[i % len(needs)]) for i in range(paced)], interval=1 / rate
        )
        steady_arrived = await run.arrivals(set(steady), timeout=120)
    finally:
        for name in names:
            stack.supervisor.stop(name)
    latencies = [(arrived[m] - published[m]).total_seconds() * 1000 for m in published]
    steady_latencies = [(steady_arrived[m] - steady[m]).total_seconds() * 1000 for m in steady]
    span = (max(arrived.values()) - min(published.values())).total_seconds()
    return {
        "instances": instances,
        "emails": len(published),
        "seconds": span,
        "emails_per_second": len(published) / span,
        "cpu_ms_per_email": cpu * 1000 / len(published),
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "all_queued_s": (max(queued) - min(published.values())).total_seconds(),
        "steady_p50_ms": statistics.median(steady_latencies),
        "steady_p99_ms": percentile(steady_latencies, 0.99),
    }


async def queued_times(stack: Stack, *, since: datetime) -> list[datetime]:
    """When the consumer had recorded each suggestion (the rest of the latency is the sender's
    queue)."""
    engine = create_async_engine(stack.database_url("notifications"))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT created_at FROM deliveries WHERE template = 'suggestion' AND "
                    "created_at >= :since"
                ),
                {"since": since},
            )
            return [row.created_at for row in rows]
    finally:
        await engine.dispose()


def beside_the_sink_alone(stack: Stack, instances: int, args) -> dict:
    """One run of the service between two of the sink alone: on a shared machine the ceiling moves,
    so each run is compared with the ceiling measured just before and just after it."""
    before = asyncio.run(sink_ceiling(stack))
    result = asyncio.run(measure(stack, instances, args.matches, args.paced, args.rate))
    after = asyncio.run(sink_ceiling(stack))
    sink_alone = (before + after) / 2
    return result | {"sink_alone": sink_alone, "ratio": result["emails_per_second"] / sink_alone}


OPTIONS = {
    "--matches": (200, "match.approved events per run (two emails each)"),
    "--instances": ([1, 3], "service instances of one consumer group, one run each"),
    "--paced": (50, "approvals published at a steady rate for the unsaturated latency"),
    "--rate": (10.0, "approvals per second of the steady run"),
}


def main() -> None:
    args = parsed_options(__doc__, OPTIONS)
    with stack_on_free_ports() as stack:
        stack.start_infrastructure()
        stack.migrate()
        results = [beside_the_sink_alone(stack, count, args) for count in args.instances]
    ceiling = statistics.mean(r["sink_alone"] for r in results)
    print(f"the SMTP sink alone takes {ceiling:.0f} emails/s from one bare aiosmtplib connection")
    print(
        f"burst: {args.matches} approvals at once; steady: {args.paced} approvals at "
        f"{args.rate:g}/s (two emails each)"
    )
    print(
        f"{'instances':>9} {'emails':>6} {'seconds':>8} {'emails/s':>9} {'sink alone':>10} "
        f"{'ratio':>5} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'all queued s':>12}"
        f" {'steady p50':>10} {'steady p99':>10} {'cpu ms/email':>12}"
    )
    for r in results:
        print(
            f"{r['instances']:>9} {r['emails']:>6} {r['seconds']:>8.2f} "
            f"{r['emails_per_second']:>9.1f} {r['sink_alone']:>10.0f} {r['ratio']:>5.2f} "
            f"{r['p50_ms']:>8.0f}"
            f" {r['p99_ms']:>8.0f} {r['max_ms']:>8.0f} {r['all_queued_s']:>12.2f} "
            f"{r['steady_p50_ms']:>10.0f} {r['steady_p99_ms']:>10.0f} "
            f"{r['cpu_ms_per_email']:>12.2f}"
        )


if __name__ == "__main__":
    main()
