"""Starts child processes in their own process groups and stops them again, leaving none behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from devstack.errors import StackError


def poll(done: Callable[[], bool], *, timeout: float, interval: float = 0.2) -> bool:
    """Asks `done` every `interval` seconds until it says yes (True) or `timeout` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(interval)
    return False


def process_exists(pid: int) -> bool:
    """True while the process is there, a zombie not yet reaped included."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def run_to_end(command: list[str], *, failure: str, **options) -> None:
    """Runs a command that ends by itself, with no input; when it fails, a StackError says
    `failure` and the last line the command printed (`options`: subprocess.run's env, cwd)."""
    result = subprocess.run(
        command, capture_output=True, text=True, stdin=subprocess.DEVNULL, **options
    )
    if result.returncode != 0:
        said = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
        raise StackError(f"{failure}: {said[0][-300:]}")


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log_path: Path
    # What started it, so that a restart starts the same thing again.
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] | None = None
    cwd: Path | None = None

    def alive(self) -> bool:
        return self.process.poll() is None

    def pid(self) -> int:
        return self.process.pid

    def exit_reason(self) -> str:
        code = self.process.poll()
        if code is None:
            return "is running"
        if code < 0:
            return f"was killed by {signal.Signals(-code).name}"
        return f"exited with code {code}"

    def note(self, line: str) -> None:
        """Appends a line of the supervisor's own to the child's log, among the child's lines."""
        with open(self.log_path, "a") as log:
            log.write(f"[devstack {time.strftime('%H:%M:%S')}] {line}\n")

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


class Supervisor:
    """Keeps the children it started, in order, and records their process groups in a state file
    so that another process (`make down`) can stop them too."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.children: list[Child] = []
        self._state_file = run_dir / "processes.json"

    def start(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Child:
        log_path = self.run_dir / f"{name}.log"
        child = Child(name, _spawn(argv, env, cwd, log_path), log_path, argv, env, cwd)
        self.children.append(child)
        self._save()
        return child

    def restart(self, child: Child) -> Child:
        """Starts a child that exited again, with the same argv, environment and folder; what is
        left of its process group goes first (it may still hold the child's port)."""
        # Ctrl-C or `make down` waits until the new process is recorded, so none is left behind.
        with _stop_signals_deferred():
            stop_group(child.process.pid, timeout=5.0)
            child.process = _spawn(child.argv, child.env, child.cwd, child.log_path)
            self._save()
        return child

    def stop(self, name: str, *, timeout: float = 20.0) -> None:
        for child in [c for c in self.children if c.name == name]:
            stop_group(child.process.pid, timeout=timeout)
            self.children.remove(child)
        self._save()

    def stop_all(self) -> None:
        for child in reversed(list(self.children)):
            self.stop(child.name)
        self._state_file.unlink(missing_ok=True)

    def _save(self) -> None:
        state = [{"name": c.name, "pid": c.process.pid} for c in self.children]
        self._state_file.write_text(json.dumps(state))


@contextlib.contextmanager
def _stop_signals_deferred() -> Iterator[None]:
    """SIGINT and SIGTERM that arrive meanwhile are delivered when the block ends. Not by masking
    them: a child started meanwhile would inherit the mask and never hear its own SIGTERM (a
    Python handler, unlike a mask, is reset when the child's program starts)."""
    arrived: list[int] = []
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; a caller there has none to defer
        return
    handlers = {
        number: signal.signal(number, lambda n, _: arrived.append(n)) for number in stop_signals
    }
    try:
        yield
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
        for number in arrived[:1]:
            signal.raise_signal(number)


def _spawn(
    argv: list[str], env: dict[str, str] | None, cwd: Path | None, log_path: Path
) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            start_new_session=True,
        )


def stop_recorded(run_dir: Path) -> list[str]:
    """Stops the children a supervisor in another process recorded; returns their names."""
    state_file = run_dir / "processes.json"
    if not state_file.exists():
        return []
    recorded = json.loads(state_file.read_text())
    for entry in reversed(recorded):
        stop_group(entry["pid"])
    state_file.unlink(missing_ok=True)
    return [entry["name"] for entry in recorded]


def stop_group(pid: int, *, timeout: float = 20.0) -> None:
    """SIGTERM to the whole process group, SIGKILL to what is still there after the timeout."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if poll(lambda: not _group_alive(pid), timeout=timeout, interval=0.1):
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _group_alive(pgid: int) -> bool:
    try:
        # Reap the leader if it is our own child, or the zombie would keep the group "alive".
        os.waitpid(pgid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
