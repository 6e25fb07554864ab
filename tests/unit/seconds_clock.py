"""A clock in seconds (what time.monotonic gives) that moves only when the test says so."""

from __future__ import annotations


class SecondsClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
