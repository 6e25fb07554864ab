"""Applies registry events to matching's read model, once per event, and keeps each listing's
matches in step with it."""

from __future__ import annotations

from eventkit.contracts import EnterpriseRegistered, EnterpriseVerified, EventPayload, ListingSnapshot
from eventkit.envelope import Envelope
from matching.domain.listing import Listing
from matching.domain.read_model import KnownEnterprise
from matching.service_layer.matcher import Matcher
from matching.service_layer.reconcile import reconcile
from matching.service_layer.unit_of_work import UnitOfWork


def listing_from(payload: ListingSnapshot) -> Listing:
    return Listing(
        id=payload.listing_id, side=payload.side, enterprise_id=payload.enterprise_id, enterprise_name=payload.enterprise_name,
        country=payload.enterprise_country, region=payload.enterprise_region, city=payload.enterprise_city,
        legal_id=payload.enterprise_legal_id, languages=tuple(payload.enterprise_languages),
        enterprise_certifications=tuple(payload.enterprise_certifications), kind=payload.kind, title=payload.title,
        description=payload.description, sector=payload.sector, product_codes=tuple(payload.product_codes),
        quantity=payload.quantity, unit=payload.unit, regions=tuple(payload.regions),
        certifications=tuple(payload.certifications), valid_until=payload.valid_until, status=payload.status,
        version=payload.version,
    )


async def apply_registry_event(envelope: Envelope, payload: EventPayload, *, uow: UnitOfWork, matcher: Matcher) -> bool:
    """Returns False when the event had been applied before."""
    if isinstance(payload, ListingSnapshot):
        return await apply_listing(envelope, listing_from(payload), uow=uow, matcher=matcher)
    async with uow:
        if not await uow.processed_events.record(envelope.event_id, envelope.type):
            return False
        if isinstance(payload, EnterpriseRegistered):
            await uow.enterprises.put(KnownEnterprise(
                id=payload.enterprise_id, name=payload.name, country=payload.country, region=payload.region,
                city=payload.city, sectors=payload.sectors, languages=payload.languages, status=payload.status,
            ))
        elif isinstance(payload, EnterpriseVerified):
            enterprise = await uow.enterprises.get(payload.enterprise_id)
            if enterprise is not None:
                enterprise.mark_verified()
                await uow.enterprises.put(enterprise)
        await uow.commit()
    return True


async def apply_listing(envelope: Envelope, listing: Listing, *, uow: UnitOfWork, matcher: Matcher) -> bool:
    async with uow:
        if not await uow.processed_events.record(envelope.event_id, envelope.type):
            return False
        known = await uow.listings.get(listing.id)
        if known is not None and known.version > listing.version:
            await uow.commit()  # an older version arriving late changes nothing
            return True
        await uow.listings.put(listing)
        await matcher.catch_up(uow=uow)
        await reconcile(listing, uow=uow, matcher=matcher)
        await uow.commit()
    matcher.index.put(listing)
    return True
