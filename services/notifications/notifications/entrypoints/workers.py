"""The service's loops: the consumer that only decodes and dispatches, the sender (with its periodic
reminder and digest passes), and the relay that publishes dead letters from the outbox."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import structlog

from eventkit import topics
from notifications.adapters.orm import outbox
from notifications.domain.deliveries import RetryPolicy
from notifications.domain.plans import AgencyContact
from notifications.service_layer import events, housekeeping
from notifications.service_layer.sending import Sending, send_due
from notifications.service_layer.unit_of_work import OneConnectionAtATime, UnitOfWork
from servicekit.runner import consume

log = structlog.get_logger(__name__)

CONSUMED_TOPICS = list(topics.CONSUMED_BY["notifications"])


async def run_consumer(container, stop: asyncio.Event) -> None:
    settings = container.settings
    # What every email an event causes says of the platform: its address and the agency's contact.
    emails_say = {
        "public_base_url": settings.public_base_url,
        "agency": AgencyContact(email=settings.agency_email, phone=settings.agency_phone),
    }

    connection = OneConnectionAtATime(container.session_factory)

    async def handle(envelope, payload) -> None:
        async with connection.unit_of_work() as uow:
            queued = await events.handle(uow=uow, envelope=envelope, payload=payload, **emails_say)
        if queued:
            container.sender_wakeup.set()

    try:
        await consume(container, topics=CONSUMED_TOPICS, handle=handle, stop=stop)
    finally:
        await connection.close()


def sending_of(container) -> Sending:
    settings = container.settings
    return Sending(
        mailer=container.mailer,
        renderer=container.renderer,
        links=container.links,
        policy=RetryPolicy(
            settings.max_attempts, settings.retry_base_seconds, settings.retry_cap_seconds
        ),
        lease=timedelta(seconds=settings.sending_lease_seconds),
        recipient_wait=timedelta(seconds=settings.recipient_wait_max_seconds),
        in_flight=settings.smtp_connections,
    )


async def run_sender(container, stop: asyncio.Event) -> None:
    settings = container.settings
    sending = sending_of(container)
    next_housekeeping = 0.0
    while not stop.is_set():
        if time.monotonic() >= next_housekeeping:
            await _housekeeping(container)
            next_housekeeping = time.monotonic() + settings.housekeeping_interval_seconds
        try:
            sent = await send_due(
                uow=UnitOfWork(container.session_factory),
                sending=sending,
                batch=settings.send_batch_size,
            )
        except Exception:
            log.exception("sender_pass_failed")
            sent = []
        for delivery in sent:
            container.metrics.emails.labels(delivery.template, delivery.status).inc()
        if not sent:
            container.sender_wakeup.clear()
            try:
                await asyncio.wait_for(container.sender_wakeup.wait(), settings.sender_poll_seconds)
            except TimeoutError:
                pass


async def _housekeeping(container) -> None:
    """Queues reminders for suggestions left unanswered, and digests for those who asked for one."""
    settings = container.settings
    try:
        await housekeeping.remind_unanswered(
            uow=UnitOfWork(container.session_factory),
            waited=timedelta(seconds=settings.reminder_after_seconds),
        )
        await housekeeping.bundle_digests(
            uow=UnitOfWork(container.session_factory), hour=settings.digest_hour_utc
        )
    except Exception:
        log.exception("housekeeping_failed")


async def run_dead_letter_relay(container, stop: asyncio.Event) -> None:
    relay = await container.outbox_relay(outbox, idle_interval=0.5)
    await relay.run(stop)
