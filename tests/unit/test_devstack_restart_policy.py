"""`make up` restarts a crashed part after a back-off that doubles, and gives up on a part that
keeps failing: the rule and the watchdog that applies it, with fake parts and a fake clock."""

from __future__ import annotations

import json

import pytest

from devstack.errors import StackError
from devstack.restart_policy import RestartPolicy
from devstack.supervision import PartKeepsFailing, Watchdog


def test_the_back_off_doubles_from_half_a_second_with_each_recent_restart():
    policy = RestartPolicy()
    delays = []
    now = 0.0
    for _ in range(5):
        delay = policy.next_delay(now=now)
        delays.append(delay)
        now += delay
        policy.record_restart(now=now)

    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert policy.next_delay(now=now) is None  # a sixth restart within the minute: give up


def test_the_back_off_stops_growing_at_its_ceiling():
    policy = RestartPolicy(max_restarts=100, first_delay=0.5, max_delay=30.0)
    for second in range(10):
        policy.record_restart(now=float(second))

    assert policy.next_delay(now=10.0) == 30.0


def test_restarts_older_than_the_window_are_forgiven():
    policy = RestartPolicy(max_restarts=5, window=60.0)
    for second in range(5):
        policy.record_restart(now=float(second))

    assert policy.next_delay(now=59.0) is None
    assert policy.recent_restarts(now=64.0) == 0
    assert policy.next_delay(now=64.0) == 0.5


class FakePart:
    def __init__(self, name: str) -> None:
        self.name = name
        self.running = True
        self.notes: list[str] = []
        self.restarts = 0
        self.crash_on_start = False
        self.refuse_to_start = False

    def alive(self) -> bool:
        return self.running

    def pid(self) -> int:
        return 1000 + self.restarts

    def exit_reason(self) -> str:
        return "was killed by SIGKILL"

    def log_tail(self, lines: int = 15) -> str:
        return "last words"

    def note(self, line: str) -> None:
        self.notes.append(line)

    def restart(self) -> None:
        if self.refuse_to_start:
            raise StackError("lock file already exists")
        self.restarts += 1
        self.running = not self.crash_on_start


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def parts():
    return [FakePart("kafka"), FakePart("notifications")]


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def said():
    return []


@pytest.fixture
def watchdog(parts, clock, said, tmp_path):
    return Watchdog(parts, status_file=tmp_path / "status.json", clock=clock, say=said.append)


def test_a_killed_part_is_restarted_after_its_back_off_and_the_reason_is_said(
    watchdog, parts, clock, said, tmp_path
):
    notifications = parts[1]
    notifications.running = False

    assert watchdog.tend()
    assert watchdog.health_line() == (
        "health: 1 of 2 parts up (notifications restarting); restarts: none"
    )
    clock.now = 0.4
    watchdog.tend()
    assert notifications.restarts == 0  # still in its back-off
    clock.now = 0.5
    watchdog.tend()

    assert notifications.restarts == 1
    assert watchdog.health_line() == "health: all 2 parts up; restarts: notifications 1"
    assert "notifications was killed by SIGKILL; restarting it in 0.5s" in said[0]
    assert "last words" in said[0]
    assert notifications.notes[0] == "notifications was killed by SIGKILL; restarting it in 0.5s"
    assert said[-1] == "health: all 2 parts up; restarts: notifications 1"
    status = json.loads((tmp_path / "status.json").read_text())["parts"]
    assert status[1] == {"name": "notifications", "pid": 1001, "state": "up", "restarts": 1}


def test_nothing_is_said_while_nothing_changes(watchdog, said):
    assert not watchdog.tend()
    assert said == []


def test_a_part_that_keeps_crashing_stops_everything_after_five_restarts(watchdog, parts, clock):
    kafka = parts[0]
    kafka.crash_on_start = True
    kafka.running = False

    with pytest.raises(PartKeepsFailing, match="kafka was killed by SIGKILL and keeps failing"):
        for _ in range(100):
            watchdog.tend()
            clock.now += 0.25

    assert kafka.restarts == 5
    assert clock.now < 17  # 0.5 + 1 + 2 + 4 + 8 seconds of back-off, then it is given up on


def test_a_part_that_does_not_start_again_is_tried_again_after_a_longer_back_off(
    watchdog, parts, clock, said
):
    postgres = parts[0]
    postgres.running = False
    postgres.refuse_to_start = True
    watchdog.tend()
    clock.now = 0.5
    watchdog.tend()

    assert "did not start again (lock file already exists); restarting it in 1s" in said[-2]
    postgres.refuse_to_start = False
    clock.now = 1.5
    watchdog.tend()
    assert watchdog.health_line() == "health: all 2 parts up; restarts: kafka 2"
