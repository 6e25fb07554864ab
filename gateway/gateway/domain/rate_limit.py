"""Token buckets per key (an account or an IP address): each request takes a token, tokens come
back at a steady rate up to the burst size, and an empty bucket says how long until the next one."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

State = TypeVar("State")


@dataclass
class _Bucket:
    tokens: float
    updated_at: float


@dataclass(kw_only=True, eq=False)
class _PerKey(Generic[State]):
    """State per key, for the `max_keys` most recently seen keys: a flood of distinct addresses
    must not grow memory without bound, so the least recently seen are dropped (a dropped key
    starts afresh)."""

    max_keys: int = 100_000
    clock: Callable[[], float] = time.monotonic
    _keys: OrderedDict[str, State] = field(default_factory=OrderedDict, init=False)

    def _keep(self, key: str, state: State) -> None:
        self._keys[key] = state
        self._keys.move_to_end(key)
        while len(self._keys) > self.max_keys:
            self._keys.popitem(last=False)


@dataclass(kw_only=True, eq=False)
class RateLimiter(_PerKey[_Bucket]):
    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError(
                "a rate limit needs a positive rate and a burst of at least one request"
            )

    def take(self, key: str) -> float:
        """Takes one token for `key`; returns 0 when the request may go on, else the seconds to
        wait."""
        now = self.clock()
        bucket = self._refilled(key, now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.per_second

    def give_back(self, key: str) -> None:
        """Returns a token taken for `key` (never beyond the burst): for limits that count only
        the requests that turn out badly."""
        bucket = self._keys.get(key)
        if bucket is not None:
            bucket.tokens = min(self.burst, bucket.tokens + 1)

    def retry_after_seconds(self, wait: float) -> int:
        return max(1, math.ceil(wait))

    def _refilled(self, key: str, now: float) -> _Bucket:
        bucket = self._keys.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), updated_at=now)
        else:
            bucket.tokens = min(
                self.burst, bucket.tokens + (now - bucket.updated_at) * self.per_second
            )
            bucket.updated_at = now
        self._keep(key, bucket)
        return bucket


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


@dataclass
class _Failures:
    count: float
    at: float
    blocked_until: float


@dataclass(kw_only=True, eq=False)
class GrowingDelays(_PerKey[_Failures]):
    """Failures per key, each one leaking away after `forget_seconds`: the first `free` cost
    nothing, every one after that makes the key wait, twice as long as the one before
    (`first_delay`, then double, up to `max_delay`)."""

    free: int
    first_delay: float
    max_delay: float
    forget_seconds: float

    def __post_init__(self) -> None:
        if (
            self.free < 0
            or self.first_delay <= 0
            or self.max_delay < self.first_delay
            or self.forget_seconds <= 0
        ):
            raise ValueError(
                "growing delays need free failures >= 0, a positive first delay up to the "
                "longest one, and a forgetting time"
            )

    def wait(self, key: str) -> float:
        """The seconds `key` must still wait before its next attempt (0: it may go on)."""
        failures = self._keys.get(key)
        return 0.0 if failures is None else max(0.0, failures.blocked_until - self.clock())

    def fail(self, key: str) -> None:
        now = self.clock()
        failures = self._leaked(key, now)
        failures.count += 1
        failures.at = now
        over = round(
            failures.count - self.free
        )  # whole failures: a little forgotten while waiting does not halve the next wait
        failures.blocked_until = (
            now + min(self.max_delay, self.first_delay * 2 ** (over - 1)) if over > 0 else now
        )
        self._keep(key, failures)

    def forgive(self, key: str) -> None:
        """Takes back one failure counted before its outcome was known."""
        failures = self._keys.get(key)
        if failures is not None:
            failures.count = max(0.0, failures.count - 1)
            if failures.count <= self.free:
                failures.blocked_until = 0.0

    def clear(self, key: str) -> None:
        self._keys.pop(key, None)

    def _leaked(self, key: str, now: float) -> _Failures:
        failures = self._keys.get(key)
        if failures is None:
            return _Failures(count=0.0, at=now, blocked_until=0.0)
        failures.count = max(0.0, failures.count - (now - failures.at) / self.forget_seconds)
        return failures


class PasswordThrottle:
    """Wrong passwords, per (account, address) pair and per address, with growing delays. Nothing
    is counted per account alone: a guesser hammering an account from one address, or from many,
    slows only those addresses, and the owner signs in from anywhere else as always. Every attempt
    counts as a failure before the password is checked (so guesses sent all at once are counted
    too); a right password clears its pair and takes back its address's failure."""

    def __init__(self, *, per_pair: GrowingDelays, per_address: GrowingDelays) -> None:
        self._per_pair = per_pair
        self._per_address = per_address

    def attempt(self, *, address: str, email: str) -> float:
        """`email` is the account's key (its email, or its id once signed in). 0 when the attempt
        may go on (and it is counted), else the seconds to wait (and nothing is counted)."""
        pair = f"{email}|{address}"
        wait = max(self._per_pair.wait(pair), self._per_address.wait(address))
        if wait:
            return wait
        self._per_pair.fail(pair)
        self._per_address.fail(address)
        return 0.0

    def succeeded(self, *, address: str, email: str) -> None:
        self._per_pair.clear(f"{email}|{address}")
        self._per_address.forgive(address)

    def retry_after_seconds(self, wait: float) -> int:
        return max(1, math.ceil(wait))
