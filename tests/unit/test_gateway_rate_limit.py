"""Rate limits per account and per address: a burst is let through, then one request per tick,
and a refused client is told how long to wait."""

import pytest

from gateway.domain.rate_limit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_burst_up_to_the_limit_passes_then_the_next_request_waits(clock):
    limiter = RateLimiter(per_second=2, burst=5, clock=clock)

    assert [limiter.take("ip:10.0.0.1") for _ in range(5)] == [0] * 5
    wait = limiter.take("ip:10.0.0.1")

    assert wait == pytest.approx(0.5)
    assert limiter.retry_after_seconds(wait) == 1


def test_tokens_come_back_with_time_but_never_beyond_the_burst(clock):
    limiter = RateLimiter(per_second=1, burst=3, clock=clock)
    for _ in range(3):
        limiter.take("a")

    clock.now += 100

    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a") > 0


def test_a_refused_request_does_not_use_up_a_token(clock):
    limiter = RateLimiter(per_second=1, burst=1, clock=clock)
    limiter.take("a")
    for _ in range(10):
        limiter.take("a")

    clock.now += 1

    assert limiter.take("a") == 0


def test_one_noisy_client_does_not_slow_another(clock):
    limiter = RateLimiter(per_second=1, burst=2, clock=clock)
    for _ in range(10):
        limiter.take("account:noisy")

    assert limiter.take("account:quiet") == 0


def test_retry_after_is_whole_seconds_and_never_zero(clock):
    limiter = RateLimiter(per_second=0.1, burst=1, clock=clock)
    limiter.take("a")

    assert limiter.retry_after_seconds(limiter.take("a")) == 10


def test_a_flood_of_addresses_does_not_grow_memory_without_bound(clock):
    limiter = RateLimiter(per_second=1, burst=1, max_keys=100, clock=clock)

    for n in range(1000):
        limiter.take(f"ip:{n}")

    assert len(limiter._buckets) == 100


def test_a_limit_that_would_refuse_everything_is_refused_at_start_up():
    with pytest.raises(ValueError):
        RateLimiter(per_second=0, burst=10)
