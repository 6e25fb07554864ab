"""The service's two loops: the consumer that only decodes and dispatches, and the sender."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import structlog

from eventkit import topics
from eventkit.kafka import EventConsumer
from notifications.domain.deliveries import RetryPolicy
from notifications.service_layer import handlers
from notifications.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)

CONSUMED_TOPICS = [topics.ENTERPRISES, topics.LISTINGS, topics.MATCHES]


async def run_consumer(container, stop: asyncio.Event) -> None:
    settings = container.settings

    async def handle(envelope, payload) -> None:
        uow = UnitOfWork(container.session_factory)
        await handlers.record_event(envelope, payload, uow=uow, public_base_url=settings.public_base_url)
        container.sender_wakeup.set()

    consumer = EventConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=settings.consumer_group,
        topics=CONSUMED_TOPICS,
        handle=handle,
        dead_letters=container.producer,
    )
    await consumer.run(stop)


async def run_sender(container, stop: asyncio.Event) -> None:
    settings = container.settings
    policy = RetryPolicy(settings.max_attempts, settings.retry_base_seconds, settings.retry_cap_seconds)
    lease = timedelta(seconds=settings.sending_lease_seconds)
    while not stop.is_set():
        try:
            sent = await handlers.send_due(
                uow=UnitOfWork(container.session_factory), mailer=container.mailer, renderer=container.renderer, policy=policy, lease=lease
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
