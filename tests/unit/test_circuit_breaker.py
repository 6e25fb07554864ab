"""When an upstream service is down, the gateway answers at once instead of making every caller
wait; after a cool-down it lets one call through to see whether the service is back."""

import pytest

from gateway.domain.circuit_breaker import CircuitBreaker
from tests.unit.seconds_clock import SecondsClock


@pytest.fixture
def clock() -> SecondsClock:
    return SecondsClock()


@pytest.fixture
def breaker(clock) -> CircuitBreaker:
    return CircuitBreaker(failure_threshold=3, cooldown_seconds=30, clock=clock)


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.record_failure()


def let_a_probe_through(breaker: CircuitBreaker, clock, *, after: float = 30) -> None:
    """Opens the breaker, lets `after` seconds pass (its cool-down is 30) and sends the probe."""
    fail(breaker, 3)
    clock.advance(after)
    assert breaker.allows_call()


def test_a_healthy_service_gets_every_call(breaker):
    assert not breaker.is_open
    assert all(breaker.allows_call() for _ in range(10))
    assert breaker.retry_after_seconds() == 0


def test_a_few_failures_below_the_threshold_keep_calls_flowing(breaker):
    fail(breaker, 2)

    assert not breaker.is_open
    assert breaker.allows_call()


def test_only_failures_in_a_row_open_the_breaker(breaker):
    fail(breaker, 2)
    breaker.record_success()
    fail(breaker, 2)

    assert not breaker.is_open
    assert breaker.allows_call()


def test_the_breaker_opens_after_the_threshold_of_failures_in_a_row(breaker):
    fail(breaker, 3)

    assert breaker.is_open
    assert not breaker.allows_call()


def test_while_open_callers_are_refused_at_once_and_told_when_to_retry(breaker, clock):
    fail(breaker, 3)

    assert breaker.retry_after_seconds() == 30
    clock.advance(10)
    assert not breaker.allows_call()
    assert breaker.retry_after_seconds() == 20
    clock.advance(19.9)
    assert not breaker.allows_call()
    assert breaker.retry_after_seconds() >= 1


def test_after_the_cooldown_exactly_one_probe_is_let_through(breaker, clock):
    fail(breaker, 3)
    clock.advance(30)

    assert breaker.allows_call()  # the probe
    assert not breaker.allows_call()  # everyone else waits for its outcome
    assert not breaker.allows_call()
    assert breaker.retry_after_seconds() > 0


def test_a_successful_probe_closes_the_breaker(breaker, clock):
    let_a_probe_through(breaker, clock, after=31)

    breaker.record_success()

    assert not breaker.is_open
    assert all(breaker.allows_call() for _ in range(5))
    assert breaker.retry_after_seconds() == 0


def test_after_closing_it_again_takes_the_full_threshold_to_open(breaker, clock):
    let_a_probe_through(breaker, clock)
    breaker.record_success()

    fail(breaker, 2)

    assert not breaker.is_open


def test_a_failed_probe_reopens_the_breaker_for_a_whole_cooldown(breaker, clock):
    let_a_probe_through(breaker, clock, after=45)

    breaker.record_failure()

    assert breaker.is_open
    assert not breaker.allows_call()
    assert breaker.retry_after_seconds() == 30
    clock.advance(29)
    assert not breaker.allows_call()
    clock.advance(1)
    assert breaker.allows_call()  # the next probe


def test_a_probe_that_never_reports_back_does_not_lock_the_service_out_forever(breaker, clock):
    let_a_probe_through(breaker, clock)  # probe lost: neither success nor failure recorded

    clock.advance(30)

    assert breaker.allows_call()


def test_late_failures_of_calls_already_in_flight_do_not_push_the_cool_down_out(breaker, clock):
    fail(breaker, 3)
    clock.advance(20)

    fail(breaker, 5)  # answers to calls made before the breaker opened

    clock.advance(10)
    assert breaker.allows_call()


def test_retry_after_never_tells_a_client_to_come_back_before_the_breaker_lets_it(breaker, clock):
    fail(breaker, 3)
    clock.advance(19.6)

    assert breaker.retry_after_seconds() == 11


@pytest.mark.parametrize("status", [400, 401, 404, 409, 413, 422, 429, 500])
def test_answers_caused_by_what_a_caller_sent_never_open_the_breaker(breaker, status):
    for _ in range(100):
        breaker.record_answer(status)

    assert not breaker.is_open
    assert breaker.allows_call()


@pytest.mark.parametrize("status", [502, 503, 504])
def test_answers_that_say_the_service_is_unavailable_open_it(breaker, status):
    for _ in range(3):
        breaker.record_answer(status)

    assert breaker.is_open


def test_a_caller_s_bad_request_between_outages_resets_the_count_as_any_answer_does(breaker):
    fail(breaker, 2)
    breaker.record_answer(422)
    fail(breaker, 2)

    assert not breaker.is_open


def test_a_500_to_the_probe_closes_the_breaker_the_service_is_back(breaker, clock):
    let_a_probe_through(breaker, clock)

    breaker.record_answer(500)

    assert not breaker.is_open
