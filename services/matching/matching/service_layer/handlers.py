"""Applies registry events to matching's read model, once per event, and keeps each listing's
matches in step with it."""

from __future__ import annotations

from dataclasses import replace

from eventkit.contracts import (
    EnterpriseDeleted,
    EnterpriseProfile,
    EnterpriseSuspended,
    EnterpriseVerified,
    EventPayload,
    ListingSnapshot,
)
from eventkit.envelope import Envelope
from matching.domain.listing import DELETED, SUSPENDED, VERIFIED, Listing
from matching.domain.read_model import KnownEnterprise
from matching.service_layer.matcher import Matcher
from matching.service_layer.reconcile import reconcile
from matching.service_layer.unit_of_work import UnitOfWork


def listing_from(payload: ListingSnapshot) -> Listing:
    return Listing(
        id=payload.listing_id,
        side=payload.side,
        enterprise_id=payload.enterprise_id,
        enterprise_name=payload.enterprise_name,
        country=payload.enterprise_country,
        region=payload.enterprise_region,
        city=payload.enterprise_city,
        legal_id=payload.enterprise_legal_id,
        languages=tuple(payload.enterprise_languages),
        enterprise_certifications=tuple(payload.enterprise_certifications),
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        sector=payload.sector,
        product_codes=tuple(payload.product_codes),
        quantity=payload.quantity,
        unit=payload.unit,
        regions=tuple(payload.regions),
        certifications=tuple(payload.certifications),
        valid_until=payload.valid_until,
        status=payload.status,
        version=payload.version,
    )


async def apply_registry_event(
    envelope: Envelope, payload: EventPayload, *, uow: UnitOfWork, matcher: Matcher
) -> bool:
    """Applies the event in one transaction; returns False when it had been applied before. The
    listings it changed are filed in the index after the commit."""
    change = next(
        (_CHANGES[kind] for kind in type(payload).__mro__ if kind in _CHANGES), _nothing_to_change
    )
    async with uow:
        if not await uow.processed_events.record(envelope.event_id, envelope.type):
            return False
        changed = await change(payload=payload, uow=uow, matcher=matcher)
        await uow.commit()
    for listing in changed:
        matcher.index.put(listing)
    return True


async def _apply_listing(
    *, payload: ListingSnapshot, uow: UnitOfWork, matcher: Matcher
) -> list[Listing]:
    listing = listing_from(payload)
    known = await uow.listings.get(listing.id)
    if known is not None and known.version > listing.version:
        return []  # an older version arriving late changes nothing
    enterprise = await uow.enterprises.get(listing.enterprise_id)
    # Until matching knows the enterprise as verified, the listing waits (kept, not matched).
    listing = replace(
        listing, enterprise_status=enterprise.status if enterprise is not None else None
    )
    if listing.enterprise_status == DELETED:  # its close, say, read after the deletion elsewhere
        listing = listing.erased()
    await uow.listings.put(listing)
    await matcher.catch_up(uow=uow)
    await reconcile(listing=listing, uow=uow, matcher=matcher)
    return [listing]


async def _apply_enterprise_profile(
    *, payload: EnterpriseProfile, uow: UnitOfWork, matcher: Matcher
) -> list[Listing]:
    """Keeps the enterprise and gives its listings its status: a verified enterprise's listings are
    matched at once; a pending one's wait (their proposed matches are withdrawn); a suspended
    one's pause (their open matches are withdrawn)."""
    status = SUSPENDED if isinstance(payload, EnterpriseSuspended) else payload.status
    await uow.enterprises.put(
        KnownEnterprise(
            id=payload.enterprise_id,
            name=payload.name,
            country=payload.country,
            region=payload.region,
            city=payload.city,
            sectors=payload.sectors,
            languages=payload.languages,
            status=status,
        )
    )
    return await _give_listings_status(payload.enterprise_id, status, uow=uow, matcher=matcher)


async def _apply_enterprise_verified(
    *, payload: EnterpriseVerified, uow: UnitOfWork, matcher: Matcher
) -> list[Listing]:
    """The agency verified the enterprise: its waiting listings are matched in this same
    transaction. Its profile may never have reached matching: the verification alone is enough."""
    enterprise = await uow.enterprises.get(payload.enterprise_id) or KnownEnterprise.partly_known(
        payload.enterprise_id, status=VERIFIED, name=payload.name, languages=payload.languages
    )
    enterprise.mark_verified()
    await uow.enterprises.put(enterprise)
    return await _give_listings_status(payload.enterprise_id, VERIFIED, uow=uow, matcher=matcher)


async def _apply_enterprise_deleted(
    *, payload: EnterpriseDeleted, uow: UnitOfWork, matcher: Matcher
) -> list[Listing]:
    """Erases what matching keeps of a deleted enterprise: its name, its listings' texts, the
    published events naming it. The listings stay (the matches' history points at them), matched no
    more; their open matches are withdrawn by the listings' own close events, which the registry
    sends with the deletion."""
    known = await uow.enterprises.get(payload.enterprise_id) or KnownEnterprise.partly_known(
        payload.enterprise_id, status=DELETED
    )
    await uow.enterprises.put(replace(known, name="", status=DELETED))
    erased = [
        listing.erased()
        for listing in await uow.listings.get_all_by_enterprise(payload.enterprise_id)
    ]
    for listing in erased:
        await uow.listings.put(listing)
    await uow.outbox.forget_published_naming(payload.enterprise_id)
    return erased


async def _nothing_to_change(**_) -> list[Listing]:
    """An event matching does not act on is still recorded, so that it is counted once."""
    return []


_CHANGES = {
    ListingSnapshot: _apply_listing,
    EnterpriseProfile: _apply_enterprise_profile,
    EnterpriseVerified: _apply_enterprise_verified,
    EnterpriseDeleted: _apply_enterprise_deleted,
}


async def _give_listings_status(
    enterprise_id, status: str, *, uow: UnitOfWork, matcher: Matcher
) -> list[Listing]:
    """The enterprise's listings whose status changed, stored and reconciled (not yet in the index:
    the caller files them after the commit)."""
    changed = [
        replace(listing, enterprise_status=status)
        for listing in await uow.listings.get_all_by_enterprise(enterprise_id)
        if listing.enterprise_status != status
    ]
    for listing in changed:
        await uow.listings.put(listing)
    if changed:
        await matcher.catch_up(uow=uow)
    for listing in changed:
        await reconcile(listing=listing, uow=uow, matcher=matcher)
    return changed
