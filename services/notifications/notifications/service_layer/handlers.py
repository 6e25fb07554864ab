"""Use cases of the notifications service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import structlog

from eventkit.contracts import EventPayload
from eventkit.envelope import Envelope
from notifications.adapters.rendering import TemplateRenderer
from notifications.adapters.smtp import SendFailed, SmtpMailer
from notifications.domain.deliveries import Delivery, RetryPolicy
from notifications.domain.plans import deliveries_for
from notifications.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)


async def record_event(envelope: Envelope, payload: EventPayload, *, uow: UnitOfWork, public_base_url: str) -> int:
    """Queues the emails an event causes, once per event; returns how many were queued."""
    async with uow:
        if not await uow.processed_events.record(envelope.event_id, envelope.type):
            return 0
        queued = 0
        for delivery in deliveries_for(envelope, payload, public_base_url=public_base_url):
            queued += await uow.deliveries.add_unless_known(delivery)
        await uow.commit()
    return queued


async def send_due(*, uow: UnitOfWork, mailer: SmtpMailer, renderer: TemplateRenderer, policy: RetryPolicy, lease: timedelta, batch: int = 50) -> list[Delivery]:
    """Claims due deliveries in one transaction, sends each, and records each outcome in its own."""
    async with uow:
        claimed = await uow.deliveries.claim_due(now=datetime.now(UTC), lease=lease, limit=batch)
        await uow.commit()
    for delivery in claimed:
        await _send_one(delivery, uow=uow, mailer=mailer, renderer=renderer, policy=policy)
    return claimed


async def _send_one(delivery: Delivery, *, uow: UnitOfWork, mailer: SmtpMailer, renderer: TemplateRenderer, policy: RetryPolicy) -> None:
    email = renderer.render(delivery.template, delivery.language, delivery.context)
    try:
        reply = await mailer.send(recipient=delivery.recipient, message_id=delivery.message_id, email=email)
        delivery.mark_sent(at=datetime.now(UTC))
        log.info("delivery_sent", delivery_id=str(delivery.id), template=delivery.template, smtp_reply=reply)
    except SendFailed as error:
        delivery.mark_failed(at=datetime.now(UTC), reason=str(error), permanent=error.permanent, policy=policy)
        log.warning("delivery_failed", delivery_id=str(delivery.id), status=delivery.status, reason=str(error))
    async with uow:
        await uow.deliveries.save(delivery)
        await uow.commit()
