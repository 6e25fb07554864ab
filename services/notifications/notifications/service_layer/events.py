"""The platform's events as this service reads them: one table from an event's contract to what it
changes in the read models (recipients, suggestions), then the emails it causes (domain/plans.py),
queued once per event. Events never double an email: each event_id is recorded once, and each
(event, recipient, template) has a unique key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from eventkit import contracts
from eventkit.contracts import EventPayload
from eventkit.envelope import Envelope
from notifications.domain.plans import (
    AgencyContact,
    answering_enterprise,
    contact_confirmation,
    deliveries_for,
    opened_suggestions,
)
from notifications.domain.recipients import Recipient
from notifications.service_layer.unit_of_work import UnitOfWork

ReadModelHandler = Callable[[Envelope, Any, UnitOfWork], Awaitable[None]]


async def handle(
    *,
    uow: UnitOfWork,
    envelope: Envelope,
    payload: EventPayload,
    public_base_url: str,
    agency: AgencyContact = AgencyContact(),
) -> int:
    """Applies the event to the read models and queues the emails it causes, once per event;
    returns how many emails were queued."""
    async with uow:
        if not await uow.processed_events.record(envelope.event_id, envelope.type):
            return 0
        if apply := HANDLERS.get(type(payload)):
            await apply(envelope, payload, uow)
        queued = await uow.deliveries.add_all_unless_known(
            deliveries_for(envelope, payload, public_base_url=public_base_url, agency=agency)
        )
        await uow.commit()
    return queued


async def _profile_changed(
    envelope: Envelope, profile: contracts.EnterpriseProfile, uow: UnitOfWork
) -> None:
    """A newer profile wakes the emails waiting for the enterprise; an address its producer vouches
    for is confirmed at once, any other new address is sent a confirmation first."""
    before = await uow.recipients.get(profile.enterprise_id)
    after = Recipient.from_profile(profile, at=envelope.occurred_at)
    if not await uow.recipients.put_if_newer(after):
        return
    await uow.deliveries.wake_waiting_for(profile.enterprise_id, now=datetime.now(UTC))
    after.confirmed_email = before.confirmed_email if before else None
    if profile.contact_email_confirmed and after.confirm(after.email or ""):
        await uow.recipients.save_confirmation(after)
        await uow.deliveries.release_unconfirmed(profile.enterprise_id, now=datetime.now(UTC))
    elif after.needs_confirmation_after(before):
        await uow.deliveries.add_unless_known(contact_confirmation(envelope, after))


async def _enterprise_deleted(
    envelope: Envelope, deleted: contracts.EnterpriseDeleted, uow: UnitOfWork
) -> None:
    """Its personal data goes; the emails kept for its address go back to the sender, to skip."""
    await uow.personal_data.erase_enterprise(deleted.enterprise_id)
    await uow.recipients.put_if_newer(
        Recipient.deleted(deleted.enterprise_id, at=envelope.occurred_at)
    )
    await uow.deliveries.release_unconfirmed(deleted.enterprise_id, now=datetime.now(UTC))


async def _enterprise_verified(
    envelope: Envelope, verified: contracts.EnterpriseVerified, uow: UnitOfWork
) -> None:
    await uow.recipients.set_status(verified.enterprise_id, "verified", at=envelope.occurred_at)


async def _suggestion_opened(
    envelope: Envelope, match: contracts.MatchApproved, uow: UnitOfWork
) -> None:
    """Each side's suggestion waits for its answer (for the reminder)."""
    await uow.suggestions.open(opened_suggestions(envelope, match))


async def _suggestion_answered(
    envelope: Envelope, match: contracts.MatchResponded, uow: UnitOfWork
) -> None:
    if not (answered_by := answering_enterprise(match)):
        return
    await uow.suggestions.mark_answered(match.match_id, answered_by, at=envelope.occurred_at)
    if match.answer == "declined":  # the suggestion has ended: no reminder to the other side
        await uow.suggestions.close(match.match_id, at=envelope.occurred_at)


async def _suggestion_closed(
    envelope: Envelope, match: contracts.MatchSnapshot, uow: UnitOfWork
) -> None:
    await uow.suggestions.close(match.match_id, at=envelope.occurred_at)


# The events that change a read model; every other event only queues the emails it causes.
HANDLERS: dict[type[EventPayload], ReadModelHandler] = {
    contracts.EnterpriseRegistered: _profile_changed,
    contracts.EnterpriseUpdated: _profile_changed,
    contracts.EnterpriseSuspended: _profile_changed,
    contracts.EnterpriseReinstated: _profile_changed,
    contracts.EnterpriseDeleted: _enterprise_deleted,
    contracts.EnterpriseVerified: _enterprise_verified,
    contracts.MatchApproved: _suggestion_opened,
    contracts.MatchResponded: _suggestion_answered,
    contracts.MatchIntroduced: _suggestion_closed,
    contracts.MatchClosed: _suggestion_closed,
    contracts.MatchRejected: _suggestion_closed,
    contracts.MatchWithdrawn: _suggestion_closed,
}
