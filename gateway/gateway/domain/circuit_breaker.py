"""A circuit breaker per upstream service: after enough failures in a row it opens, and callers are
answered at once instead of waiting on a service that is down; after a cool-down one call is let
through to probe, and a success closes it again. Only unavailability counts as a failure (refused
connections, timeouts, 502/503/504): an answer caused by what one caller sent, a 4xx or a 500,
shows the service is there, so no caller can take a service away from everybody else."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# The answers that say the service itself cannot serve now (a proxy in front of it cut off,
# overloaded, starting or stopping).
UNAVAILABLE_STATUSES = frozenset({502, 503, 504})


@dataclass
class CircuitBreaker:
    failure_threshold: int
    cooldown_seconds: float
    clock: Callable[[], float] = time.monotonic
    _failures: int = 0
    _opened_at: float | None = field(default=None)
    _probing: bool = False

    def allows_call(self) -> bool:
        if self._opened_at is None:
            return True
        if self.clock() - self._opened_at >= self.cooldown_seconds:
            self._opened_at = self.clock()  # one probe per cool-down period
            self._probing = True
            return True
        return False

    def retry_after_seconds(self) -> int:
        if self._opened_at is None:
            return 0
        return max(1, math.ceil(self.cooldown_seconds - (self.clock() - self._opened_at)))

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_answer(self, status_code: int) -> None:
        """The service answered: a failure only when the answer says it is unavailable."""
        if status_code in UNAVAILABLE_STATUSES:
            self.record_failure()
        else:
            self.record_success()

    def record_failure(self) -> None:
        self._failures += 1
        # Late failures of calls made before it opened must not push the cool-down further out.
        if self._failures >= self.failure_threshold and (self._opened_at is None or self._probing):
            self._opened_at = self.clock()
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None
