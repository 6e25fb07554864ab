"""Use cases of listings' expiry: one pass closes every listing whose valid_until has passed and
reminds the owners of those about to end (domain/expiry.py has the rules and the time zone).

Each listing is closed or reminded in its own unit of work with its event in the outbox, locked as
an owner's change locks it (enterprise first, then the listing) and checked again under the lock,
so a pass running beside an owner's edit, or beside another pass, never closes an extended listing
and never reminds twice."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from eventkit import topics
from eventkit.contracts import ListingClosed
from registry.domain.expiry import Clock, ReminderWindow, expire, platform_today, remind
from registry.domain.listing import Side
from registry.service_layer import events
from registry.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ExpiryPass:
    closed: int = 0
    reminded: int = 0


async def expire_listings(
    *,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
    window: ReminderWindow,
    batch: int = 200,
) -> ExpiryPass:
    """One pass: closes every expired listing, then reminds every owner due a reminder."""
    today = platform_today(clock)
    closed = await _each(
        unit_of_work,
        lambda uow: uow.expiry.get_expired(today=today, limit=batch),
        lambda uow, listing_id, side: _close_expired(uow, listing_id, side, today=today),
    )
    last_day = window.last_day_reminded(today=today)
    reminded = await _each(
        unit_of_work,
        lambda uow: uow.expiry.get_due_reminders(today=today, last_day=last_day, limit=batch),
        lambda uow, listing_id, side: _remind(uow, listing_id, side, window=window, today=today),
    )
    if closed or reminded:
        log.info("listings_expiry_pass", today=today.isoformat(), closed=closed, reminded=reminded)
    return ExpiryPass(closed=closed, reminded=reminded)


async def _each(unit_of_work, find, act) -> int:
    """Acts on what `find` lists, a batch at a time, until a batch changes nothing new."""
    done = 0
    seen: set[uuid.UUID] = set()
    while True:
        async with unit_of_work() as uow:
            found = [(i, s) for i, s in await find(uow) if i not in seen]
        if not found:
            return done
        for listing_id, side in found:
            seen.add(listing_id)
            try:
                done += await act(unit_of_work(), listing_id, Side(side))
            # one listing that cannot be changed now (a lock timeout, say) waits for the next pass
            except Exception:
                log.exception("listing_expiry_failed", listing_id=str(listing_id))


async def _close_expired(uow: UnitOfWork, listing_id: uuid.UUID, side: Side, *, today) -> int:
    async with uow:
        enterprise, listing = await _locked(uow, listing_id, side)
        if listing is None or not expire(listing, today=today):
            return 0  # extended or closed meanwhile
        await uow.listings.save(listing)
        await uow.outbox.add(
            events.listing_snapshot(ListingClosed, listing, enterprise), topic=topics.LISTINGS
        )
        await uow.commit()
    return 1


async def _remind(
    uow: UnitOfWork, listing_id: uuid.UUID, side: Side, *, window: ReminderWindow, today
) -> int:
    async with uow:
        enterprise, listing = await _locked(uow, listing_id, side)
        if listing is None or not remind(listing, window, today=today):
            return 0
        await uow.expiry.mark_reminded(listing.id, listing.expiry_reminded_for)
        await uow.outbox.add(events.listing_expiring(listing, enterprise), topic=topics.LISTINGS)
        await uow.commit()
    return 1


async def _locked(uow: UnitOfWork, listing_id: uuid.UUID, side: Side):
    """The enterprise (for share) and then the listing (for update), in the order an owner's change
    takes them."""
    listing = await uow.listings.get(listing_id, side=side)
    enterprise = await uow.enterprises.get_for_share(listing.enterprise_id) if listing else None
    if enterprise is None:
        return None, None
    return enterprise, await uow.listings.get_for_update(listing_id, side=side)
