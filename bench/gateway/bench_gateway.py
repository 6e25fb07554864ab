"""Benchmark of the gateway's cost: the same calls through the gateway and straight to the
service (with the internal token the gateway would have signed), side by side in one run.

    .venv/bin/python bench/gateway/bench_gateway.py                 # about a minute
    .venv/bin/python bench/gateway/bench_gateway.py --requests 3000 --clients 16

Starts its own platform on free ports (PostgreSQL, Kafka, SMTP sink, services, gateway), signs
16 companies up, registers an enterprise for the first, then for each route measures
  * latency with one client (p50, p99): what the door, token checks and the extra hop add;
  * throughput with several clients (requests per second), gateway / direct.
Rounds alternate gateway and direct so that drift of a shared machine hits both alike, and each
latency run starts once the platform is idle again (the events of the previous run's writes
processed), so that backlog does not land on one side.
Routes: GET /sectors (anonymous read), GET /enterprises/{id} (signed-in read: access token and
the account's enterprises looked up), POST /enterprises/{id}/needs (signed-in write: publish a
need, the platform's most frequent write), POST /enterprises (signed-in write, a new enterprise
each, the companies taking turns; the direct side's internal token lists the same enterprises the
gateway's does at that moment).
The gateway's rate limits are lifted for the run; everything else is as `make up` runs it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "libs" / "eventkit"), str(ROOT / "gateway")]

import httpx  # noqa: E402
import jwt  # noqa: E402

from bench.common import new_profile, parsed_options  # noqa: E402
from devstack.stack import Stack, StackConfig  # noqa: E402
from gateway.adapters.asyncio_network import AsyncioHTTPTransport  # noqa: E402
from tests.e2e.profiles import LIFT_NEED  # noqa: E402


class LoadClient:
    """The load generator's HTTP client, the same for both sides: requests go straight to a pooled
    httpx transport on asyncio sockets (the one the gateway uses), without AsyncClient's cookie jar,
    redirects and URL merging. The client shares the machine's cores with what it measures, and
    AsyncClient's CPU per request was close to the gateway's own, which the three-process gateway
    side pays for more than the two-process direct side; in use, clients are on other machines."""

    def __init__(self, base_url: str, *, connections: int) -> None:
        self._base = httpx.URL(base_url)
        self._transport = AsyncioHTTPTransport(
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        )
        self._timeout = httpx.Timeout(30).as_dict()

    async def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self._send(httpx.Request("GET", self._url(path), headers=headers))

    async def post(
        self, path: str, *, json: dict, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return await self._send(httpx.Request("POST", self._url(path), json=json, headers=headers))

    def _url(self, path: str) -> httpx.URL:
        return self._base.copy_with(raw_path=path.encode())

    async def _send(self, request: httpx.Request) -> httpx.Response:
        request.extensions["timeout"] = self._timeout
        response = await self._transport.handle_async_request(request)
        try:
            await response.aread()
        finally:
            await response.aclose()
        response.request = request
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()


Call = Callable[[LoadClient], Awaitable[httpx.Response]]


@dataclass
class Side:
    latencies_ms: list[float]
    throughput: float

    def p(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


COMPANIES = 16


async def run_calls(
    client: LoadClient, call: Call, *, count: int, clients: int, expected: int
) -> Side:
    latencies: list[float] = []
    remaining = count

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            response = await call(client)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != expected:
                raise RuntimeError(
                    f"{response.request.method} {response.request.url} -> "
                    f"{response.status_code} {response.text[:200]}"
                )

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return Side(latencies, count / (time.perf_counter() - started))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def compare(
    name: str,
    through: Call,
    direct: Call,
    *,
    requests: int,
    clients: int,
    rounds: int,
    expected: int,
    http: dict,
    pids: dict,
) -> dict:
    sides = {"gateway": (http["gateway"], through), "direct": (http["direct"], direct)}
    for client, call in sides.values():  # warm both paths: connections, pools, caches
        await run_calls(client, call, count=50, clients=4, expected=expected)
    latency = {side: [] for side in sides}
    rates = {side: [] for side in sides}
    cpu = {(side, who): 0.0 for side in sides for who in ("gateway", "registry", "client")}
    for _ in range(rounds):
        for side, (client, call) in sides.items():
            await until_quiet(pids)
            latency[side] += (
                await run_calls(
                    client, call, count=requests // (4 * rounds), clients=1, expected=expected
                )
            ).latencies_ms
            before = {
                "gateway": cpu_seconds(pids["gateway"]),
                "registry": cpu_seconds(pids["registry"]),
                "client": time.process_time(),
            }
            rates[side].append(
                (
                    await run_calls(
                        client, call, count=requests // rounds, clients=clients, expected=expected
                    )
                ).throughput
            )
            after = {
                "gateway": cpu_seconds(pids["gateway"]),
                "registry": cpu_seconds(pids["registry"]),
                "client": time.process_time(),
            }
            for who in before:
                cpu[side, who] += after[who] - before[who]
    result = {side: Side(latency[side], statistics.median(rates[side])) for side in sides}
    g, d = result["gateway"], result["direct"]
    per_request = {
        key: seconds * 1000 / (requests // rounds * rounds) for key, seconds in cpu.items()
    }
    return {
        "route": name,
        "gw_rps": g.throughput,
        "direct_rps": d.throughput,
        "ratio": g.throughput / d.throughput,
        "gw_p50": g.p(0.5),
        "gw_p99": g.p(0.99),
        "direct_p50": d.p(0.5),
        "direct_p99": d.p(0.99),
        "added_p50": g.p(0.5) - d.p(0.5),
        "gw_cpu_ms": per_request["gateway", "gateway"],
        "cpu_ms": per_request,
    }


async def until_quiet(
    pids: dict[str, int], *, idle_share: float = 0.1, longest: float = 20.0
) -> None:
    """Waits until the platform's processes together use under `idle_share` of one core: a
    write's events (matching, emails) keep other processes busy for a while after the
    throughput run that made them, and that backlog must not land on whichever side runs next."""
    deadline = time.monotonic() + longest
    while time.monotonic() < deadline:
        before = sum(cpu_seconds(pid) for pid in pids.values())
        await asyncio.sleep(0.25)
        if sum(cpu_seconds(pid) for pid in pids.values()) - before < idle_share * 0.25:
            return


def new_platform(state_dir: Path) -> Stack:
    # The run measures the gateway's work, not its rate limits: lift them for this process tree.
    for knob in ("IP_PER_SECOND", "IP_BURST", "ACCOUNT_PER_SECOND", "ACCOUNT_BURST"):
        os.environ[f"GATEWAY_RATE_LIMIT_{knob}"] = "1000000"
    config = StackConfig.on_free_ports(state_dir, demo_mode=True)
    return Stack(config)


def start(stack: Stack) -> None:
    stack.start_infrastructure()
    stack.migrate()
    stack.start_services()


async def bench(stack: Stack, *, requests: int, clients: int, rounds: int) -> list[dict]:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=stack.gateway_url, limits=limits, timeout=30) as gateway:

        def internal(role: str, **claims) -> dict[str, str]:
            now = int(time.time())
            body = {
                "iss": "gateway",
                "aud": "registry",
                "iat": now,
                "exp": now + 3600,
                "role": role,
                **claims,
            }
            return {
                "X-Internal-Token": jwt.encode(
                    body, stack.config.internal_token_secret, algorithm="HS256"
                )
            }

        companies = [await sign_up(gateway) for _ in range(COMPANIES)]
        account, bearer = companies[0]
        enterprise = (
            await gateway.post("/api/v1/enterprises", json=new_profile(), headers=bearer)
        ).json()
        anonymous = internal("anonymous")
        company = internal("company", sub=account["id"], enterprise_ids=[enterprise["id"]])
        # Registrations take turns among the companies, as many companies registering their own
        # would.
        # The gateway vouches for every enterprise a company holds, so its internal token grows with
        # each registration; the direct side carries the same list, or the two calls differ.
        held = {account["id"]: [enterprise["id"]]} | {other["id"]: [] for other, _ in companies[1:]}
        vouched: dict[tuple[str, int], dict[str, str]] = {}
        turns = itertools.cycle(companies)

        def vouched_for(account_id: str) -> dict[str, str]:
            key = (account_id, len(held[account_id]))
            if key not in vouched:
                vouched[key] = internal(
                    "company", sub=account_id, enterprise_ids=sorted(held[account_id])
                )
            return vouched[key]

        async def register(client: LoadClient, *, through_gateway: bool) -> httpx.Response:
            turn, turn_bearer = next(turns)
            if through_gateway:
                response = await client.post(
                    "/api/v1/enterprises", json=new_profile(), headers=turn_bearer
                )
            else:
                response = await client.post(
                    "/enterprises", json=new_profile(), headers=vouched_for(turn["id"])
                )
            if response.status_code == 201 and through_gateway:
                held[turn["id"]].append(response.json()["id"])
            return response

        http = {
            "gateway": LoadClient(stack.gateway_url, connections=64),
            "direct": LoadClient(stack.service_url("registry"), connections=64),
        }
        pids = {child.name: child.process.pid for child in stack.supervisor.children}
        options = {
            "requests": requests,
            "clients": clients,
            "rounds": rounds,
            "http": http,
            "pids": pids,
        }
        enterprise_path = f"/enterprises/{enterprise['id']}"
        try:
            return await measure_routes(
                options,
                anonymous=anonymous,
                company=company,
                bearer=bearer,
                enterprise_path=enterprise_path,
                register=register,
                requests=requests,
            )
        finally:
            for client in http.values():
                await client.aclose()


async def measure_routes(
    options: dict, *, anonymous, company, bearer, enterprise_path, register, requests: int
) -> list[dict]:
    return [
        await compare(
            "GET /sectors (anonymous)",
            lambda c: c.get("/api/v1/sectors"),
            lambda c: c.get("/sectors", headers=anonymous),
            expected=200,
            **options,
        ),
        await compare(
            "GET /enterprises/{id} (signed in)",
            lambda c: c.get(f"/api/v1{enterprise_path}", headers=bearer),
            lambda c: c.get(enterprise_path, headers=company),
            expected=200,
            **options,
        ),
        await compare(
            "POST /enterprises/{id}/needs (signed in)",
            lambda c: c.post(f"/api/v1{enterprise_path}/needs", json=LIFT_NEED, headers=bearer),
            lambda c: c.post(f"{enterprise_path}/needs", json=LIFT_NEED, headers=company),
            expected=201,
            **(options | {"requests": max(requests // 2, 8 * options["rounds"])}),
        ),
        await compare(
            "POST /enterprises (signed in)",
            lambda c: register(c, through_gateway=True),
            lambda c: register(c, through_gateway=False),
            expected=201,
            **(options | {"requests": max(requests // 2, 8 * options["rounds"])}),
        ),
    ]


async def sign_up(gateway: httpx.AsyncClient) -> tuple[dict, dict[str, str]]:
    email, password = f"bench-{uuid.uuid4().hex[:8]}@example.ru", "bench passphrase"
    await gateway.post("/api/v1/auth/register", json={"email": email, "password": password})
    tokens = (
        await gateway.post("/api/v1/auth/token", data={"username": email, "password": password})
    ).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    account = (
        await gateway.get("/api/v1/auth/me", headers=headers)
    ).json()  # the sign-up answer names no account
    return account, headers


def report(rows: list[dict], *, clients: int) -> None:
    print(
        f"\n{'route':<36} {'gateway req/s':>13} {'direct req/s':>12} {'ratio':>6}   "
        f"{'gw p50':>7} {'gw p99':>7} {'dir p50':>7} {'dir p99':>7} {'added p50':>9} "
        f"{'gw CPU/req':>10}"
    )
    for r in rows:
        print(
            f"{r['route']:<36} {r['gw_rps']:>13.0f} {r['direct_rps']:>12.0f} {r['ratio']:>6.2f}   "
            f"{r['gw_p50']:>7.2f} {r['gw_p99']:>7.2f} {r['direct_p50']:>7.2f} "
            f"{r['direct_p99']:>7.2f} {r['added_p50']:>9.2f} "
            f"{r['gw_cpu_ms']:>10.2f}"
        )
    print(
        f"(throughput with {clients} concurrent clients; latencies in ms with one client; "
        "gateway CPU ms per request;\n"
        " targets: ratio >= 0.70, added p50 < 5 ms; load average at the end: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    print("CPU ms per request in the throughput runs (gateway side / direct side):")
    for r in rows:
        c = r["cpu_ms"]
        print(
            f"  {r['route']:<34} gateway {c['gateway', 'gateway']:.2f}; registry "
            f"{c['gateway', 'registry']:.2f} / {c['direct', 'registry']:.2f}; "
            f"bench client {c['gateway', 'client']:.2f} / {c['direct', 'client']:.2f}"
        )
    for r in rows:
        verdict = "meets" if r["ratio"] >= 0.7 and r["added_p50"] < 5 else "MISSES"
        print(f"  {r['route']}: {verdict} the targets")


OPTIONS = {
    "--requests": (1200, "requests per route and side for the throughput runs"),
    "--clients": (8, "concurrent clients for the throughput runs"),
    "--rounds": (3, "alternating gateway/direct rounds"),
}


def main() -> int:
    args = parsed_options(__doc__, OPTIONS)
    state_dir = Path(tempfile.mkdtemp(prefix="unionmatch-bench-"))
    started = time.monotonic()
    stack = new_platform(state_dir)
    try:
        start(stack)  # inside the try: whatever started is stopped even if a later part fails
        print(f"platform up in {time.monotonic() - started:.0f}s; measuring...", flush=True)
        rows = asyncio.run(
            bench(stack, requests=args.requests, clients=args.clients, rounds=args.rounds)
        )
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        for child in stack.supervisor.children:
            if child.name in ("gateway", "registry"):
                print(
                    f"--- last lines of {child.name}'s log:\n{child.log_tail(8)}", file=sys.stderr
                )
        return 1
    finally:
        stack.stop()
        shutil.rmtree(state_dir, ignore_errors=True)
    report(rows, clients=args.clients)
    print(f"total {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
