"""A listing is valid to the end of its valid_until, a Moscow date: the next Moscow day it closes
itself, saying it expired. A few days before, its owner is reminded once per date; a new date
re-arms the reminder, and an expired listing comes back only with a date that has not passed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from registry.domain.errors import InvalidInput
from registry.domain.expiry import ReminderWindow, expire, has_expired, platform_today, remind
from registry.domain.listing import Listing, ListingStatus, Side

WEEK = ReminderWindow(days=7)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def lift_offer(valid_until: date | None, **changes) -> Listing:
    return Listing(
        id=uuid.uuid4(),
        enterprise_id=uuid.uuid4(),
        side=Side.OFFER,
        kind="goods",
        title="Пассажирские лифты 400–1000 кг",
        sector="elevators",
        description="Производим и монтируем лифты",
        valid_until=valid_until,
        **changes,
    )


def test_the_platform_day_is_moscows_so_a_listing_lasts_until_midnight_in_smolensk_and_minsk():
    # 20:59 UTC on 10 December is 23:59 in Moscow: still the 10th; a minute later it is the 11th
    # there.
    assert platform_today(FakeClock(datetime(2026, 12, 10, 20, 59, tzinfo=UTC))) == date(
        2026, 12, 10
    )
    assert platform_today(FakeClock(datetime(2026, 12, 10, 21, 0, tzinfo=UTC))) == date(
        2026, 12, 11
    )


def test_a_listing_is_active_all_of_its_last_day_and_expires_the_day_after():
    offer = lift_offer(date(2026, 12, 10))

    assert not expire(offer, today=date(2026, 12, 10))
    assert offer.status is ListingStatus.ACTIVE and offer.version == 1

    assert expire(offer, today=date(2026, 12, 11))
    assert offer.status is ListingStatus.CLOSED
    assert offer.closed_because == "expired"
    assert offer.version == 2  # a change matching and the owner see


def test_a_listing_without_a_date_or_closed_already_never_expires():
    open_ended = lift_offer(None)
    closed = lift_offer(
        date(2026, 1, 1), status=ListingStatus.CLOSED, closed_because="closed_by_owner"
    )

    assert not has_expired(open_ended, today=date(2030, 1, 1)) and not expire(
        open_ended, today=date(2030, 1, 1)
    )
    assert not expire(closed, today=date(2026, 12, 11))
    assert closed.closed_because == "closed_by_owner" and closed.version == 1


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (date(2026, 12, 2), False),  # eight days before: not yet
        (date(2026, 12, 3), True),  # seven days before: the window opens
        (date(2026, 12, 10), True),  # its last day still
        (date(2026, 12, 11), False),  # expired: it closes instead
    ],
)
def test_the_owner_is_reminded_within_the_days_before_the_last_one(today, due):
    assert WEEK.is_due(lift_offer(date(2026, 12, 10)), today=today) is due


def test_the_reminder_is_sent_once_for_a_date():
    offer = lift_offer(date(2026, 12, 10))

    assert remind(offer, WEEK, today=date(2026, 12, 4))
    assert offer.expiry_reminded_for == date(2026, 12, 10)
    assert offer.version == 1  # the listing did not change: an owner's edit in flight is not stale
    assert not remind(offer, WEEK, today=date(2026, 12, 5))
    assert not remind(offer, WEEK, today=date(2026, 12, 10))


def test_extending_the_listing_re_arms_the_reminder(reference):
    offer = lift_offer(date(2026, 12, 10))
    remind(offer, WEEK, today=date(2026, 12, 4))

    assert (
        offer.change(reference, today=date(2026, 12, 5), changes={"valid_until": date(2027, 3, 31)})
        == "changed"
    )

    assert offer.expiry_reminded_for is None
    assert not WEEK.is_due(offer, today=date(2026, 12, 5))  # months away now
    assert remind(offer, WEEK, today=date(2027, 3, 25))
    assert not remind(offer, WEEK, today=date(2027, 3, 26))


def test_a_closed_listing_is_not_reminded_of():
    closed = lift_offer(date(2026, 12, 10), status=ListingStatus.CLOSED)

    assert not remind(closed, WEEK, today=date(2026, 12, 4))


def test_an_expired_listing_reopens_only_with_a_date_that_has_not_passed(reference):
    offer = lift_offer(date(2026, 12, 10))
    expire(offer, today=date(2026, 12, 11))

    with pytest.raises(InvalidInput) as refused:
        offer.change(reference, today=date(2026, 12, 12), changes={"status": "active"})
    assert {e.field for e in refused.value.errors} == {"valid_until"}
    with pytest.raises(InvalidInput):
        offer.change(
            reference,
            today=date(2026, 12, 12),
            changes={"status": "active", "valid_until": date(2026, 12, 11)},
        )
    assert (
        offer.status is ListingStatus.CLOSED and offer.closed_because == "expired"
    )  # refused: left as it was

    assert (
        offer.change(
            reference,
            today=date(2026, 12, 12),
            changes={"status": "active", "valid_until": date(2027, 6, 30)},
        )
        == "reopened"
    )
    assert offer.status is ListingStatus.ACTIVE and offer.closed_because is None


def test_an_expired_listing_may_still_be_edited_and_keeps_why_it_closed(reference):
    offer = lift_offer(date(2026, 12, 10))
    expire(offer, today=date(2026, 12, 11))

    assert (
        offer.change(reference, today=date(2026, 12, 12), changes={"title": "Лифты 400 кг"})
        == "changed"
    )
    assert offer.closed_because == "expired"


def test_an_owner_closing_a_listing_is_said_so(reference):
    offer = lift_offer(date(2027, 12, 31))

    assert (
        offer.change(reference, today=date(2026, 12, 12), changes={"status": "closed"}) == "closed"
    )
    assert offer.closed_because == "closed_by_owner"
    assert not WEEK.is_due(offer, today=date(2027, 12, 30))


def test_a_day_later_on_the_fake_clock_the_listing_has_expired():
    clock = FakeClock(datetime(2026, 12, 10, 12, 0, tzinfo=UTC))
    offer = lift_offer(date(2026, 12, 10))

    assert not has_expired(offer, today=platform_today(clock))
    clock.current += timedelta(days=1)
    assert has_expired(offer, today=platform_today(clock))
