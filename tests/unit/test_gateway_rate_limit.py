"""Rate limits per account and per address: a burst is let through, then one request per tick,
and a refused client is told how long to wait."""

import pytest

from gateway.domain.rate_limit import RateLimiter, SignInThrottle
from tests.unit.seconds_clock import SecondsClock


@pytest.fixture
def clock() -> SecondsClock:
    return SecondsClock(500.0)


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

    assert len(limiter._keys) == 100


def test_a_limit_that_would_refuse_everything_is_refused_at_start_up():
    with pytest.raises(ValueError):
        RateLimiter(per_second=0, burst=10)


def _throttle(clock, *, per_address: int = 10, per_email: int = 3) -> SignInThrottle:
    window = 60.0
    return SignInThrottle(
        per_address=RateLimiter(per_second=per_address / window, burst=per_address, clock=clock),
        per_email=RateLimiter(per_second=per_email / window, burst=per_email, clock=clock),
    )


def test_an_email_that_failed_its_allowance_waits_while_another_email_from_the_address_may_try(
    clock,
):
    throttle = _throttle(clock)

    failed = [throttle.attempt(address="ip:a", email="email:x") for _ in range(3)]
    refused = throttle.attempt(address="ip:a", email="email:x")

    assert failed == [0, 0, 0]
    assert throttle.retry_after_seconds(refused) == 20  # one attempt back every 60 / 3 s
    assert throttle.attempt(address="ip:a", email="email:y") == 0


def test_an_address_that_failed_its_allowance_waits_whatever_email_it_tries(clock):
    throttle = _throttle(clock, per_address=4)

    assert [throttle.attempt(address="ip:a", email=f"email:{n}") for n in range(4)] == [0] * 4
    assert throttle.attempt(address="ip:a", email="email:fresh") > 0
    assert throttle.attempt(address="ip:b", email="email:fresh") == 0


def test_right_passwords_cost_nothing_and_a_refusal_takes_nothing_from_the_other_bucket(clock):
    throttle = _throttle(clock, per_address=4, per_email=2)
    for _ in range(20):
        assert throttle.attempt(address="ip:a", email="email:x") == 0
        throttle.succeeded(address="ip:a", email="email:x")
    throttle.attempt(address="ip:a", email="email:x")
    throttle.attempt(address="ip:a", email="email:x")

    assert throttle.attempt(address="ip:a", email="email:x") > 0  # the email is spent ...
    assert [throttle.attempt(address="ip:a", email=f"email:{n}") for n in range(2)] == [
        0,
        0,
    ]  # ... the address was not charged for it
    assert throttle.attempt(address="ip:a", email="email:other") > 0


def test_failed_attempts_come_back_with_time(clock):
    throttle = _throttle(clock, per_email=3)
    for _ in range(3):
        throttle.attempt(address="ip:a", email="email:x")
    assert throttle.attempt(address="ip:a", email="email:x") > 0

    clock.now += 20
    assert throttle.attempt(address="ip:a", email="email:x") == 0
