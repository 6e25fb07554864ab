"""`make up`'s watchdog on real processes: a child killed with SIGKILL comes back on its own and
serves again, so does a PostgreSQL server, and a child that always crashes is given up on within
bounded time. Every process started here is stopped in a finally-block."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest

from devstack.ports import free_port
from devstack.postgres import LocalPostgres
from devstack.processes import Supervisor
from devstack.supervision import (
    PartKeepsFailing,
    SupervisedChild,
    SupervisedPostgres,
    Watchdog,
)

# An HTTP server that says so when SIGTERM stops it.
TOY_SERVER = """
import signal, sys
from http.server import HTTPServer, SimpleHTTPRequestHandler
signal.signal(signal.SIGTERM, lambda *_: (print("stopped by SIGTERM", flush=True), sys.exit(0)))
HTTPServer(("127.0.0.1", int(sys.argv[1])), SimpleHTTPRequestHandler).serve_forever()
"""


def _tend_until(watchdog: Watchdog, done, *, timeout: float) -> float:
    """Tends the parts until `done()` says yes; the seconds it took (fails after `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        watchdog.tend()
        if done():
            return time.monotonic() - started
        time.sleep(0.1)
    pytest.fail(f"not done within {timeout}s")


def _serves(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_a_child_killed_with_sigkill_is_restarted_and_serves_again(tmp_path):
    supervisor = Supervisor(tmp_path / "run")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    said: list[str] = []
    try:
        child = supervisor.start("toy", [sys.executable, "-c", TOY_SERVER, str(port)], cwd=tmp_path)
        watchdog = Watchdog(
            [SupervisedChild(supervisor, child)],
            status_file=tmp_path / "run" / "status.json",
            say=said.append,
        )
        _tend_until(watchdog, lambda: _serves(url), timeout=30)
        first_pid = child.pid()

        os.kill(first_pid, signal.SIGKILL)
        seconds = _tend_until(watchdog, lambda: _serves(url), timeout=30)

        assert child.pid() != first_pid
        assert watchdog.health_line() == "health: all 1 parts up; restarts: toy 1"
        assert "toy was killed by SIGKILL; restarting it in 0.5s" in said[0]
        assert "toy was killed by SIGKILL" in child.log_path.read_text()
        # `make down` finds the new process in the record the supervisor keeps.
        assert str(child.pid()) in (tmp_path / "run" / "processes.json").read_text()
        print(f"toy child serving again {seconds:.2f}s after SIGKILL")

        # The restarted child hears its own SIGTERM (`make down` stops it at once, not after the
        # 20 s that end in SIGKILL).
        supervisor.stop("toy")
        assert child.log_path.read_text().count("stopped by SIGTERM") == 1
    finally:
        supervisor.stop_all()


def test_a_child_that_always_crashes_is_given_up_on_within_bounded_time(tmp_path):
    supervisor = Supervisor(tmp_path / "run")
    try:
        child = supervisor.start(
            "crasher", [sys.executable, "-c", "print('cannot start'); raise SystemExit(3)"]
        )
        watchdog = Watchdog(
            [SupervisedChild(supervisor, child)],
            status_file=tmp_path / "run" / "status.json",
            say=lambda line: None,
        )
        started = time.monotonic()
        with pytest.raises(PartKeepsFailing) as failure:
            _tend_until(watchdog, lambda: False, timeout=60)

        assert time.monotonic() - started < 30  # 15.5 s of back-off and five short runs
        assert "crasher exited with code 3 and keeps failing" in str(failure.value)
        assert "cannot start" in str(failure.value)
    finally:
        supervisor.stop_all()
    assert not child.alive()


def test_a_killed_postgresql_server_is_started_again_and_answers(tmp_path):
    postgres = LocalPostgres(data_dir=tmp_path / "postgres", port=free_port(), durable=False)
    try:
        postgres.start()
        postgres.create_databases(["survivor"])
        watchdog = Watchdog(
            [SupervisedPostgres(postgres)],
            status_file=tmp_path / "status.json",
            say=lambda line: None,
        )
        first_pid = postgres.pid()

        os.kill(first_pid, signal.SIGKILL)
        seconds = _tend_until(
            watchdog, lambda: postgres.alive() and postgres.pid() != first_pid, timeout=90
        )

        # The data survived and the server answers queries again.
        assert "survivor" in postgres._psql("postgres", "SELECT datname FROM pg_database")
        assert "restarts: postgresql 1" in watchdog.health_line()
        print(f"postgresql answering again {seconds:.2f}s after SIGKILL")
    finally:
        postgres.stop()


def test_postgresql_stops_even_when_its_folder_was_closed_to_its_user(tmp_path):
    """Another pytest session on the machine takes away the others' access to
    /tmp/pytest-of-<user>: pg_ctl, run as the server's user, then cannot read the server's pid, and
    `make down` left the server running. The stop then asks the postmaster itself."""
    postgres = LocalPostgres(data_dir=tmp_path / "postgres", port=free_port(), durable=False)
    postgres.start()
    pid = postgres.pid()
    mode = tmp_path.stat().st_mode
    try:
        tmp_path.chmod(0o700)  # what pytest does to its root folder when a session starts

        postgres.stop()

        assert not _running(pid)
    finally:
        tmp_path.chmod(mode)
        if _running(pid):
            os.kill(pid, signal.SIGKILL)


def _running(pid: int) -> bool:
    """Whether the process runs: a zombie its parent has not reaped yet does not."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
