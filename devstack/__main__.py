"""python -m devstack up|down|status — the whole platform on this machine, without Docker.

up    starts PostgreSQL, Kafka, the SMTP sink, the services and the gateway, loads the demo
      data, prints where everything listens, keeps it running (a part that exits is restarted
      with back-off; one that keeps failing, 5 restarts within a minute, stops everything) and
      stops it all on Ctrl-C
down  stops what an `up` in another terminal started
status  each part of a running `up`: its pid, whether it is up, how often it was restarted
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import time
from pathlib import Path

from devstack.demo import load_demo
from devstack.errors import StackError
from devstack.processes import poll, process_exists, stop_recorded
from devstack.secrets import load_or_create as load_or_create_secrets
from devstack.stack import ROOT, SERVICES, Stack, StackConfig
from devstack.supervision import STATUS_FILE_NAME, read_status, watch_stack

STATE_DIR = ROOT / ".cache" / "platform"
UP_PID_FILE_NAME = "up.pid"
_TEND_INTERVAL = 0.25  # how soon an exited part is noticed


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="run the whole platform until Ctrl-C")
    up.add_argument("--web-port", type=int, default=8080)
    up.add_argument("--gateway-port", type=int, default=8000)
    up.add_argument(
        "--gateway-ops-port",
        type=int,
        default=8009,
        help="the gateway's readiness and metrics (loopback only)",
    )
    for service, port in (("registry", 8001), ("matching", 8002), ("notifications", 8003)):
        up.add_argument(f"--{service}-port", type=int, default=port)
    up.add_argument("--kafka-port", type=int, default=9092)
    up.add_argument("--kafka-controller-port", type=int, default=9093)
    up.add_argument("--postgres-port", type=int, default=5432)
    up.add_argument(
        "--database-url",
        default=None,
        help="use this PostgreSQL server (URL without a database name) instead of pgserver",
    )
    up.add_argument("--smtp-port", type=int, default=1025)
    up.add_argument("--smtp-http-port", type=int, default=8025)
    up.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    up.add_argument(
        "--state-dir",
        type=Path,
        default=STATE_DIR,
        help="where data, logs and process records are kept",
    )
    up.add_argument("--kafka-timeout", type=float, default=90.0)
    down = sub.add_parser("down", help="stop a running `up`")
    down.add_argument("--state-dir", type=Path, default=STATE_DIR)
    status = sub.add_parser("status", help="the parts of a running `up` and their restarts")
    status.add_argument("--state-dir", type=Path, default=STATE_DIR)
    demo = sub.add_parser(
        "load-demo",
        help="load the demo data through a running gateway (docker compose's demo profile)",
    )
    demo.add_argument("--gateway-url", required=True)
    args = parser.parse_args()
    # The broker is expected to refuse connections while it starts; the wait reports real failures.
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        if args.command == "status":
            return run_status(args.state_dir)
        if args.command == "load-demo":
            print(f"demo data: {load_demo(args.gateway_url)}", flush=True)
            return 0
        return run_up(args) if args.command == "up" else run_down(args.state_dir)
    except StackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def run_down(state_dir: Path) -> int:
    stopped = []
    up_pid_file = state_dir / UP_PID_FILE_NAME
    if up_pid_file.exists():
        # Ask the running `up` to stop; it stops its children itself.
        pid = int(up_pid_file.read_text())
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
            _wait_gone(pid, timeout=120)
            stopped.append("platform")
        up_pid_file.unlink(missing_ok=True)
    stopped += stop_recorded(state_dir / "run")
    from devstack.postgres import LocalPostgres  # only to stop the server `up` left running

    if (state_dir / "postgres" / "postmaster.pid").exists():
        LocalPostgres(data_dir=state_dir / "postgres", port=0).stop()
        stopped.append("postgresql")
    print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
    return 0


def run_status(state_dir: Path) -> int:
    up_pid_file = state_dir / UP_PID_FILE_NAME
    parts = read_status(state_dir / "run")
    if (
        not up_pid_file.exists()
        or not process_exists(int(up_pid_file.read_text()))
        or parts is None
    ):
        print(f"the platform is not running (no `make up` with state in {state_dir})")
        return 1
    print(f"{'part':<16} {'pid':>8}  {'state':<10} restarts")
    for part in parts:
        print(f"{part['name']:<16} {part['pid'] or '-':>8}  {part['state']:<10} {part['restarts']}")
    return 0


def _wait_gone(pid: int, *, timeout: float) -> None:
    poll(lambda: not process_exists(pid), timeout=timeout)


# The flags of `up` that are settings of the stack under the same name.
_STACK_FLAGS = (
    "state_dir",
    "web_port",
    "gateway_port",
    "gateway_ops_port",
    "kafka_port",
    "kafka_controller_port",
    "postgres_port",
    "smtp_port",
    "smtp_http_port",
    "kafka_timeout",
)


def run_up(args: argparse.Namespace) -> int:
    config = StackConfig(
        **{flag: getattr(args, flag) for flag in _STACK_FLAGS},
        service_ports={name: getattr(args, f"{name}_port") for name in SERVICES},
        external_database_url=args.database_url,
        # The demo opens about a hundred company accounts from this machine's address, all at once.
        gateway_registrations_per_address=1_000,
        # Made on the first run and kept in the state folder: never a secret published in the
        # repository.
        **load_or_create_secrets(args.state_dir),
    )
    stack = Stack(config)
    stack.check_prerequisites()
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.monotonic()
    up_pid_file = args.state_dir / UP_PID_FILE_NAME
    up_pid_file.parent.mkdir(parents=True, exist_ok=True)
    up_pid_file.write_text(str(os.getpid()))
    try:
        _step("PostgreSQL, Kafka and the SMTP sink", stack.start_infrastructure)
        _step("migrations", stack.migrate)
        _step("services and gateway", stack.start_services)
        if not args.no_demo:
            counts = _step("demo data", lambda: load_demo(stack.gateway_url))
            print(f"  demo enterprises: {counts or 'no demo file'}")
        _print_addresses(stack, time.monotonic() - started)
        watchdog = watch_stack(stack, say=_say)
        _say(watchdog.health_line())
        while True:
            watchdog.tend()
            time.sleep(_TEND_INTERVAL)
    except KeyboardInterrupt:
        print("\nstopping...")
    finally:
        # A `make down` arriving while we already stop (after a child died, say) must not cut the
        # stop short.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
        (stack.supervisor.run_dir / STATUS_FILE_NAME).unlink(missing_ok=True)
        up_pid_file.unlink(missing_ok=True)
        print("stopped everything.")
    return 0


def _step(title: str, action):
    print(f"starting {title}...", flush=True)
    return action()


def _say(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)


def _print_addresses(stack: Stack, seconds: float) -> None:
    c = stack.config
    print(
        f"""
Union Match is up ({seconds:.0f}s). Ctrl-C or `make down` stops everything.
  web (open this)       {stack.web_url}/
  agency's console      {stack.web_url}/console   (agency@demo.local / demo-agency)
  gateway (API)         {stack.gateway_url}/api/v1   docs: {stack.gateway_url}/docs
  gateway operations    {stack.gateway_ops_url}/readyz   {stack.gateway_ops_url}/metrics
  registry              {stack.service_url("registry")}
  matching              {stack.service_url("matching")}
  notifications         {stack.service_url("notifications")}
  kafka                 {stack.kafka.bootstrap_servers}
  postgresql            {stack.database_url("<service>")}
  smtp sink             127.0.0.1:{c.smtp_port}   mail API: {stack.mail_api_url}/api/v1/messages
  emails (read them)    {stack.mail_api_url}/   the inbox of every email the platform sent
  logs                  {stack.supervisor.run_dir}/""",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
