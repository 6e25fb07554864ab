"""Use cases of enterprises: each opens a unit of work, loads, asks the domain, writes its event
to the outbox and commits."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from eventkit import topics
from eventkit.contracts import (
    EnterpriseRegistered,
    EnterpriseReinstated,
    EnterpriseUpdated,
    ListingClosed,
)
from eventkit.envelope import Envelope
from registry.domain.actors import Caller, is_confirmed_address
from registry.domain.duplicates import MAX_POSSIBLE_DUPLICATES, Fingerprint, duplicate_reasons
from registry.domain.enterprise import Enterprise, EnterpriseStatus
from registry.domain.errors import AlreadyRegistered, NotFound, check_version
from registry.domain.queries import EnterpriseFilters, Page, PageRequest
from registry.domain.reference import Reference
from registry.service_layer import events
from registry.service_layer.unit_of_work import UnitOfWork


async def register_enterprise(
    *,
    uow: UnitOfWork,
    reference: Reference,
    owner_account_id: str | None,
    vouched_email: str | None = None,
    **fields,
) -> Enterprise:
    """`vouched_email`: the registering account's own confirmed address; an enterprise that gives
    it is announced as confirmed, so it is not asked to confirm the same address twice."""
    enterprise = Enterprise.register(reference, owner_account_id=owner_account_id, **fields)
    async with uow:
        existing = await uow.enterprises.get_by_legal_id(enterprise.country, enterprise.legal_id)
        if existing is not None:
            raise AlreadyRegistered(existing.id)
        await uow.enterprises.add(enterprise)
        vouched = is_confirmed_address(enterprise.email, confirmed=vouched_email)
        await uow.outbox.add(
            events.enterprise_profile(
                EnterpriseRegistered, enterprise, contact_email_confirmed=vouched
            ),
            topic=topics.ENTERPRISES,
        )
        await uow.commit()
    return enterprise


async def verify_enterprise(
    *, uow: UnitOfWork, enterprise_id: uuid.UUID, verified_by: str
) -> Enterprise:
    return await _decide(
        uow=uow,
        enterprise_id=enterprise_id,
        decision=lambda enterprise: enterprise.verify(by=verified_by, at=datetime.now(UTC)),
        announcement=events.enterprise_verified,
    )


async def change_enterprise(
    *,
    uow: UnitOfWork,
    reference: Reference,
    caller: Caller,
    enterprise_id: uuid.UUID,
    expected_version: int,
    changes: dict,
) -> Enterprise:
    async with uow:
        enterprise = await _get_enterprise_for_update_or_raise(uow=uow, enterprise_id=enterprise_id)
        caller.require_manages(enterprise)
        check_version("enterprise", expected=expected_version, current=enterprise.version)
        legal_id_before, was_verified = (
            (enterprise.country, enterprise.legal_id),
            enterprise.status is EnterpriseStatus.VERIFIED,
        )
        if enterprise.change(reference, changes):
            if (enterprise.country, enterprise.legal_id) != legal_id_before:
                existing = await uow.enterprises.get_by_legal_id(
                    enterprise.country, enterprise.legal_id
                )
                if existing is not None and existing.id != enterprise.id:
                    raise AlreadyRegistered(existing.id)
            await uow.enterprises.save(enterprise)
            # A verified enterprise whose identity was edited is pending again: the event says so
            # and why.
            sent_back = (
                enterprise.recheck_because
                if was_verified and enterprise.status is EnterpriseStatus.PENDING
                else []
            )
            vouched = caller.vouches_for(enterprise.email)
            await uow.outbox.add(
                events.enterprise_profile(
                    EnterpriseUpdated,
                    enterprise,
                    recheck_because=sent_back,
                    contact_email_confirmed=vouched,
                ),
                topic=topics.ENTERPRISES,
            )
            await uow.commit()
    return enterprise


async def suspend_enterprise(
    *, uow: UnitOfWork, caller: Caller, enterprise_id: uuid.UUID, reason: str | None
) -> Enterprise:
    by = caller.require_reviewer("suspend an enterprise")
    suspend = partial(Enterprise.suspend, by=by, reason=reason)
    return await _decide(
        uow=uow,
        enterprise_id=enterprise_id,
        decision=suspend,
        announcement=events.enterprise_suspended,
    )


async def reinstate_enterprise(
    *, uow: UnitOfWork, caller: Caller, enterprise_id: uuid.UUID
) -> Enterprise:
    reinstate = partial(Enterprise.reinstate, by=caller.require_reviewer("lift a suspension"))
    announcement = partial(events.enterprise_profile, EnterpriseReinstated)
    return await _decide(
        uow=uow, enterprise_id=enterprise_id, decision=reinstate, announcement=announcement
    )


async def _decide(
    *,
    uow: UnitOfWork,
    enterprise_id: uuid.UUID,
    decision: Callable[[Enterprise], None],
    announcement: Callable[[Enterprise], Envelope],
) -> Enterprise:
    """The agency's decision on an enterprise: taken by the domain on the locked enterprise, stored
    and announced in one transaction."""
    async with uow:
        enterprise = await _get_enterprise_for_update_or_raise(uow=uow, enterprise_id=enterprise_id)
        decision(enterprise)
        await uow.enterprises.save(enterprise)
        await uow.outbox.add(announcement(enterprise), topic=topics.ENTERPRISES)
        await uow.commit()
    return enterprise


async def delete_enterprise(
    *, uow: UnitOfWork, caller: Caller, enterprise_id: uuid.UUID, expected_version: int | None
) -> None:
    """Closes its offers and needs (each with its event, so matching withdraws them), then marks
    the enterprise deleted and erases its contacts, its listings' free text and the events of it
    already published (the other services erase their copies on enterprise.deleted)."""
    async with uow:
        enterprise = await _get_enterprise_for_update_or_raise(uow=uow, enterprise_id=enterprise_id)
        caller.require_manages(enterprise)
        if expected_version is not None:
            check_version("enterprise", expected=expected_version, current=enterprise.version)
        closed = [
            listing
            for listing in await uow.listings.get_all_active_by_enterprise_for_update(enterprise.id)
            if listing.close()
        ]
        for listing in closed:
            listing.description = ""  # the close event carries no free text either
            await uow.listings.save(listing)
        await uow.outbox.add_all(
            [events.listing_snapshot(ListingClosed, listing, enterprise) for listing in closed],
            topic=topics.LISTINGS,
        )
        await uow.listings.erase_texts_of_enterprise(enterprise.id)
        await uow.outbox.forget_published_for(str(enterprise.id))
        enterprise.delete(at=datetime.now(UTC))
        await uow.enterprises.save(enterprise)
        await uow.outbox.add(events.enterprise_deleted(enterprise), topic=topics.ENTERPRISES)
        await uow.commit()


async def get_enterprise_or_raise(*, uow: UnitOfWork, enterprise_id: uuid.UUID) -> Enterprise:
    async with uow:
        return await _get_enterprise_or_raise(uow=uow, enterprise_id=enterprise_id)


async def get_page_of_enterprises(
    *, uow: UnitOfWork, filters: EnterpriseFilters, page: PageRequest
) -> Page[Enterprise]:
    async with uow:
        return await uow.enterprises.get_page(filters, page)


async def get_all_possible_duplicates(
    *, uow: UnitOfWork, caller: Caller, enterprise_id: uuid.UUID
) -> list[tuple[Enterprise, list[str]]]:
    """Other enterprises that may be this one, each with why (legal_id, email_domain, phone)."""
    caller.require_staff("look for possible duplicates")
    async with uow:
        enterprise = await _get_enterprise_or_raise(uow=uow, enterprise_id=enterprise_id)
        found = await uow.enterprises.get_all_by_fingerprint(
            Fingerprint.of(enterprise), besides=enterprise.id, limit=MAX_POSSIBLE_DUPLICATES
        )
    return [
        (other, reasons) for other in found if (reasons := duplicate_reasons(enterprise, other))
    ]


async def _get_enterprise_or_raise(*, uow: UnitOfWork, enterprise_id: uuid.UUID) -> Enterprise:
    return _found_or_raise(await uow.enterprises.get(enterprise_id), enterprise_id)


async def _get_enterprise_for_update_or_raise(
    *, uow: UnitOfWork, enterprise_id: uuid.UUID
) -> Enterprise:
    return _found_or_raise(await uow.enterprises.get_for_update(enterprise_id), enterprise_id)


def _found_or_raise(enterprise: Enterprise | None, enterprise_id: uuid.UUID) -> Enterprise:
    if enterprise is None:
        raise NotFound("enterprise", enterprise_id)
    return enterprise
