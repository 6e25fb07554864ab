"""Use cases of offers and needs: publish, change (close, reopen), read and search."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from eventkit import topics
from eventkit.contracts import ListingChanged, ListingClosed, ListingPublished, ListingReopened
from registry.domain.actors import Caller
from registry.domain.enterprise import Enterprise
from registry.domain.errors import DomainError, NotFound, check_version
from registry.domain.listing import Listing, Side
from registry.domain.queries import ListingFilters, Page, PageRequest
from registry.domain.reference import Reference
from registry.service_layer import events
from registry.service_layer.group_commit import GroupCommit
from registry.service_layer.unit_of_work import UnitOfWork

_CONTRACT_OF_CHANGE = {
    "changed": ListingChanged,
    "closed": ListingClosed,
    "reopened": ListingReopened,
}
# Smolensk and every Belarusian region keep Moscow time: "valid until today" means their today.
_LOCAL_TIME = ZoneInfo("Europe/Moscow")


def local_today() -> date:
    return datetime.now(_LOCAL_TIME).date()


@dataclass(frozen=True)
class Publication:
    """A checked listing waiting for its enterprise's consent to be published, and who asks."""

    listing: Listing
    caller: Caller


def publications_committed_together(
    *, unit_of_work: Callable[[], UnitOfWork], max_batch: int, writers: int
) -> GroupCommit[Publication, Listing]:
    """The registry's busiest write: publications that arrive while one batch is being written are
    written together in the next, each batch in a unit of work of its own."""

    async def publish_batch(publications: Sequence[Publication]) -> list[Listing | DomainError]:
        return await publish_together(uow=unit_of_work(), publications=publications)

    return GroupCommit(publish_batch, max_batch=max_batch, writers=writers)


async def publish_listing(
    *,
    publications: GroupCommit[Publication, Listing],
    reference: Reference,
    caller: Caller,
    enterprise_id: uuid.UUID,
    side: Side,
    **fields,
) -> Listing:
    listing = Listing.publish(
        reference, today=local_today(), enterprise_id=enterprise_id, side=side, **fields
    )
    return await publications.submit(Publication(listing, caller))


async def publish_together(
    *, uow: UnitOfWork, publications: Sequence[Publication]
) -> list[Listing | DomainError]:
    """Publishes in one transaction the listings whose enterprise exists, is managed by the caller
    and may publish; every other one gets the reason it was refused."""
    async with uow:
        owners = await uow.publications.owners_for_share(
            {p.listing.enterprise_id for p in publications}
        )
        outcomes: list[Listing | DomainError] = []
        published = []
        for publication in publications:
            owner = owners.get(publication.listing.enterprise_id)
            try:
                listing = _admitted(publication, owner)
            except DomainError as refused:
                outcomes.append(refused)
                continue
            outcomes.append(listing)
            published.append((listing, events.listing_snapshot(ListingPublished, listing, owner)))
        await uow.publications.add_with_events(published, topic=topics.LISTINGS)
        await uow.commit()
    return outcomes


def _admitted(publication: Publication, enterprise: Enterprise | None) -> Listing:
    if enterprise is None:
        raise NotFound("enterprise", publication.listing.enterprise_id)
    publication.caller.require_manages(enterprise)
    enterprise.may_publish()
    return publication.listing


async def change_listing(
    *,
    uow: UnitOfWork,
    reference: Reference,
    caller: Caller,
    listing_id: uuid.UUID,
    side: Side,
    expected_version: int,
    changes: dict,
) -> Listing:
    async with uow:
        # The enterprise is locked before the listing, in the order deleting an enterprise takes
        # them.
        enterprise = await _get_owner_for_share_or_raise(uow=uow, listing_id=listing_id, side=side)
        listing = await uow.listings.get_for_update(listing_id, side=side)
        caller.require_manages(enterprise)
        check_version(side.value, expected=expected_version, current=listing.version)
        what = listing.change(reference, today=local_today(), changes=changes)
        if what is None:
            return listing
        if what == "reopened":
            enterprise.may_publish()
        await uow.listings.save(listing)
        await uow.outbox.add(
            events.listing_snapshot(_CONTRACT_OF_CHANGE[what], listing, enterprise),
            topic=topics.LISTINGS,
        )
        await uow.commit()
    return listing


async def get_listing_or_raise(*, uow: UnitOfWork, listing_id: uuid.UUID, side: Side) -> Listing:
    async with uow:
        listing = await uow.listings.get(listing_id, side=side)
    if listing is None:
        raise NotFound(side.value, listing_id)
    return listing


async def get_page_of_listings(
    *, uow: UnitOfWork, filters: ListingFilters, page: PageRequest
) -> Page[Listing]:
    async with uow:
        if filters.enterprise_id and await uow.enterprises.get(filters.enterprise_id) is None:
            raise NotFound("enterprise", filters.enterprise_id)
        return await uow.listings.get_page(filters, page)


async def _get_owner_for_share_or_raise(
    *, uow: UnitOfWork, listing_id: uuid.UUID, side: Side
) -> Enterprise:
    listing = await uow.listings.get(listing_id, side=side)
    enterprise = await uow.enterprises.get_for_share(listing.enterprise_id) if listing else None
    if enterprise is None:
        raise NotFound(side.value, listing_id)
    return enterprise
