"""`make up` keeps the platform running: a part that exits is started again after a back-off and
the reason is said on the console and in the part's log; a part that keeps failing stops it all.
The parts are the Supervisor's children and the PostgreSQL server pg_ctl runs beside them."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from devstack.errors import StackError
from devstack.postgres import LocalPostgres
from devstack.processes import Child, Supervisor
from devstack.restart_policy import RestartPolicy

STATUS_FILE_NAME = "status.json"
_TAIL_LINES = 5


class Part(Protocol):
    name: str

    def alive(self) -> bool: ...
    def pid(self) -> int | None: ...
    def exit_reason(self) -> str: ...
    def log_tail(self, lines: int = 15) -> str: ...
    def note(self, line: str) -> None: ...
    def restart(self) -> None: ...


class PartKeepsFailing(StackError):
    """A part needed more restarts than the policy allows: everything is stopped."""


@dataclass
class SupervisedChild:
    supervisor: Supervisor
    child: Child
    name: str = field(init=False)  # a restart keeps the Child, and so its name

    def __post_init__(self) -> None:
        self.name = self.child.name

    def alive(self) -> bool:
        return self.child.alive()

    def pid(self) -> int | None:
        return self.child.pid()

    def exit_reason(self) -> str:
        return self.child.exit_reason()

    def log_tail(self, lines: int = 15) -> str:
        return self.child.log_tail(lines)

    def note(self, line: str) -> None:
        self.child.note(line)

    def restart(self) -> None:
        self.supervisor.restart(self.child)


@dataclass
class SupervisedPostgres:
    postgres: LocalPostgres
    name: str = "postgresql"

    def alive(self) -> bool:
        return self.postgres.alive()

    def pid(self) -> int | None:
        return self.postgres.pid()

    def exit_reason(self) -> str:
        return "stopped (its server process is gone)"

    def log_tail(self, lines: int = 15) -> str:
        path = self.postgres.log_path
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def note(self, line: str) -> None:
        with open(self.postgres.log_path, "a") as log:
            log.write(f"[devstack {time.strftime('%H:%M:%S')}] {line}\n")

    def restart(self) -> None:
        self.postgres.restart()


@dataclass
class _Tended:
    part: Part
    policy: RestartPolicy
    restarts: int = 0
    restart_due: float | None = None  # set while the part is down and waits for its back-off


class Watchdog:
    """Call `tend()` every fraction of a second: it notices exits, restarts what is due, writes
    the status file `python -m devstack status` reads and says what changed."""

    def __init__(
        self,
        parts: list[Part],
        *,
        status_file: Path,
        policy: Callable[[], RestartPolicy] = RestartPolicy,
        clock: Callable[[], float] = time.monotonic,
        say: Callable[[str], None] = print,
    ) -> None:
        self._tended = [_Tended(part, policy()) for part in parts]
        self._status_file = status_file
        self._clock = clock
        self._say = say
        self._write_status()

    def tend(self) -> bool:
        """One look at every part; True when something changed. Raises PartKeepsFailing."""
        changed = False
        for tended in self._tended:
            now = self._clock()
            if tended.restart_due is None and not tended.part.alive():
                self._schedule(tended, tended.part.exit_reason(), now=now)
                changed = True
            elif tended.restart_due is not None and now >= tended.restart_due:
                self._restart(tended, now=now)
                changed = True
        if changed:
            self._write_status()
            self._say(self.health_line())
        return changed

    def health_line(self) -> str:
        down = [t.part.name for t in self._tended if t.restart_due is not None]
        total = len(self._tended)
        parts = (
            f"all {total} parts up"
            if not down
            else f"{total - len(down)} of {total} parts up ({', '.join(down)} restarting)"
        )
        restarts = ", ".join(f"{t.part.name} {t.restarts}" for t in self._tended if t.restarts)
        return f"health: {parts}; restarts: {restarts or 'none'}"

    def _schedule(self, tended: _Tended, reason: str, *, now: float) -> None:
        part = tended.part
        delay = tended.policy.next_delay(now=now)
        if delay is None:
            message = (
                f"{part.name} {reason} and keeps failing ({tended.policy.describe()}); "
                "stopping everything"
            )
            part.note(message)
            raise PartKeepsFailing(f"{message}; last lines of its log:\n{part.log_tail()}")
        tended.restart_due = now + delay
        message = f"{part.name} {reason}; restarting it in {delay:g}s"
        part.note(message)
        tail = "\n".join(f"  | {line}" for line in part.log_tail(_TAIL_LINES).splitlines())
        self._say(f"{message}; the last lines of its log:\n{tail}" if tail else message)

    def _restart(self, tended: _Tended, *, now: float) -> None:
        tended.policy.record_restart(now=now)
        tended.restarts += 1
        tended.restart_due = None
        try:
            tended.part.restart()
        except StackError as error:
            self._schedule(tended, f"did not start again ({error})", now=self._clock())
            return
        tended.part.note(f"restarted (restart {tended.restarts}), pid {tended.part.pid()}")
        self._say(f"{tended.part.name} restarted, pid {tended.part.pid()}")

    def _write_status(self) -> None:
        parts = [
            {
                "name": t.part.name,
                "pid": t.part.pid(),
                "state": "restarting" if t.restart_due is not None else "up",
                "restarts": t.restarts,
            }
            for t in self._tended
        ]
        staged = self._status_file.with_suffix(".partial")
        staged.write_text(json.dumps({"updated": time.time(), "parts": parts}))
        os.replace(staged, self._status_file)


def watch_stack(stack, *, say: Callable[[str], None] = print) -> Watchdog:
    """A watchdog over every part a started Stack runs, PostgreSQL first."""
    parts: list[Part] = [SupervisedPostgres(stack.postgres)] if stack.postgres else []
    parts += [SupervisedChild(stack.supervisor, child) for child in stack.supervisor.children]
    return Watchdog(parts, status_file=stack.supervisor.run_dir / STATUS_FILE_NAME, say=say)


def read_status(run_dir: Path) -> list[dict] | None:
    try:
        return json.loads((run_dir / STATUS_FILE_NAME).read_text())["parts"]
    except (FileNotFoundError, ValueError, KeyError):
        return None
