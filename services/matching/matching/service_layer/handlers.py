"""Applies registry events to matching's read model, once per event, and keeps each listing's
matches in step with it."""

from __future__ import annotations

from dataclasses import fields, replace

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

# The listing's facts the snapshot names otherwise: its own id, and its enterprise's facts (which
# the listing keeps under their plain names).
_SNAPSHOT_NAMES = {"id": "listing_id"} | {
    name: f"enterprise_{name}" for name in ("country", "region", "city", "legal_id", "languages")
}
# Every fact of a listing but its enterprise's status, which is matching's own.
_FROM_SNAPSHOT = [f.name for f in fields(Listing) if f.name != "enterprise_status"]


def listing_from(payload: ListingSnapshot) -> Listing:
    values = {name: getattr(payload, _SNAPSHOT_NAMES.get(name, name)) for name in _FROM_SNAPSHOT}
    return Listing(**{name: tuple(v) if isinstance(v, list) else v for name, v in values.items()})


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


# What matching keeps of an enterprise's profile, under the same names (its status is matching's).
_PROFILE_FACTS = ("name", "country", "region", "city", "sectors", "languages")


async def _apply_enterprise_profile(
    *, payload: EnterpriseProfile, uow: UnitOfWork, matcher: Matcher
) -> list[Listing]:
    """Keeps the enterprise and gives its listings its status: a verified enterprise's listings are
    matched at once; a pending one's wait (their proposed matches are withdrawn); a suspended
    one's pause (their open matches are withdrawn)."""
    status = SUSPENDED if isinstance(payload, EnterpriseSuspended) else payload.status
    described = {name: getattr(payload, name) for name in _PROFILE_FACTS}
    await uow.enterprises.put(KnownEnterprise(id=payload.enterprise_id, status=status, **described))
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
