"""Listings expire: `valid_until` is the last day a listing holds, in the platform's time zone.

Smolensk and every Belarusian region keep Moscow time (UTC+3, no daylight saving), so "today" is
Moscow's today: a listing valid until 10 December is active all of that Moscow day and closes
itself (`closed_because = "expired"`) from 11 December 00:00 Moscow time (10 December 21:00 UTC).
A few days before, its owner is reminded once per date: extending `valid_until` re-arms it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from registry.domain.listing import EXPIRED, Listing, ListingStatus

PLATFORM_TIME = ZoneInfo("Europe/Moscow")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def platform_today(clock: Clock) -> date:
    return clock.now().astimezone(PLATFORM_TIME).date()


def has_expired(listing: Listing, *, today: date) -> bool:
    """Active, with a valid_until before today (its last day is over)."""
    return (
        listing.status is ListingStatus.ACTIVE
        and listing.valid_until is not None
        and listing.valid_until < today
    )


def expire(listing: Listing, *, today: date) -> bool:
    """Closes a listing whose last day is over; False when it has not expired (or was closed
    already)."""
    return has_expired(listing, today=today) and listing.close(because=EXPIRED)


@dataclass(frozen=True)
class ReminderWindow:
    """Remind `days` days ahead: a listing valid until D is reminded of from D - days to D
    itself."""

    days: int

    def last_day_reminded(self, *, today: date) -> date:
        return today + timedelta(days=self.days)

    def is_due(self, listing: Listing, *, today: date) -> bool:
        """Active, ends within the window, and its owner has not been told of this date yet."""
        return (
            listing.status is ListingStatus.ACTIVE
            and listing.valid_until is not None
            and today <= listing.valid_until <= self.last_day_reminded(today=today)
            and listing.expiry_reminded_for != listing.valid_until
        )


def remind(listing: Listing, window: ReminderWindow, *, today: date) -> bool:
    """Marks the reminder of this valid_until as sent; False when none is due. The version stays:
    the listing itself did not change, so an owner's edit in flight is not refused as stale."""
    if not window.is_due(listing, today=today):
        return False
    listing.expiry_reminded_for = listing.valid_until
    return True
