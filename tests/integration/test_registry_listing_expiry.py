"""Listings expire on the real PostgreSQL: one pass of the sweep closes each listing whose
valid_until has passed, in its own transaction with its `listing.closed` event saying why, and
queues one `listing.expiring` event per listing and date for the owners of those about to end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from eventkit.topics import LISTINGS
from registry.adapters.orm import listings
from registry.domain.errors import InvalidInput
from registry.domain.expiry import PLATFORM_TIME, ReminderWindow, SystemClock, platform_today
from registry.domain.listing import Side
from registry.service_layer import listings as listing_cases
from registry.service_layer.expiry import expire_listings
from tests.integration.registry_forms import (
    AGENCY,
    events_of,
    mogilev_lift_maker,
    smolensk_housing_operator,
)
from tests.integration.test_registry_listings import (  # noqa: F401  (fixtures)
    change,
    publications,
    publish,
    uow,
)
from tests.registration_forms import lift_need

WEEK = ReminderWindow(days=7)


class FakeClock:
    """The platform's clock at noon Moscow time of a given day."""

    def __init__(self, day: date) -> None:
        self.day = day

    def now(self) -> datetime:
        return datetime.combine(self.day, time(12), tzinfo=PLATFORM_TIME).astimezone(UTC)


def today() -> date:
    """Read when a story runs, not when it is collected: a session may cross midnight in Moscow."""
    return platform_today(SystemClock())


async def sweep(uow, clock) -> None:
    await expire_listings(unit_of_work=uow, clock=clock, window=WEEK)


async def listing_events(sessions, enterprise_id, listing_id) -> list[tuple[str, dict]]:
    return [
        (kind, payload)
        for topic, kind, payload in await events_of(sessions, enterprise_id)
        if topic == LISTINGS and payload["listing_id"] == str(listing_id)
    ]


async def days_pass(registry_connection, listing, *, valid_until: date) -> None:
    """What the calendar does to a stored listing: its valid_until is now in the past (the registry
    refuses to publish it so)."""
    await registry_connection.execute(
        update(listings).where(listings.c.id == listing.id).values(valid_until=valid_until)
    )


@pytest.fixture
async def lapsed_offer(registry_connection, register, publish):
    """The lift maker and its offer, published to last until tomorrow, whose last day has since
    passed: it ended yesterday."""
    maker = await register(mogilev_lift_maker())
    offer = await publish(
        maker, side=Side.OFFER, **lift_need(valid_until=today() + timedelta(days=1))
    )
    await days_pass(registry_connection, offer, valid_until=yesterday())
    return maker, offer


def yesterday() -> date:
    return today() - timedelta(days=1)


async def read_offer(uow, offer):
    return await listing_cases.get_listing_or_raise(uow=uow(), listing_id=offer.id, side=Side.OFFER)


async def test_a_listing_whose_last_day_has_passed_closes_with_its_reason_and_event(
    registry_sessions, uow, publish, lapsed_offer
):
    maker, offer = lapsed_offer
    lasting = await publish(
        maker,
        side=Side.OFFER,
        **lift_need(title="Грузовые лифты 1000 кг", valid_until=today() + timedelta(days=90)),
    )

    await sweep(uow, SystemClock())

    closed = await read_offer(uow, offer)
    assert closed.status == "closed" and closed.closed_because == "expired"
    assert closed.version == offer.version + 1
    kind, payload = (await listing_events(registry_sessions, maker.id, offer.id))[-1]
    assert kind == "listing.closed"
    assert payload["closed_because"] == "expired" and payload["status"] == "closed"
    assert payload["valid_until"] == yesterday().isoformat()
    still = await read_offer(uow, lasting)
    assert still.status == "active" and still.closed_because is None

    await sweep(uow, SystemClock())  # a second pass finds nothing more to do
    assert [k for k, _ in await listing_events(registry_sessions, maker.id, offer.id)] == [
        "listing.published",
        "listing.closed",
    ]


async def test_an_expired_listing_reopens_only_with_a_date_that_has_not_passed(
    uow, change, lapsed_offer
):
    _, offer = lapsed_offer
    await sweep(uow, SystemClock())
    closed = await read_offer(uow, offer)

    with pytest.raises(InvalidInput) as refused:
        await change(closed, status="active")
    assert [e.field for e in refused.value.errors] == ["valid_until"]

    reopened = await change(closed, status="active", valid_until=today() + timedelta(days=60))
    assert reopened.status == "active" and reopened.closed_because is None


async def test_the_owner_is_reminded_once_per_date_and_again_after_extending(
    registry_sessions, uow, register, publish, change
):
    day = today()
    maker = await register(mogilev_lift_maker())
    ends = day + timedelta(days=10)
    offer = await publish(
        maker, side=Side.OFFER, **lift_need(title="Лифты ПП-0411", valid_until=ends)
    )

    await sweep(uow, FakeClock(ends - timedelta(days=8)))  # eight days before: not yet
    assert await listing_events(registry_sessions, maker.id, offer.id) == [
        ("listing.published", _any_payload())
    ]

    await sweep(uow, FakeClock(ends - timedelta(days=5)))
    await sweep(uow, FakeClock(ends - timedelta(days=4)))  # the same date is not reminded of twice
    reminders = [
        p
        for k, p in await listing_events(registry_sessions, maker.id, offer.id)
        if k == "listing.expiring"
    ]
    assert reminders == [
        {
            "listing_id": str(offer.id),
            "side": "offer",
            "enterprise_id": str(maker.id),
            "enterprise_name": maker.name,
            "title": "Лифты ПП-0411",
            "valid_until": ends.isoformat(),
        }
    ]
    unchanged = await read_offer(uow, offer)
    assert unchanged.version == offer.version  # a reminder is not a change of the listing

    extended = await change(unchanged, valid_until=ends + timedelta(days=30))
    await sweep(uow, FakeClock(ends - timedelta(days=4)))  # the new date is weeks away
    await sweep(uow, FakeClock(ends + timedelta(days=25)))
    reminders = [
        p["valid_until"]
        for k, p in await listing_events(registry_sessions, maker.id, offer.id)
        if k == "listing.expiring"
    ]
    assert reminders == [ends.isoformat(), extended.valid_until.isoformat()]


async def test_a_listing_closed_by_its_owner_or_with_its_enterprise_says_so(
    registry_connection, uow, register, publish, change
):
    from registry.domain.errors import NotFound
    from registry.service_layer import enterprises as enterprise_cases

    operator = await register(smolensk_housing_operator())
    need = await publish(operator, **lift_need())
    other = await publish(operator, **lift_need(title="Нужны грузовые лифты"))

    closed = await change(need, status="closed")
    assert closed.closed_because == "closed_by_owner"

    await enterprise_cases.delete_enterprise(
        uow=uow(), caller=AGENCY, enterprise_id=operator.id, expected_version=None
    )
    with pytest.raises(NotFound):  # a deleted enterprise's listings are served no more
        await listing_cases.get_listing_or_raise(uow=uow(), listing_id=other.id, side=Side.NEED)
    kept = (
        await registry_connection.execute(
            select(listings.c.status, listings.c.closed_because).where(listings.c.id == other.id)
        )
    ).one()
    assert tuple(kept) == ("closed", "enterprise_deleted")


class _any_payload:
    def __eq__(self, other) -> bool:
        return isinstance(other, dict)


class StoppingClock(SystemClock):
    """The system's clock that asks the sweep to stop when its second pass begins."""

    def __init__(self, stop) -> None:
        self.stop, self.passes = stop, 0

    def now(self) -> datetime:
        self.passes += 1
        if self.passes == 2:
            self.stop.set()
        return super().now()


async def test_the_sweep_inside_serve_passes_at_once_then_every_interval_and_stops_when_asked(
    registry_sessions, uow, lapsed_offer
):
    import asyncio

    from registry.config import Settings
    from registry.entrypoints.expiry import sweep_until_stopped

    _, offer = lapsed_offer
    stop = asyncio.Event()
    clock = StoppingClock(stop)

    settings = Settings(internal_token_secret="x" * 32, expiry_interval_seconds=0.05)
    await asyncio.wait_for(sweep_until_stopped(registry_sessions, settings, stop, clock=clock), 10)

    assert clock.passes == 2  # one at once, one an interval later, then it stopped
    closed = await read_offer(uow, offer)
    assert (closed.status, closed.closed_because) == ("closed", "expired")
