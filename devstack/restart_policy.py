"""When a crashed part of the platform is started again, and when it is given up on: plain Python,
no processes, so that the rule is tested on its own."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(kw_only=True)
class RestartPolicy:
    """Back-off that doubles from `first_delay` up to `max_delay` with each restart still inside
    the last `window` seconds; a part that needs more than `max_restarts` of them keeps failing
    and is given up on (as systemd's StartLimitBurst within StartLimitIntervalSec)."""

    max_restarts: int = 5
    window: float = 60.0
    first_delay: float = 0.5
    max_delay: float = 30.0
    _recent: deque[float] = field(default_factory=deque, init=False, repr=False)

    def recent_restarts(self, *, now: float) -> int:
        while self._recent and now - self._recent[0] >= self.window:
            self._recent.popleft()
        return len(self._recent)

    def next_delay(self, *, now: float) -> float | None:
        """Seconds to wait before restarting a part that exited at `now`; None: give up."""
        recent = self.recent_restarts(now=now)
        if recent >= self.max_restarts:
            return None
        return min(self.max_delay, self.first_delay * 2**recent)

    def record_restart(self, *, now: float) -> None:
        self._recent.append(now)

    def describe(self) -> str:
        return f"{self.max_restarts} restarts within {self.window:.0f}s"
