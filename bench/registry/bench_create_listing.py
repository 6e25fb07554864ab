"""Create-listing throughput and latency of the registry against a bare FastAPI + asyncpg endpoint
inserting the same row, side by side in one run on loopback; then the outbox relay's rate and its
commit-to-Kafka lag at that load, and how fast it drains a backlog.

    .venv/bin/python -m bench.registry.bench_create_listing [--requests 1500] [--concurrency 16]
    [--relay separate]

Starts its own PostgreSQL, Kafka and registry on free ports (as the tests do) and stops them at
the end. The load generator is a minimal keep-alive HTTP/1.1 client, so that the client's own
cost stays small next to the servers' on a machine of few cores.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from bench.common import internal_token, new_profile, parsed_options, percentile
from devstack.ports import free_port
from devstack.stack import REGISTRY_RELAY, ROOT, Stack, StackConfig
from eventkit.envelope import Envelope
from eventkit.kafka import ensure_topics
from eventkit.outbox import outbox_row
from eventkit.topics import LISTINGS
from tests.e2e.kafka_reading import records_from_start
from tests.e2e.profiles import LIFT_NEED

# The registry stories' need, told at more length and for both sides of the border.
NEED = LIFT_NEED | {
    "description": "Замена лифтов в многоквартирных домах Смоленска в 2027 году; "
    "грузоподъёмность 400 и 630 кг, с демонтажем старых лифтов и диспетчеризацией.",
    "regions": ["smolensk_oblast", "mogilev_oblast"],
}
DRAIN_TOPIC = "bench.relay-drain"


# --- a small keep-alive HTTP/1.1 client --------------------------------------------------------


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, headers: dict[str, str], body: bytes) -> int:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: "
            f"application/json\r\nContent-Length: {len(body)}\r\n"
        )
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line, *header_lines = (
            (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        )
        length = next(
            (
                int(line.split(":", 1)[1])
                for line in header_lines
                if line.lower().startswith("content-length:")
            ),
            0,
        )
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        self.writer.close()


@dataclass
class LoadResult:
    name: str
    requests: int
    seconds: float
    latencies: list[float]
    failures: int
    server_cpu_seconds: float = float("nan")

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        """In milliseconds."""
        return percentile(self.latencies, p / 100) * 1000


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process, from Linux's /proc; NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(
    name: str,
    url: str,
    paths: list[str],
    headers: dict[str, str],
    *,
    requests: int,
    concurrency: int,
    pid: int | None = None,
) -> LoadResult:
    parsed = httpx.URL(url)
    connections = [Connection(parsed.host, parsed.port) for _ in range(concurrency)]
    await asyncio.gather(*(c.open() for c in connections))
    bodies = [
        json.dumps(NEED | {"title": f"{NEED['title']} №{n}"}, ensure_ascii=False).encode()
        for n in range(requests)
    ]
    latencies: list[float] = []
    failures = 0
    next_request = iter(range(requests))

    async def worker(connection: Connection) -> None:
        nonlocal failures
        for n in next_request:
            started = time.perf_counter()
            status = await connection.post(paths[n % len(paths)], headers, bodies[n])
            latencies.append(time.perf_counter() - started)
            failures += status != 201

    cpu_before, started = cpu_seconds(pid), time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    elapsed, cpu_used = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
    for connection in connections:
        connection.close()
    return LoadResult(name, requests, elapsed, latencies, failures, cpu_used)


# --- the stack ---------------------------------------------------------------------------------


def start_stack(state_dir: Path, *, relay: str) -> tuple[Stack, int, int | None]:
    """Returns the stack, the registry's pid and the separate relay's pid (None when in-process)."""
    config = StackConfig.on_free_ports(state_dir, demo_mode=False, registry_relay=relay)
    stack = Stack(config)
    stack.start_infrastructure()
    stack.migrate()
    # The broker stamps each message as it appends it, so lag is measured to Kafka itself.
    asyncio.run(_append_time_stamps(stack.kafka.bootstrap_servers, [LISTINGS]))
    registry = stack.start_service(
        "registry"
    )  # and its relay beside it, as `make up` does, when separate
    relay_pid = next(
        (c.process.pid for c in stack.supervisor.children if c.name == REGISTRY_RELAY), None
    )
    return stack, registry.process.pid, relay_pid


async def _append_time_stamps(bootstrap: str, topics: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.alter_configs(
            [
                ConfigResource(
                    ConfigResourceType.TOPIC, t, {"message.timestamp.type": "LogAppendTime"}
                )
                for t in topics
            ]
        )
    finally:
        await admin.close()


def start_bare(database_url: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.registry.bare_endpoint",
            "--port",
            str(port),
            "--database-url",
            database_url,
        ],
        cwd=ROOT,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the bare endpoint exited; see {log_path}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the bare endpoint did not start within 30 s")


def register_enterprises(registry_url: str, secret: str, count: int) -> list[str]:
    agency = internal_token(secret, audience="registry", role="agency", account_id="bench")
    ids = []
    with httpx.Client(base_url=registry_url, headers=agency, timeout=30) as client:
        for _ in range(count):
            response = client.post("/enterprises", json=new_profile())
            response.raise_for_status()
            ids.append(response.json()["id"])
    return ids


# --- the relay -----------------------------------------------------------------------------------


async def outbox_high_water(database_url: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
    finally:
        await connection.close()


async def wait_until_published(
    connection: asyncpg.Connection, *, after_id: int, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not await connection.fetchval(
            "SELECT count(*) FROM outbox WHERE id > $1 AND published_at IS NULL", after_id
        ):
            return
        await asyncio.sleep(0.05)
    raise SystemExit(f"the relay left events unpublished after {timeout:.0f}s")


async def relay_at_load(
    database_url: str, bootstrap: str, *, id_ranges: list[tuple[int, int]]
) -> dict:
    """Joins each committed outbox row of the registry's rounds to the moment the broker appended
    its message; the rate counts each round from its first to its last append."""
    connection = await asyncpg.connect(database_url)
    try:
        await wait_until_published(connection, after_id=min(low for low, _ in id_ranges))
        rounds = [
            {
                row["event_id"]: row["created_at"]
                for row in await connection.fetch(
                    "SELECT event_id, created_at FROM outbox WHERE id > $1 AND id <= $2 AND "
                    "topic = $3",
                    low,
                    high,
                    LISTINGS,
                )
            }
            for low, high in id_ranges
        ]
    finally:
        await connection.close()
    committed = {event_id: at for one_round in rounds for event_id, at in one_round.items()}
    appended = await _append_times(bootstrap, set(committed))
    lags = sorted((appended[e] - committed[e]).total_seconds() for e in committed if e in appended)
    window = (
        sum(
            (
                max(appended[e] for e in one_round if e in appended)
                - min(appended[e] for e in one_round if e in appended)
            ).total_seconds()
            for one_round in rounds
        )
        or 1e-9
    )
    return {
        "events": len(committed),
        "on_kafka": len(appended),
        "events_per_s": len(appended) / window,
        "lag_p50_ms": percentile(lags, 0.5) * 1000,
        "lag_p99_ms": percentile(lags, 0.99) * 1000,
        "lag_max_ms": lags[-1] * 1000,
    }


async def _append_times(
    bootstrap: str, wanted: set[uuid.UUID], timeout: float = 60
) -> dict[uuid.UUID, datetime]:
    found: dict[uuid.UUID, datetime] = {}
    reading = records_from_start(bootstrap, LISTINGS, timeout=timeout, batch=5000)
    async with aclosing(reading) as records:
        async for message in records:
            event_id = Envelope.from_bytes(message.value).event_id
            if event_id in wanted:
                found[event_id] = datetime.fromtimestamp(message.timestamp / 1000, UTC)
                if len(found) == len(wanted):
                    break
    return found


async def relay_drain(database_url: str, bootstrap: str, *, backlog: int) -> dict:
    """Commits a backlog in one go and times the relay until every row is published."""
    await ensure_topics(bootstrap, {DRAIN_TOPIC: 6})
    connection = await asyncpg.connect(database_url)
    try:
        after_id = await connection.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
        rows = [
            outbox_row(
                Envelope(
                    type="bench.drained", key=str(uuid.uuid4()), producer="bench", payload={"n": n}
                ),
                topic=DRAIN_TOPIC,
            )
            for n in range(backlog)
        ]
        started = time.perf_counter()
        await connection.executemany(
            "INSERT INTO outbox (event_id, topic, key, shard, envelope)"
            " VALUES ($1, $2, $3, $4, $5)",
            [(r["event_id"], r["topic"], r["key"], r["shard"], r["envelope"]) for r in rows],
        )
        await wait_until_published(connection, after_id=after_id)
        elapsed = time.perf_counter() - started
    finally:
        await connection.close()
    return {"backlog": backlog, "seconds": elapsed, "events_per_s": backlog / elapsed}


# --- the run --------------------------------------------------------------------------------------


OPTIONS = {
    "--requests": (1500, "create-listing requests per endpoint and round"),
    "--concurrency": (16, "connections kept open by the load generator"),
    "--rounds": (2, "alternating rounds (bare, registry, registry, bare, ...)"),
    "--enterprises": (8, "enterprises the listings are spread over"),
    "--relay": (
        ("separate", "in-process"),
        "the relay as `python -m registry relay` beside `serve` (as `make up` runs it) "
        "or inside the registry process",
    ),
    "--backlog": (5000, "outbox rows committed at once to time the relay's drain"),
}


def main() -> None:
    args = parsed_options(__doc__, OPTIONS)

    state_dir = Path(tempfile.mkdtemp(prefix="unionmatch-bench-"))
    stack = bare = None
    try:
        print("starting PostgreSQL, Kafka and the registry on free ports ...", flush=True)
        stack, registry_pid, relay_pid = start_stack(state_dir, relay=args.relay)
        registry_url = stack.service_url("registry")
        database_url = stack.database_url("registry").replace("+asyncpg", "")
        bare, bare_url = start_bare(database_url, state_dir / "bare.log")
        enterprise_ids = register_enterprises(
            registry_url, stack.config.internal_token_secret, args.enterprises
        )
        headers = internal_token(
            stack.config.internal_token_secret,
            audience="registry",
            role="company",
            account_id="bench",
            enterprise_ids=enterprise_ids,
        )
        paths = [f"/enterprises/{e}/needs" for e in enterprise_ids]
        pids = {bare_url: bare.pid, registry_url: registry_pid}
        results = asyncio.run(
            _measure(
                args,
                registry_url,
                bare_url,
                pids,
                paths,
                headers,
                database_url,
                stack.kafka.bootstrap_servers,
                relay_pid,
            )
        )
        _report(args, *results)
    finally:
        if bare is not None:
            bare.terminate()
            bare.wait(10)
        if stack is not None:
            stack.stop()
        shutil.rmtree(state_dir, ignore_errors=True)


async def _measure(
    args, registry_url, bare_url, pids, paths, headers, database_url, bootstrap, relay_pid
):
    targets = {
        "bare FastAPI + asyncpg": bare_url,
        "registry (validation, ownership, outbox)": registry_url,
    }
    for name, url in targets.items():  # warm both: connections, pools, caches
        await load(
            name,
            url,
            paths,
            headers,
            requests=min(200, args.requests),
            concurrency=args.concurrency,
        )
    await wait_until_published_after_warmup(database_url)
    runs: dict[str, list[LoadResult]] = {name: [] for name in targets}
    relay_cpu_before = cpu_seconds(relay_pid)
    registry_rounds: list[tuple[int, int]] = []
    order = list(targets)
    for round_number in range(args.rounds):
        for name in order if round_number % 2 == 0 else reversed(order):
            print(f"  round {round_number + 1}: {name} ...", flush=True)
            before = await outbox_high_water(database_url)
            runs[name].append(
                await load(
                    name,
                    targets[name],
                    paths,
                    headers,
                    requests=args.requests,
                    concurrency=args.concurrency,
                    pid=pids[targets[name]],
                )
            )
            if targets[name] == registry_url:
                registry_rounds.append((before, await outbox_high_water(database_url)))
    relay = await relay_at_load(database_url, bootstrap, id_ranges=registry_rounds)
    relay["cpu_seconds"] = cpu_seconds(relay_pid) - relay_cpu_before
    drain = await relay_drain(database_url, bootstrap, backlog=args.backlog)
    return runs, relay, drain


async def wait_until_published_after_warmup(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await wait_until_published(connection, after_id=0)
    finally:
        await connection.close()


def _report(args, runs: dict[str, list[LoadResult]], relay: dict, drain: dict) -> None:
    print(
        f"\ncreate listing, {args.requests} requests x {args.rounds} rounds per endpoint, "
        f"{args.concurrency} connections, loopback"
    )
    print(
        f"{'endpoint':44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>10} {'failed':>7}"
    )
    merged = {}
    for name, results in runs.items():
        latencies = [latency for r in results for latency in r.latencies]
        total = LoadResult(
            name,
            sum(r.requests for r in results),
            sum(r.seconds for r in results),
            latencies,
            sum(r.failures for r in results),
            sum(r.server_cpu_seconds for r in results),
        )
        merged[name] = total
        rounds = " / ".join(f"{r.throughput:.0f}" for r in results)
        cpu_per_request = total.server_cpu_seconds / total.requests * 1000
        print(
            f"{name:44} {total.throughput:8.0f} {total.percentile(50):8.1f} "
            f"{total.percentile(99):8.1f} {cpu_per_request:10.2f} "
            f"{total.failures:7d}   (rounds: {rounds})"
        )
    bare, registry = merged.values()
    ratio = registry.throughput / bare.throughput
    print(
        f"registry / bare throughput: {ratio:.2f} (target >= 0.60: "
        f"{'met' if ratio >= 0.6 else 'NOT met'})"
    )
    if args.relay == "in-process":
        print(
            "(CPU ms/req is the server process's own CPU time per request, the relay inside it "
            "included)"
        )
    else:
        print(
            "(CPU ms/req is the server process's own CPU time per request; the separate relay "
            "used "
            f"{relay['cpu_seconds'] * 1000 / max(1, relay['events']):.2f} ms per event besides)"
        )
    print(
        f"(relay: {args.relay}; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
        "cores)"
    )
    print(
        f"\noutbox relay ({args.relay}) at that load: {relay['on_kafka']}/{relay['events']} "
        "listing events on Kafka, "
        f"{relay['events_per_s']:.0f} events/s; commit-to-Kafka lag p50 "
        f"{relay['lag_p50_ms']:.0f} ms, "
        f"p99 {relay['lag_p99_ms']:.0f} ms, max {relay['lag_max_ms']:.0f} ms"
    )
    print(
        f"outbox relay draining a backlog of {drain['backlog']}: {drain['seconds']:.2f} s, "
        f"{drain['events_per_s']:.0f} events/s"
    )
    if bare.failures or registry.failures or relay["on_kafka"] != relay["events"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
