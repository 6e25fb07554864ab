"""Load benchmark: companies and reviewers (bench/load/locustfile.py) on the whole platform for a
fixed time, once with one instance of each consumer and once with two instances of matching and of
notifications in their consumer groups, each run on a fresh platform, side by side in one command.

    .venv/bin/python bench/load/run_load.py                        # 60 s per run, ~8 min in all
    .venv/bin/python bench/load/run_load.py --seconds 30 --companies 20 --instances 1
    make load

It starts the platform on free loopback ports (bench/common.whole_platform: PostgreSQL, Kafka, the
SMTP sink, the services, the gateway; the gateway's rate limits lifted), runs locust headless in a
subprocess (gevent stays in its process) with CSV output, samples every consumer group's lag each
second, and after the load waits (bounded) until every email it caused is at the SMTP sink. It
prints and writes to --out (default .cache/load/<time>/): requests per second, p50/p99 per route,
the error rate, the lag over time, and the time from the end of the load until the last email
arrived; every process's log is kept there too.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import parsed_options, whole_platform
from bench.load.lag import LagSampler, LagSamples
from devstack.ports import free_port
from devstack.stack import ROOT, Stack

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
SCALED = ("matching", "notifications")  # the consumers run twice in the second configuration
DRAIN_TIMEOUT = 300.0  # after the load, for every email to reach the sink
EMAILS_IN_FLIGHT = ("queued", "sending", "failed")  # a delivery still on its way to the sink


@dataclass
class Route:
    name: str
    requests: int
    failures: int
    p50_ms: float
    p99_ms: float


@dataclass
class RunFigures:
    instances: int
    seconds: float
    requests: int
    failures: int
    requests_per_second: float
    steady_requests_per_second: float
    routes: list[Route]
    confirmation_email: Route | None
    peak_lag: dict[str, int]
    lag_zero_after_s: float | None
    lag_timeline: list[tuple[float, dict[str, int]]]  # every fifth sample
    emails: int
    deliveries: dict[str, int]
    emails_after_load_s: float | None
    failure_kinds: list[str]
    conflicts: int  # of the failures, 409s: the match had changed since the caller read it
    load_average: float  # the machine's, over the last minute of the load (every process on it)

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


def start_more_instances(stack: Stack, instances: int) -> None:
    """More `serve` processes of matching and of notifications, up to `instances` of each, in the
    default consumer groups as further replicas would run (each its own HTTP port; matching's
    outbox relays share the outbox's shards)."""
    for number in range(2, instances + 1):
        for name in SCALED:
            port = free_port()
            env = stack.service_env(name) | {f"{name.upper()}_HTTP_PORT": str(port)}
            child = stack.supervisor.start(
                f"{name}-{number}", [sys.executable, "-m", name, "serve"], env=env, cwd=ROOT
            )
            stack._await_http(child, f"http://127.0.0.1:{port}/readyz", timeout=90)


async def groups_settled(bootstrap: str, members: int, *, timeout: float = 90) -> None:
    """Waits until each scaled group is Stable with `members` members (each owns partitions)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            # One group a request: aiokafka 0.14 misreads the broker's answer about several.
            described = [
                g
                for name in SCALED
                for r in await admin.describe_consumer_groups([name])
                for g in r.groups
            ]
            if all(g[2] == "Stable" and len(g[5]) == members for g in described):
                return
            await asyncio.sleep(0.5)
        raise RuntimeError(f"the consumer groups did not settle with {members} members each")
    finally:
        await admin.close()


async def locust(stack: Stack, args, prefix: Path) -> None:
    command = [
        *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary"),
        *("--users", str(args.companies + args.reviewers), "--spawn-rate", str(args.spawn_rate)),
        *("--run-time", f"{args.seconds}s", "--stop-timeout", "10", "--loglevel", "WARNING"),
        *("--host", stack.gateway_url, "--csv", str(prefix)),
        *("--mail-api", stack.mail_api_url, "--reviewers", str(args.reviewers)),
        *("--last-request-file", f"{prefix}_last_request.txt"),
    ]
    with (prefix.parent / "locust.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=ROOT, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
        try:
            await asyncio.wait_for(process.wait(), timeout=args.seconds + 120)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise RuntimeError("locust did not stop in time; see locust.log") from None


async def unsent(stack: Stack) -> tuple[int, dict[str, int]]:
    """Unpublished outbox rows over the services, and the deliveries by status."""
    outbox = 0
    statuses: dict[str, int] = {}
    for service in ("registry", "matching", "notifications"):
        engine = create_async_engine(stack.database_url(service))
        try:
            async with engine.connect() as connection:
                outbox += await connection.scalar(
                    text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                )
                if service == "notifications":
                    rows = await connection.execute(
                        text("SELECT status, count(*) FROM deliveries GROUP BY status")
                    )
                    statuses = dict(rows.all())
        finally:
            await engine.dispose()
    return outbox, statuses


async def sink_arrivals(stack: Stack) -> list[datetime]:
    async with httpx.AsyncClient(base_url=stack.mail_api_url, timeout=60) as client:
        total = (await client.get("/api/v1/messages", params={"limit": 1})).json()["total"]
        page = (await client.get("/api/v1/messages", params={"limit": total + 1})).json()
    return [datetime.fromisoformat(m["Created"]) for m in page["messages"]]


async def drained(
    stack: Stack, sampler: LagSampler, samples: LagSamples, since: float
) -> tuple[list[datetime], dict[str, int]]:
    """Waits until nothing is left on the way to the sink: every group caught up, every outbox
    published, no delivery queued, sending or retrying, and the sink holds at least every email
    marked sent. Returns the sink's arrival times and the deliveries by status; the lags it reads
    join `samples`."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while time.monotonic() < deadline:
        lags = await sampler.lags()
        samples.samples.append((time.time() - since, lags))
        outbox, statuses = await unsent(stack)
        arrivals = await sink_arrivals(stack)
        in_flight = sum(statuses.get(s, 0) for s in EMAILS_IN_FLIGHT)
        if not any(lags.values()) and not outbox and not in_flight:
            if len(arrivals) >= statuses.get("sent", 0):
                return arrivals, statuses
        await asyncio.sleep(1)
    raise RuntimeError(
        f"not drained within {DRAIN_TIMEOUT:.0f}s: lag {lags}, outbox {outbox}, {statuses}"
    )


async def measured(stack: Stack, args, run_dir: Path, instances: int) -> RunFigures:
    samples = LagSamples()
    async with LagSampler(stack.kafka.bootstrap_servers) as sampler:
        stop = asyncio.Event()
        began = time.time()
        sampling = asyncio.create_task(sampler.sample(samples, every=1, since=began, stop=stop))
        try:
            await locust(stack, args, run_dir / "locust")
            load_average = os.getloadavg()[0]
            arrivals, statuses = await drained(stack, sampler, samples, began)
        finally:
            stop.set()
            await sampling
    samples.samples.sort(key=lambda sample: sample[0])  # the sampler's and the drain's readings
    (run_dir / "lag.csv").write_text("\n".join(samples.csv_rows()) + "\n")
    last = max(arrivals, default=None)
    ended = float((run_dir / "locust_last_request.txt").read_text())
    return figures_from_csv(
        run_dir / "locust",
        instances=instances,
        seconds=args.seconds,
        load_average=load_average,
        lag=samples,
        lag_zero_after_s=samples.caught_up_after(ended - began),
        emails=len(arrivals),
        deliveries=statuses,
        # Negative: the last email was at the sink before the last request ended.
        emails_after_load_s=None if last is None else last.timestamp() - ended,
    )


def figures_from_csv(prefix: Path, *, lag: LagSamples, **known) -> RunFigures:
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = list(csv.DictReader(stats))
    with open(f"{prefix}_stats_history.csv", newline="") as history:
        steady = [float(r["Requests/s"]) for r in csv.DictReader(history) if r["User Count"]]
    with open(f"{prefix}_failures.csv", newline="") as failures:
        failed = list(csv.DictReader(failures))
    kinds = [f"{r['Occurrences']}× {r['Method']} {r['Name']}: {r['Error'][:160]}" for r in failed]
    # A 409: the match changed between the caller's read and its decision (the partner declined,
    # the matcher withdrew it), the platform's answer to a race of two people, not a fault.
    conflicts = sum(int(r["Occurrences"]) for r in failed if "('409 " in r["Error"])

    def route(row: dict) -> Route:
        return Route(
            name=f"{row['Type']} {row['Name']}",
            requests=int(row["Request Count"]),
            failures=int(row["Failure Count"]),
            p50_ms=float(row["50%"] or "nan"),
            p99_ms=float(row["99%"] or "nan"),
        )

    http = [route(r) for r in rows if r["Name"] != "Aggregated" and r["Type"] != "EMAIL"]
    email = [route(r) for r in rows if r["Type"] == "EMAIL"]
    requests = sum(r.requests for r in http)
    # Steady: the last half of the run, when every user has spawned and onboarded.
    tail = steady[len(steady) // 2 :]
    return RunFigures(
        **known,
        requests=requests,
        failures=sum(r.failures for r in http),
        requests_per_second=requests / known["seconds"],
        steady_requests_per_second=sum(tail) / len(tail) if tail else float("nan"),
        routes=sorted(http, key=lambda r: -r.requests),
        confirmation_email=email[0] if email else None,
        peak_lag={group: lag.peak(group) for group in lag.groups},
        lag_timeline=lag.samples[::5],
        failure_kinds=kinds,
        conflicts=conflicts,
    )


def report(all_figures: list[RunFigures], args) -> str:
    cores = os.cpu_count()
    lines = [
        f"{args.companies} companies and {args.reviewers} reviewers, {args.seconds} s per run, "
        f"spawned at {args.spawn_rate:g}/s, on {cores} cores",
    ]
    for f in all_figures:
        lines += [
            "",
            f"== {f.instances} instance(s) of matching and of notifications ==",
            f"requests {f.requests}, {f.requests_per_second:.1f}/s over the run, "
            f"{f.steady_requests_per_second:.1f}/s steady (second half); errors {f.failures} "
            f"({100 * f.error_rate:.2f} %, of which {f.conflicts} 409: the match had changed); "
            f"machine load average {f.load_average:.1f} at its end",
            f"{'route':<52} {'requests':>8} {'failed':>6} {'p50 ms':>7} {'p99 ms':>7}",
            *(
                f"{r.name:<52} {r.requests:>8} {r.failures:>6} {r.p50_ms:>7.0f} {r.p99_ms:>7.0f}"
                for r in [*f.routes, *filter(None, [f.confirmation_email])]
            ),
            *(f"  failure: {kind}" for kind in f.failure_kinds[:8]),
            "consumer lag (messages behind), every fifth sample (about 5 s): seconds "
            + " ".join(f"| {g}" for g in f.peak_lag),
            *(
                f"  {t:>5.0f} " + " ".join(f"| {lags[g]:>{len(g)}}" for g in f.peak_lag)
                for t, lags in f.lag_timeline
            ),
            "peak lag: "
            + ", ".join(f"{g} {n}" for g, n in f.peak_lag.items())
            + "; every group at zero "
            + (
                f"{f.lag_zero_after_s:.1f} s after the last request"
                if f.lag_zero_after_s is not None
                else "-"
            ),
            f"emails at the sink: {f.emails} (deliveries by status {f.deliveries}); "
            + emails_after_load(f.emails_after_load_s),
        ]
    if len(all_figures) == 2:
        one, two = all_figures
        ratio = two.steady_requests_per_second / one.steady_requests_per_second
        lines.append(f"\n{two.instances} instances / 1: steady requests/s {ratio:.2f}")
    return "\n".join(lines)


def emails_after_load(seconds: float | None) -> str:
    if seconds is None:
        return "none was sent"
    if seconds <= 0:
        return f"the last was there {-seconds:.1f} s before the last request ended"
    return f"the last arrived {seconds:.1f} s after the last request ended"


def keep_logs(stack: Stack, into: Path) -> None:
    """Every process's log, kept beside the figures (the platform's directory is removed)."""
    into.mkdir(exist_ok=True)
    for child in stack.supervisor.children:
        if child.log_path.exists():
            shutil.copy(child.log_path, into / child.log_path.name)


OPTIONS = {
    "--seconds": (60, "how long the load lasts, per run"),
    "--companies": (60, "companies (users that sign up, register, publish and answer)"),
    "--reviewers": (2, "agency reviewers (users that verify and approve)"),
    "--spawn-rate": (2.0, "users started per second"),
    "--instances": ([1, 2], "instances of matching and of notifications, one run each"),
    "--out": ("", "where the CSV files and summary go (default .cache/load/<UTC time>)"),
}


def main() -> None:
    args = parsed_options(__doc__, OPTIONS)
    out = Path(args.out or ROOT / ".cache" / "load" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S"))
    all_figures = []
    for instances in args.instances:
        run_dir = out / f"instances-{instances}"
        run_dir.mkdir(parents=True, exist_ok=True)
        with whole_platform(logs_of=("gateway", *SCALED)) as stack:
            start_more_instances(stack, instances)
            asyncio.run(groups_settled(stack.kafka.bootstrap_servers, instances))
            try:
                figures = asyncio.run(measured(stack, args, run_dir, instances))
            finally:
                keep_logs(stack, run_dir / "logs")
        all_figures.append(figures)
        (run_dir / "figures.json").write_text(json.dumps(asdict(figures), indent=1, default=str))
    summary = report(all_figures, args)
    (out / "summary.txt").write_text(summary + "\n")
    print(summary)
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
