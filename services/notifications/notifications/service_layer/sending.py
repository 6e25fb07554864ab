"""The sender: picks the due deliveries, decides on each (domain/composing.py), renders it and sends
it through the Mailer port.

Sent once, and what "once" means after a crash: a delivery is claimed (status `sending`, in its
own transaction) before the SMTP conversation and marked `sent` (in another) after the server
accepted it. A process killed between the server's acceptance and that second commit leaves the
delivery `sending`; once its lease runs out another sender sends it again. The server cannot be
asked whether it already holds a message, so for that window the service chooses at-least-once
knowingly: the resend carries the same Message-ID (derived from the idempotency key), so mail
clients and the agency can recognise it. One connection sends one message at a time, so a crash
can double at most the one message that was in flight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from eventkit import topics
from eventkit.contracts import NotificationDead, envelope_for
from eventkit.envelope import Envelope
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
from notifications.domain.recipients import Preferences, Recipient
from notifications.service_layer.ports import Clock, Mailer, Renderer, SendFailed, SystemClock
from notifications.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)

DEAD_LETTERS = topics.dead_letter(topics.DELIVERIES)


@dataclass(frozen=True)
class Sending:
    """What the sender needs besides a unit of work."""

    mailer: Mailer
    renderer: Renderer
    links: Links
    policy: RetryPolicy
    lease: timedelta
    recipient_wait: timedelta
    clock: Clock = field(default_factory=SystemClock)


async def send_due(*, uow: UnitOfWork, sending: Sending, batch: int = 50) -> list[Delivery]:
    """Claims due deliveries in one transaction, sends each, and records each outcome in its own.

    When the server is unreachable the rest of the batch is not tried (each gets its own back-off),
    and what is left when half the lease has passed goes back to the queue untried, so a slow
    server never lets the lease run out under a sender that is still working through its batch."""
    clock = sending.clock
    claimed_at = clock.monotonic()
    async with uow:
        claimed = await uow.deliveries.claim_due(now=clock.now(), lease=sending.lease, limit=batch)
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
                at=clock.now(),
                reason=f"not tried, {unavailable}",
                permanent=False,
                policy=sending.policy,
            )
            await _record(delivery, uow=uow)
        elif clock.monotonic() - claimed_at > sending.lease.total_seconds() / 2:
            delivery.release()
            await _record(delivery, uow=uow)
        else:
            unavailable = await _deliver(
                delivery,
                addressee=people.get(delivery.enterprise_id),
                partner=people.get(delivery.partner_id),
                preference=preferences.get(delivery.enterprise_id)
                or Preferences(enterprise_id=delivery.enterprise_id),
                uow=uow,
                sending=sending,
            )
    return claimed


async def _deliver(
    delivery: Delivery,
    *,
    addressee: Recipient | None,
    partner: Recipient | None,
    preference: Preferences,
    uow: UnitOfWork,
    sending: Sending,
) -> SendFailed | None:
    """Returns the failure when the server itself was unreachable."""
    unavailable = None
    match decide(
        delivery, addressee=addressee, partner=partner, preferences=preference, links=sending.links
    ):
        case Wait():
            delivery.wait_for_recipient(
                at=sending.clock.now(), give_up_after=sending.recipient_wait
            )
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
            at=sending.clock.now(),
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
    except Exception as error:  # a template that cannot render will not render the next time either
        log.exception(
            "delivery_unrenderable", delivery_id=str(delivery.id), template=delivery.template
        )
        delivery.mark_failed(
            at=sending.clock.now(),
            reason=f"cannot render: {error!r}",
            permanent=True,
            policy=sending.policy,
        )
        return None
    delivery.mark_sent(at=sending.clock.now())
    log.info(
        "delivery_sent", delivery_id=str(delivery.id), template=delivery.template, smtp_reply=reply
    )
    return None


def _without_address(text: str, address: str | None) -> str:
    """A server's refusal quotes the mailbox it refused; the log names the delivery instead."""
    return re.sub(re.escape(address), "<recipient>", text, flags=re.IGNORECASE) if address else text


# What a dead letter repeats of its delivery under the same names.
_DEAD_LETTER_FIELDS = "idempotency_key event_id enterprise_id recipient template attempts".split()


def _dead_letter(delivery: Delivery) -> Envelope:
    dead = NotificationDead(
        delivery_id=delivery.id,
        reason=delivery.last_error,
        **{name: getattr(delivery, name) for name in _DEAD_LETTER_FIELDS},
    )
    return envelope_for(dead, key=str(delivery.id), producer="notifications")
