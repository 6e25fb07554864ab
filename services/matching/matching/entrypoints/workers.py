"""The consumer of registry events: it only decodes and dispatches."""

from __future__ import annotations

import asyncio

from eventkit import topics
from eventkit.kafka import EventConsumer
from matching.service_layer import handlers

CONSUMED_TOPICS = list(topics.CONSUMED_BY["matching"])


async def run_consumer(container, stop: asyncio.Event) -> None:
    async def handle(envelope, payload) -> None:
        applied = await handlers.apply_registry_event(
            envelope, payload, uow=container.unit_of_work(), matcher=container.matcher
        )
        if applied:
            container.metrics.events_applied.labels(envelope.type).inc()

    consumer = EventConsumer(
        bootstrap_servers=container.settings.kafka_bootstrap_servers,
        group_id=container.settings.consumer_group,
        topics=CONSUMED_TOPICS,
        handle=handle,
        dead_letters=container.producer,
        skipped=lambda topic, error: container.metrics.events_skipped.labels(topic, error).inc(),
    )
    await consumer.run(stop)
