"""Does the gateway's own upstream transport (adapters/asyncio_network.py) still pay for itself?

    .venv/bin/python bench/gateway/bench_transport.py                     # about two minutes
    .venv/bin/python bench/gateway/bench_transport.py --requests 2400 --rounds 4

Starts bench_gateway.py's platform, then a second gateway beside the first, on the same databases
and services, whose upstream calls go through plain `httpx.AsyncHTTPTransport` instead. The same
calls go to both, rounds alternating, with bench_gateway.py's load client, latency runs and
idle waits. Per route it prints each gateway's throughput, latency and CPU per request, and the
ratios: custom/plain throughput, plain/custom CPU. Under 1.10 on CPU the custom transport no
longer pays (issue 14): remove it and use httpx's own.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_gateway as bench  # noqa: E402
import httpx  # noqa: E402

from bench.common import new_profile, parsed_options  # noqa: E402
from devstack.ports import free_port  # noqa: E402

# The second gateway: the same program, its upstreams built on httpx's own transport.
PLAIN_GATEWAY = """
import runpy, sys
import httpx
import gateway.adapters.upstream as upstream
upstream.AsyncioHTTPTransport = lambda *, limits, retries=0: httpx.AsyncHTTPTransport(
    limits=limits, retries=retries
)
sys.argv = ["gateway", "serve"]
runpy.run_module("gateway", run_name="__main__", alter_sys=True)
"""


def start_plain_gateway(stack) -> tuple[int, str]:
    port, ops_port = free_port(), free_port()
    env = stack.service_env("gateway") | {
        "GATEWAY_HTTP_PORT": str(port),
        "GATEWAY_OPS_PORT": str(ops_port),
    }
    child = stack.supervisor.start(
        "gateway-plain", [sys.executable, "-c", PLAIN_GATEWAY], env=env, cwd=bench.ROOT
    )
    stack._await_http(child, f"http://127.0.0.1:{ops_port}/readyz", timeout=60)
    return child.process.pid, f"http://127.0.0.1:{port}"


async def side_by_side(name, call, http, pids, *, requests, clients, rounds, expected) -> None:
    for client in http.values():  # warm both: connections, pools, caches
        await bench.run_calls(client, call, count=50, clients=4, expected=expected)
    latencies = {side: [] for side in http}
    rates = {side: [] for side in http}
    cpu = dict.fromkeys(http, 0.0)
    for _ in range(rounds):
        for side, client in http.items():
            await bench.until_quiet(pids)
            one_client = await bench.run_calls(
                client, call, count=requests // (4 * rounds), clients=1, expected=expected
            )
            latencies[side] += one_client.latencies_ms
            before = bench.cpu_seconds(pids[side])
            loaded = await bench.run_calls(
                client, call, count=requests // rounds, clients=clients, expected=expected
            )
            rates[side].append(loaded.throughput)
            cpu[side] += bench.cpu_seconds(pids[side]) - before
    done = requests // rounds * rounds
    row = {}
    for side in http:
        measured = bench.Side(latencies[side], statistics.median(rates[side]))
        row[side] = (
            measured.throughput,
            measured.p(0.5),
            measured.p(0.99),
            cpu[side] * 1000 / done,
        )
    (c_rps, c_p50, c_p99, c_cpu), (p_rps, p_p50, p_p99, p_cpu) = row["custom"], row["plain"]
    print(
        f"{name:<30} custom {c_rps:5.0f} req/s p50 {c_p50:6.2f} p99 {c_p99:6.2f}"
        f" CPU {c_cpu:4.2f} ms | plain {p_rps:5.0f} req/s p50 {p_p50:6.2f} p99 {p_p99:6.2f}"
        f" CPU {p_cpu:4.2f} ms"
        f" | throughput custom/plain {c_rps / p_rps:.2f}, CPU plain/custom {p_cpu / c_cpu:.2f}",
        flush=True,
    )


async def measure(stack, plain_pid: int, plain_url: str, args) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as gateway:
        _, bearer = await bench.sign_up(gateway)
        profile = new_profile()
        enterprise = (
            await gateway.post("/api/v1/enterprises", json=profile, headers=bearer)
        ).json()
    http = {
        "custom": bench.LoadClient(stack.gateway_url, connections=64),
        "plain": bench.LoadClient(plain_url, connections=64),
    }
    pids = {child.name: child.process.pid for child in stack.supervisor.children}
    pids |= {"custom": pids["gateway"], "plain": plain_pid}
    path = f"/api/v1/enterprises/{enterprise['id']}"
    options = {"requests": args.requests, "clients": args.clients, "rounds": args.rounds}
    writes = options | {"requests": max(args.requests // 2, 8 * args.rounds)}
    try:
        await side_by_side(
            "GET /sectors",
            lambda c: c.get("/api/v1/sectors"),
            http,
            pids,
            expected=200,
            **options,
        )
        await side_by_side(
            "GET /enterprises/{id}",
            lambda c: c.get(path, headers=bearer),
            http,
            pids,
            expected=200,
            **options,
        )
        await side_by_side(
            "POST /enterprises/{id}/needs",
            lambda c: c.post(f"{path}/needs", json=bench.LIFT_NEED, headers=bearer),
            http,
            pids,
            expected=201,
            **writes,
        )
    finally:
        for client in http.values():
            await client.aclose()


# bench_gateway.py's options, its rounds alternating the two gateways.
OPTIONS = bench.OPTIONS | {"--rounds": (3, "alternating custom/plain rounds")}


def main() -> int:
    args = parsed_options(__doc__, OPTIONS)
    state_dir = Path(tempfile.mkdtemp(prefix="unionmatch-bench-transport-"))
    started = time.monotonic()
    stack = bench.new_platform(state_dir)
    try:
        bench.start(stack)
        plain_pid, plain_url = start_plain_gateway(stack)
        print(f"platform up in {time.monotonic() - started:.0f}s; measuring...", flush=True)
        asyncio.run(measure(stack, plain_pid, plain_url, args))
    finally:
        stack.stop()
        shutil.rmtree(state_dir, ignore_errors=True)
    print(
        f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"total {time.monotonic() - started:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
