"""The consumer of matching's events: it only decodes and dispatches, through the table below.

Each handler owns its transaction and its idempotency by event_id (processed_events); the offsets
are committed only after it returns (eventkit's EventConsumer), so an event redelivered after a
crash changes nothing. Events of types no handler names are passed over."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from eventkit import topics
from eventkit.contracts import EventPayload, MatchIntroduced
from eventkit.envelope import Envelope
from registry.service_layer import partners
from registry.service_layer.unit_of_work import UnitOfWork
from servicekit.runner import consume

CONSUMED_TOPICS = list(topics.CONSUMED_BY["registry"])

Handler = Callable[..., Awaitable[bool]]
HANDLERS: dict[type[EventPayload], Handler] = {
    MatchIntroduced: partners.record_introduction,
}


async def dispatch(envelope: Envelope, payload: EventPayload, *, uow: UnitOfWork) -> bool:
    """Applies the event through its handler; False when no handler wants it or it was applied
    before."""
    handler = HANDLERS.get(type(payload))
    if handler is None:
        return False
    return await handler(envelope, payload, uow=uow)


async def run_consumer(container, stop: asyncio.Event) -> None:
    await container.producer_started.wait()  # the dead-letter topic is written through it

    async def handle(envelope: Envelope, payload: EventPayload) -> None:
        await dispatch(envelope, payload, uow=UnitOfWork(container.session_factory))

    await consume(container, topics=CONSUMED_TOPICS, handle=handle, stop=stop)
