"""The consumer of registry events: it only decodes and dispatches."""

from __future__ import annotations

import asyncio

from eventkit import topics
from eventkit.kafka import EventConsumer
from matching.service_layer import handlers
from matching.service_layer.unit_of_work import UnitOfWork

CONSUMED_TOPICS = [topics.ENTERPRISES, topics.LISTINGS]


async def run_consumer(container, stop: asyncio.Event) -> None:
    async def handle(envelope, payload) -> None:
        if await handlers.apply_registry_event(envelope, payload, uow=UnitOfWork(container.session_factory)):
            container.metrics.events_applied.labels(envelope.type).inc()

    consumer = EventConsumer(
        bootstrap_servers=container.settings.kafka_bootstrap_servers,
        group_id=container.settings.consumer_group,
        topics=CONSUMED_TOPICS,
        handle=handle,
        dead_letters=container.producer,
    )
    await consumer.run(stop)
