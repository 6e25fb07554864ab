"""Use cases of the notifications service.

Sent once, and what "once" means after a crash: a delivery is claimed (status `sending`, in its
own transaction) before the SMTP conversation and marked `sent` (in another) after the server
accepted it. A process killed between the server's acceptance and that second commit leaves the
delivery `sending`; once its lease runs out another sender sends it again. The server cannot be
asked whether it already holds a message, so for that window the service chooses at-least-once
knowingly: the resend carries the same Message-ID (derived from the idempotency key), so mail
clients and the agency can recognise it. One connection sends one message at a time, so a crash
can double at most the one message that was in flight. Events themselves never double an email:
the consumer records each event_id and each (event, recipient, template) has a unique key.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from eventkit import topics
from eventkit.contracts import (
    EnterpriseDeleted,
    EnterpriseProfile,
    EnterpriseVerified,
    EventPayload,
    MatchApproved,
    MatchClosed,
    MatchIntroduced,
    MatchRejected,
    MatchResponded,
    MatchWithdrawn,
)
from eventkit.envelope import Envelope
from notifications.adapters.rendering import TemplateRenderer
from notifications.adapters.repository import DeliveryFilter
from notifications.adapters.smtp import SendFailed, SmtpMailer
from notifications.domain.composing import (
    AwaitConfirmation,
    Hold,
    Links,
    Send,
    Skip,
    Wait,
    decide,
    unconfirmed_address,
)
from notifications.domain.deliveries import Delivery, DeliveryStatus, RetryPolicy
from notifications.domain.plans import (
    AgencyContact,
    account_confirmation,
    account_exists,
    account_invitation,
    answering_enterprise,
    contact_confirmation,
    deliveries_for,
    digest,
    opened_suggestions,
    password_reset,
    reminder,
)
from notifications.domain.recipients import Preferences, Recipient
from notifications.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)

DEAD_LETTERS = topics.dead_letter(topics.DELIVERIES)
_CLOSING = (MatchIntroduced, MatchClosed, MatchRejected, MatchWithdrawn)


async def record_event(
    envelope: Envelope,
    payload: EventPayload,
    *,
    uow: UnitOfWork,
    public_base_url: str,
    agency: AgencyContact = AgencyContact(),
) -> int:
    """Updates the read models and queues the emails an event causes, once per event; returns how many were queued."""
    async with uow:
        if not await uow.processed_events.record(envelope.event_id, envelope.type):
            return 0
        await _apply_to_read_models(envelope, payload, uow=uow)
        queued = 0
        for delivery in deliveries_for(
            envelope, payload, public_base_url=public_base_url, agency=agency
        ):
            queued += await uow.deliveries.add_unless_known(delivery)
        await uow.commit()
    return queued


async def _apply_to_read_models(
    envelope: Envelope, payload: EventPayload, *, uow: UnitOfWork
) -> None:
    at = envelope.occurred_at
    if isinstance(payload, EnterpriseProfile):
        before = await uow.recipients.get(payload.enterprise_id)
        after = Recipient.from_profile(payload, at=at)
        if await uow.recipients.put_if_newer(after):
            await uow.deliveries.wake_waiting_for(payload.enterprise_id, now=datetime.now(UTC))
            after.confirmed_email = before.confirmed_email if before else None
            if payload.contact_email_confirmed and after.confirm(after.email or ""):
                await uow.recipients.save_confirmation(
                    after
                )  # vouched for by its producer: nothing to ask
                await uow.deliveries.release_unconfirmed(
                    payload.enterprise_id, now=datetime.now(UTC)
                )
            elif after.needs_confirmation_after(before):
                await uow.deliveries.add_unless_known(contact_confirmation(envelope, after))
    elif isinstance(payload, EnterpriseDeleted):
        await uow.personal_data.erase_enterprise(payload.enterprise_id)
        await uow.recipients.put_if_newer(Recipient.deleted(payload.enterprise_id, at=at))
        await uow.deliveries.release_unconfirmed(
            payload.enterprise_id, now=datetime.now(UTC)
        )  # for the sender to skip
    elif isinstance(payload, EnterpriseVerified):
        await uow.recipients.set_status(payload.enterprise_id, "verified", at=at)
    elif isinstance(payload, MatchApproved):
        await uow.suggestions.open(opened_suggestions(envelope, payload))
    elif isinstance(payload, MatchResponded) and (answered_by := answering_enterprise(payload)):
        await uow.suggestions.mark_answered(payload.match_id, answered_by, at=at)
        if payload.answer == "declined":  # the suggestion has ended: no reminder to the other side
            await uow.suggestions.close(payload.match_id, at=at)
    elif isinstance(payload, _CLOSING):
        await uow.suggestions.close(payload.match_id, at=at)


async def confirm_contact(*, uow: UnitOfWork, enterprise_id: uuid.UUID, email: str) -> bool:
    """The owner of `email` followed the enterprise's confirmation link: the address is confirmed
    and the emails kept for it go out. False when the enterprise has another address by now."""
    async with uow:
        recipient = await uow.recipients.get(enterprise_id, for_update=True)
        if recipient is None or not recipient.confirm(email):
            return False
        await uow.recipients.save_confirmation(recipient)
        await uow.deliveries.release_unconfirmed(enterprise_id, now=datetime.now(UTC))
        await uow.commit()
    return True


async def invite_to_account(
    *,
    uow: UnitOfWork,
    invitation_id: uuid.UUID,
    email: str,
    name: str,
    role: str,
    link: str,
    language: str,
) -> Delivery:
    """Queues the invitation email once per invitation; asked again, answers the delivery already queued."""
    invitation = account_invitation(
        invitation_id=invitation_id, email=email, name=name, role=role, link=link, language=language
    )
    async with uow:
        await uow.deliveries.add_unless_known(invitation)
        recorded = await uow.deliveries.get_by_idempotency_key(invitation.idempotency_key)
        await uow.commit()
    return recorded


ACCOUNT_EMAILS = {
    "account_confirmation": account_confirmation,
    "password_reset": password_reset,
    "account_exists": account_exists,
}


async def email_account(
    *, uow: UnitOfWork, template: str, request_id: uuid.UUID, email: str, link: str, language: str
) -> Delivery:
    """Queues one of the gateway's account emails (`account_confirmation`, `password_reset`) once
    per request_id; asked again, answers the delivery already queued."""
    delivery = ACCOUNT_EMAILS[template](
        request_id=request_id, email=email, link=link, language=language
    )
    async with uow:
        await uow.deliveries.add_unless_known(delivery)
        recorded = await uow.deliveries.get_by_idempotency_key(delivery.idempotency_key)
        await uow.commit()
    return recorded


@dataclass(frozen=True)
class Sending:
    """What the sender needs besides a unit of work."""

    mailer: SmtpMailer
    renderer: TemplateRenderer
    links: Links
    policy: RetryPolicy
    lease: timedelta
    recipient_wait: timedelta


async def send_due(*, uow: UnitOfWork, sending: Sending, batch: int = 50) -> list[Delivery]:
    """Claims due deliveries in one transaction, sends each, and records each outcome in its own.

    When the server is unreachable the rest of the batch is not tried (each gets its own back-off),
    and what is left when half the lease has passed goes back to the queue untried, so a slow
    server never lets the lease run out under a sender that is still working through its batch."""
    claimed_at = time.monotonic()
    async with uow:
        claimed = await uow.deliveries.claim_due(
            now=datetime.now(UTC), lease=sending.lease, limit=batch
        )
        await uow.commit()
    if not claimed:
        return []
    async with uow:
        people = await uow.recipients.get_many(
            {e for d in claimed for e in (d.enterprise_id, d.partner_id) if e}
        )
        preferences = await uow.preferences.get_many(
            {d.enterprise_id for d in claimed if d.enterprise_id}
        )
    unavailable: SendFailed | None = None
    for delivery in claimed:
        if unavailable is not None:
            delivery.mark_failed(
                at=datetime.now(UTC),
                reason=f"not tried, {unavailable}",
                permanent=False,
                policy=sending.policy,
            )
            await _record(delivery, uow=uow)
        elif time.monotonic() - claimed_at > sending.lease.total_seconds() / 2:
            delivery.release()
            await _record(delivery, uow=uow)
        else:
            addressee, partner = people.get(delivery.enterprise_id), people.get(delivery.partner_id)
            preference = preferences.get(delivery.enterprise_id) or Preferences(
                enterprise_id=delivery.enterprise_id
            )
            unavailable = await _deliver(
                delivery,
                addressee=addressee,
                partner=partner,
                preference=preference,
                uow=uow,
                sending=sending,
            )
    return claimed


async def _deliver(
    delivery: Delivery, *, addressee, partner, preference, uow: UnitOfWork, sending: Sending
) -> SendFailed | None:
    """Returns the failure when the server itself was unreachable."""
    now = datetime.now(UTC)
    unavailable = None
    match decide(
        delivery, addressee=addressee, partner=partner, preferences=preference, links=sending.links
    ):
        case Wait():
            delivery.wait_for_recipient(at=now, give_up_after=sending.recipient_wait)
        case Skip(reason=reason):
            delivery.skip(reason)
        case AwaitConfirmation():
            await _await_confirmation(delivery, uow=uow)
            return unavailable
        case Hold(recipient=recipient, language=language, context=context):
            delivery.address(recipient=recipient, language=language, context=context)
            delivery.hold_for_digest()
        case Send(recipient=recipient, language=language, context=context):
            delivery.address(recipient=recipient, language=language, context=context)
            unavailable = await _send(delivery, sending=sending)
    await _record(delivery, uow=uow)
    return unavailable


async def _await_confirmation(delivery: Delivery, *, uow: UnitOfWork) -> None:
    """Kept until its address is confirmed, decided again under the recipient's lock, which the
    confirmation takes too: a confirmation committed after the sender read the recipient found no
    kept email to release, so this one goes back to the queue instead of being kept for ever."""
    async with uow:
        addressee = await uow.recipients.get(delivery.enterprise_id, for_update=True)
        if unconfirmed_address(delivery, addressee):
            delivery.await_confirmation()
        else:
            delivery.release()
        await uow.deliveries.save(delivery)
        await uow.commit()


async def _record(delivery: Delivery, *, uow: UnitOfWork) -> None:
    async with uow:
        await uow.deliveries.save(delivery)
        if delivery.status is DeliveryStatus.DEAD:
            await uow.outbox.add(_dead_letter(delivery), topic=DEAD_LETTERS)
        await uow.commit()


async def _send(delivery: Delivery, *, sending: Sending) -> SendFailed | None:
    try:
        email = sending.renderer.render(delivery.template, delivery.language, delivery.context)
        reply = await sending.mailer.send(
            recipient=delivery.recipient, message_id=delivery.message_id, email=email
        )
    except SendFailed as error:
        delivery.mark_failed(
            at=datetime.now(UTC),
            reason=str(error),
            permanent=error.permanent,
            policy=sending.policy,
        )
        log.warning(
            "delivery_failed",
            delivery_id=str(delivery.id),
            status=delivery.status,
            reason=_without_address(str(error), delivery.recipient),
        )
        return error if error.server_unavailable else None
    except (
        Exception
    ) as error:  # a template that cannot render will not render on the next attempt either
        log.exception(
            "delivery_unrenderable", delivery_id=str(delivery.id), template=delivery.template
        )
        delivery.mark_failed(
            at=datetime.now(UTC),
            reason=f"cannot render: {error!r}",
            permanent=True,
            policy=sending.policy,
        )
        return None
    delivery.mark_sent(at=datetime.now(UTC))
    log.info(
        "delivery_sent", delivery_id=str(delivery.id), template=delivery.template, smtp_reply=reply
    )
    return None


def _without_address(text: str, address: str | None) -> str:
    """A server's refusal quotes the mailbox it refused; the log names the delivery instead."""
    return re.sub(re.escape(address), "<recipient>", text, flags=re.IGNORECASE) if address else text


def _dead_letter(delivery: Delivery) -> Envelope:
    return Envelope(
        type="notification.dead",
        producer="notifications",
        key=str(delivery.enterprise_id or delivery.recipient),
        payload={
            "delivery_id": str(delivery.id),
            "idempotency_key": delivery.idempotency_key,
            "event_id": str(delivery.event_id),
            "enterprise_id": str(delivery.enterprise_id) if delivery.enterprise_id else None,
            "recipient": delivery.recipient,
            "template": delivery.template,
            "attempts": delivery.attempts,
            "reason": delivery.last_error,
        },
    )


async def remind_unanswered(*, uow: UnitOfWork, waited: timedelta, batch: int = 100) -> int:
    """Queues one reminder for each suggestion that has waited longer than `waited` for its answer."""
    now = datetime.now(UTC)
    async with uow:
        due = await uow.suggestions.claim_unanswered(
            approved_before=now - waited, now=now, limit=batch
        )
        queued = sum(
            [await uow.deliveries.add_unless_known(reminder(suggestion)) for suggestion in due]
        )
        await uow.commit()
    return queued


async def bundle_digests(*, uow: UnitOfWork, hour: int, batch: int = 50) -> int:
    """Turns the suggestions held for each enterprise whose digest is due into one digest email."""
    now = datetime.now(UTC)
    async with uow:
        enterprises = await uow.deliveries.enterprises_with_held(limit=batch)
    return sum(
        [
            await _bundle_digest(enterprise_id, now=now, hour=hour, uow=uow)
            for enterprise_id in enterprises
        ]
    )


async def _bundle_digest(
    enterprise_id: uuid.UUID, *, now: datetime, hour: int, uow: UnitOfWork
) -> int:
    async with uow:
        preference = await uow.preferences.get(enterprise_id, for_update=True)
        held = await uow.deliveries.held_for(enterprise_id)
        if not held or not preference.digest_due(now=now, hour=hour):
            return 0
        daily = digest(enterprise_id, on=now.date(), held=held)
        await uow.deliveries.add_unless_known(daily)
        await uow.deliveries.bundle(held, into=daily.id)
        preference.last_digest_on = now.date()
        await uow.preferences.save(preference)
        await uow.commit()
    return 1


async def resend_dead(selection: DeliveryFilter, *, uow: UnitOfWork) -> int:
    """Puts what is dead back in the queue, once the cause (a wrong address, a down server) is fixed."""
    async with uow:
        count = await uow.deliveries.resend_dead(selection)
        await uow.commit()
    return count


async def address_confirmed(enterprise_id: uuid.UUID, *, uow: UnitOfWork) -> bool | None:
    """Whether the enterprise confirmed its address; None while its registration is not known here."""
    async with uow:
        recipient = await uow.recipients.get(enterprise_id)
    return None if recipient is None else recipient.email_confirmed


async def get_preferences(enterprise_id: uuid.UUID, *, uow: UnitOfWork) -> Preferences:
    async with uow:
        return await uow.preferences.get(enterprise_id)


KEEP = object()  # a choice the request did not mention: the current value stays


async def change_preferences(
    enterprise_id: uuid.UUID,
    *,
    suggestions: str,
    unsubscribed: bool,
    uow: UnitOfWork,
    language=KEEP,
    reminders=KEEP,
) -> Preferences:
    """`language` (ru|be|en, or None for the enterprise's own) and `reminders` change only when given."""
    async with uow:
        preference = await uow.preferences.get(enterprise_id, for_update=True)
        preference.choose(suggestions=suggestions, unsubscribed=unsubscribed, at=datetime.now(UTC))
        if language is not KEEP:
            preference.choose_language(language)
        if reminders is not KEEP:
            preference.choose_reminders(reminders)
        await uow.preferences.save(preference)
        await uow.commit()
    return preference


async def unsubscribe(enterprise_id: uuid.UUID, *, uow: UnitOfWork) -> Preferences:
    async with uow:
        preference = await uow.preferences.get(enterprise_id, for_update=True)
        preference.choose(
            suggestions=preference.suggestions, unsubscribed=True, at=datetime.now(UTC)
        )
        await uow.preferences.save(preference)
        await uow.commit()
    return preference
