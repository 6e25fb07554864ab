"""The consumer of registry events: it only decodes and dispatches."""

from __future__ import annotations

import asyncio

from eventkit import topics
from matching.service_layer import handlers
from servicekit.runner import consume

CONSUMED_TOPICS = list(topics.CONSUMED_BY["matching"])


async def run_consumer(container, stop: asyncio.Event) -> None:
    async def handle(envelope, payload) -> None:
        applied = await handlers.apply_registry_event(
            envelope, payload, uow=container.unit_of_work(), matcher=container.matcher
        )
        if applied:
            container.metrics.events_applied.labels(envelope.type).inc()

    await consume(container, topics=CONSUMED_TOPICS, handle=handle, stop=stop)
