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

    def give_back(self, key: str) -> None:
        """Returns a token taken for `key` (never beyond the burst): for limits that count only
        the requests that turn out badly."""
        bucket = self._buckets.get(key)
        if bucket is not None:
            bucket.tokens = min(self.burst, bucket.tokens + 1)

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


class SignInThrottle:
    """Failed sign-ins, per address and per email: a guesser is slowed to a trickle, whichever
    address or account it tries, while people who type their password right are never held up.
    Every attempt takes a token from both buckets before the password is checked (so attempts
    sent all at once are counted too), and a successful one gives them back."""

    def __init__(self, *, per_address: RateLimiter, per_email: RateLimiter) -> None:
        self._limits = (per_address, per_email)

    def attempt(self, *, address: str, email: str) -> float:
        """0 when the attempt may go on, else the seconds to wait (and nothing is taken)."""
        keys = (address, email)
        waits = [limiter.take(key) for limiter, key in zip(self._limits, keys, strict=True)]
        if not any(waits):
            return 0.0
        for limiter, key, wait in zip(self._limits, keys, waits, strict=True):
            if not wait:
                limiter.give_back(key)
        return max(waits)

    def succeeded(self, *, address: str, email: str) -> None:
        for limiter, key in zip(self._limits, (address, email), strict=True):
            limiter.give_back(key)

    def retry_after_seconds(self, wait: float) -> int:
        return self._limits[0].retry_after_seconds(wait)
