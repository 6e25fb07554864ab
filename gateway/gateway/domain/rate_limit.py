"""Token buckets per key (an account or an IP address): each request takes a token, tokens come
back at a steady rate up to the burst size, and an empty bucket says how long until the next one."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated_at: float


class RateLimiter:
    def __init__(self, *, per_second: float, burst: int, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("a rate limit needs a positive rate and a burst of at least one request")
        self.per_second = per_second
        self.burst = burst
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> float:
        """Takes one token for `key`; returns 0 when the request may go on, else the seconds to wait."""
        now = self._clock()
        bucket = self._refilled(key, now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.per_second

    def retry_after_seconds(self, wait: float) -> int:
        return max(1, math.ceil(wait))

    def _refilled(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), updated_at=now)
            self._buckets[key] = bucket
            self._forget_oldest()
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated_at) * self.per_second)
            bucket.updated_at = now
            self._buckets.move_to_end(key)
        return bucket

    def _forget_oldest(self) -> None:
        # A flood of distinct addresses must not grow memory without bound; the least recently
        # seen keys are dropped (a dropped key starts again with a full bucket).
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
