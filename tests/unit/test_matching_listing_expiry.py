"""Matching never proposes a listing whose valid_until (a Moscow date) has passed, even before the
registry's close of it arrives, and a pair ended by an expired listing says it expired."""

from __future__ import annotations

from datetime import UTC, date, datetime

from matching.domain.listing import platform_today
from matching.service_layer.reconcile import _why_withdrawn, _withdrawal_cause
from tests.matching_listings import housing_need, lift_maker

LAST_DAY = date(2026, 12, 10)


def test_the_last_day_is_a_moscow_day():
    assert platform_today(datetime(2026, 12, 10, 20, 59, tzinfo=UTC)) == LAST_DAY
    assert platform_today(datetime(2026, 12, 10, 21, 0, tzinfo=UTC)) == date(2026, 12, 11)


def test_a_listing_holds_all_of_its_last_day_and_has_expired_the_next():
    offer = lift_maker(valid_until=LAST_DAY)

    assert not offer.expired_on(LAST_DAY)
    assert offer.expired_on(date(2026, 12, 11))
    assert not lift_maker(valid_until=None).expired_on(date(2099, 1, 1))


def test_an_offer_closed_because_it_expired_withdraws_its_pairs_saying_so():
    expired = lift_maker(valid_until=LAST_DAY, status="closed")

    assert _withdrawal_cause(expired, today=date(2026, 12, 11)) == "listing_expired"
    assert (
        _why_withdrawn(expired, today=date(2026, 12, 11))
        == "the offer expired: it was valid until 2026-12-10"
    )


def test_an_expired_need_not_closed_yet_is_said_to_have_expired_too():
    need = housing_need(valid_until=LAST_DAY)

    assert _withdrawal_cause(need, today=date(2026, 12, 12)) == "listing_expired"


def test_a_listing_closed_before_its_last_day_was_closed_not_expired():
    closed = lift_maker(valid_until=LAST_DAY, status="closed")

    assert _withdrawal_cause(closed, today=LAST_DAY) == "listing_closed"
    assert _why_withdrawn(closed, today=LAST_DAY) == "the offer was closed"


def test_a_suspension_is_named_as_before_even_for_an_expired_listing():
    suspended = lift_maker(valid_until=LAST_DAY, enterprise_status="suspended")

    assert _withdrawal_cause(suspended, today=date(2026, 12, 11)) == "enterprise_suspended"
