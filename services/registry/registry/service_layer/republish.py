"""Announces enterprises and listings again, each with its current snapshot, written to the outbox
as every change writes it: one `enterprise.updated` per live enterprise, one `listing.changed` (same
version) per listing.

For a consumer's read model that must be rebuilt after the topics' retention has passed (a database
restored from an old backup, a new consumer): enterprises first, so that matching knows which are
verified, then listings. And for data changed in the registry's tables without events (a migration
such as revision 0006, which rewrote units to their codes, or a hand-made fix): matching keeps its
own copy of each listing and applies an event whose version is not older than the one it holds, so
the same version with the current fields replaces its copy and re-scores the listing's pairs.
Consumers are idempotent by event id, not by content, so announcing again is safe: an
`enterprise.updated` that names no re-check sends no email, and matching only reconciles.

Both go by id in pages of `batch`, each page in one transaction: the enterprises locked for share
in id order (as a batch of publications locks them, so an enterprise edit or deletion waits for the
page or the page for it, and the snapshot carries the enterprise as it is), the listings then read
and their events added. Only live enterprises and their listings are announced; active listings
only unless `include_closed`."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import structlog

from eventkit import topics
from eventkit.contracts import EnterpriseUpdated, ListingChanged
from registry.domain.errors import NotFound
from registry.domain.listing import ListingStatus
from registry.service_layer import events
from registry.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)

BATCH = 300


async def republish_listings(
    *,
    unit_of_work: Callable[[], UnitOfWork],
    enterprise_id: uuid.UUID | None = None,
    include_closed: bool = False,
    batch: int = BATCH,
) -> int:
    """Writes one `listing.changed` per listing (every live enterprise's, or `enterprise_id`'s) and
    returns how many; NotFound for an enterprise that is unknown or deleted."""
    await _require_enterprise(unit_of_work, enterprise_id)
    republished, after = 0, None
    while True:
        async with unit_of_work() as uow:
            keys = await uow.republishing.get_page(
                after=after, limit=batch, enterprise_id=enterprise_id, include_closed=include_closed
            )
            if not keys:
                break
            owners = {
                owner: await uow.enterprises.get_for_share(owner)
                for owner in sorted({k.enterprise_id for k in keys})
            }
            announced = []
            for key in keys:
                enterprise = owners[key.enterprise_id]
                listing = (
                    await uow.listings.get(key.id, side=key.side)
                    if enterprise is not None
                    else None
                )
                if listing is None or (
                    listing.status is not ListingStatus.ACTIVE and not include_closed
                ):
                    # its enterprise was deleted, or it was closed, since the page was read
                    continue
                announced.append(events.listing_snapshot(ListingChanged, listing, enterprise))
            await uow.outbox.add_all(announced, topic=topics.LISTINGS)
            await uow.commit()
        republished += len(announced)
        after = keys[-1].id
    log.info(
        "listings_republished",
        republished=republished,
        enterprise_id=str(enterprise_id) if enterprise_id else None,
        include_closed=include_closed,
    )
    return republished


async def republish_enterprises(
    *,
    unit_of_work: Callable[[], UnitOfWork],
    enterprise_id: uuid.UUID | None = None,
    batch: int = BATCH,
) -> int:
    """Writes one `enterprise.updated` per live enterprise (or `enterprise_id`) with its current
    profile and status, and returns how many; NotFound for an enterprise unknown or deleted."""
    await _require_enterprise(unit_of_work, enterprise_id)
    republished, after = 0, None
    while True:
        async with unit_of_work() as uow:
            ids = await uow.republishing.get_page_of_enterprises(
                after=after, limit=batch, enterprise_id=enterprise_id
            )
            if not ids:
                break
            live = [await uow.enterprises.get_for_share(one) for one in ids]
            announced = [
                events.enterprise_profile(EnterpriseUpdated, enterprise)
                for enterprise in live
                if enterprise is not None  # deleted since the page was read
            ]
            await uow.outbox.add_all(announced, topic=topics.ENTERPRISES)
            await uow.commit()
        republished += len(announced)
        after = ids[-1]
    log.info(
        "enterprises_republished",
        republished=republished,
        enterprise_id=str(enterprise_id) if enterprise_id else None,
    )
    return republished


async def _require_enterprise(
    unit_of_work: Callable[[], UnitOfWork], enterprise_id: uuid.UUID | None
) -> None:
    if enterprise_id is None:
        return
    async with unit_of_work() as uow:
        if await uow.enterprises.get(enterprise_id) is None:
            raise NotFound("enterprise", enterprise_id)
