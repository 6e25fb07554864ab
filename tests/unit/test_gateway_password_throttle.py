"""Wrong passwords are slowed per (account, address) pair and per address, with waits that double:
a guesser hammering somebody's account slows only itself, and the owner signs in from elsewhere."""

import pytest

from gateway.domain.rate_limit import GrowingDelays, PasswordThrottle
from tests.unit.seconds_clock import SecondsClock


@pytest.fixture
def clock() -> SecondsClock:
    return SecondsClock(500.0)


@pytest.fixture
def throttle(clock) -> PasswordThrottle:
    def delays(free: int, forget: float) -> GrowingDelays:
        return GrowingDelays(
            free=free, first_delay=1, max_delay=900, forget_seconds=forget, clock=clock
        )

    return PasswordThrottle(per_pair=delays(5, 60), per_address=delays(30, 10))


def guess(
    throttle: PasswordThrottle,
    clock: SecondsClock,
    *,
    address: str,
    email: str = "email:victim@x.ru",
) -> float:
    """One wrong password, after waiting out whatever the throttle asked for; returns that wait."""
    wait = throttle.attempt(address=address, email=email)
    if wait:
        clock.now += wait
        assert throttle.attempt(address=address, email=email) == 0
    return wait


def test_the_first_wrong_passwords_are_free_then_each_wait_doubles(throttle, clock):
    waits = [guess(throttle, clock, address="ip:198.51.100.9") for _ in range(10)]

    assert waits[:6] == [0] * 6
    assert waits[6:] == pytest.approx([1, 2, 4, 8], abs=0.01)


def test_the_longest_wait_is_bounded(clock):
    delays = GrowingDelays(free=0, first_delay=1, max_delay=60, forget_seconds=3600, clock=clock)
    for _ in range(30):
        delays.fail("k")

    assert delays.wait("k") == 60


def test_an_attacker_hammering_an_account_does_not_lock_its_owner_out_from_another_address(
    throttle, clock
):
    for _ in range(20):
        throttle.attempt(address="ip:203.0.113.66", email="email:victim@x.ru")

    assert throttle.attempt(address="ip:203.0.113.66", email="email:victim@x.ru") > 0
    assert (
        throttle.attempt(address="ip:192.0.2.10", email="email:victim@x.ru") == 0
    )  # the owner, at the office


def test_an_address_spraying_many_accounts_is_slowed_whichever_account_it_tries(throttle):
    for n in range(31):  # thirty free, and the one that starts the first wait
        assert throttle.attempt(address="ip:203.0.113.66", email=f"email:user{n}@x.ru") == 0

    assert throttle.attempt(address="ip:203.0.113.66", email="email:somebody-new@x.ru") > 0
    assert throttle.attempt(address="ip:192.0.2.10", email="email:somebody-new@x.ru") == 0


def test_a_right_password_clears_its_pair_and_costs_its_address_nothing(throttle):
    for _ in range(4):
        throttle.attempt(address="ip:192.0.2.10", email="email:owner@x.ru")
    throttle.attempt(address="ip:192.0.2.10", email="email:owner@x.ru")
    throttle.succeeded(address="ip:192.0.2.10", email="email:owner@x.ru")

    assert [
        throttle.attempt(address="ip:192.0.2.10", email="email:owner@x.ru") for _ in range(6)
    ] == [0] * 6


def test_guesses_sent_all_at_once_are_each_counted_before_any_password_is_checked(throttle):
    answers = [
        throttle.attempt(address="ip:203.0.113.66", email="email:victim@x.ru") for _ in range(50)
    ]

    assert answers.count(0) == 6  # five free and the one that starts the first wait


def test_failures_are_forgotten_with_time(throttle, clock):
    for _ in range(6):
        throttle.attempt(address="ip:198.51.100.9", email="email:owner@x.ru")
    clock.now += 6 * 60

    assert [
        throttle.attempt(address="ip:198.51.100.9", email="email:owner@x.ru") for _ in range(5)
    ] == [0] * 5


def test_a_refused_attempt_counts_nothing(throttle, clock):
    for _ in range(6):
        throttle.attempt(address="ip:198.51.100.9", email="email:owner@x.ru")
    refused = [
        throttle.attempt(address="ip:198.51.100.9", email="email:owner@x.ru") for _ in range(100)
    ]
    clock.now += max(refused)

    assert throttle.attempt(address="ip:198.51.100.9", email="email:owner@x.ru") == 0


@pytest.mark.parametrize(
    "settings", [dict(free=-1), dict(first_delay=0), dict(max_delay=0.5), dict(forget_seconds=0)]
)
def test_delays_that_make_no_sense_are_refused_at_start_up(settings):
    with pytest.raises(ValueError):
        GrowingDelays(
            **{"free": 5, "first_delay": 1, "max_delay": 900, "forget_seconds": 60} | settings
        )
