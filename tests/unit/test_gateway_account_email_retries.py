"""The rules of handing a kept account email to the notifications service, without any server: a
2xx means taken, a refusal that may pass later (a timeout, too busy, any 5xx) waits for another
attempt and any other 4xx is final; the wait starts at a second and doubles up to a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gateway.domain.account_emails import HandOver, RetryDelays, hand_over_outcome


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, HandOver.ACCEPTED),
        (202, HandOver.ACCEPTED),
        (400, HandOver.REFUSED),
        (403, HandOver.REFUSED),
        (422, HandOver.REFUSED),
        (408, HandOver.UNAVAILABLE),
        (429, HandOver.UNAVAILABLE),
        (500, HandOver.UNAVAILABLE),
        (503, HandOver.UNAVAILABLE),
    ],
)
def test_an_answer_is_taken_refused_for_good_or_worth_another_attempt(status, outcome):
    assert hand_over_outcome(status) is outcome


def test_the_wait_after_each_failed_attempt_doubles_from_a_second_up_to_a_minute():
    delays = RetryDelays()

    waits = [delays.after(attempts).total_seconds() for attempts in range(1, 10)]

    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert delays.after(10_000) == timedelta(seconds=60)


def test_the_first_and_longest_waits_are_settings():
    delays = RetryDelays(first=timedelta(seconds=0.5), longest=timedelta(seconds=3))

    assert [delays.after(n).total_seconds() for n in (1, 2, 3, 4)] == [0.5, 1, 2, 3]
