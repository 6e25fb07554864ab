"""The consumer of the registry's enterprise events: it only decodes and dispatches, through the
table below.

It is the repair path of the ownership of an enterprise: the request that registers one binds it
to its company after the registry's reply, and when that write fails the registry's
`enterprise.registered` (which names the registering account) binds it all the same;
`enterprise.deleted` lets it go. Both writes are idempotent by nature (binding twice binds once,
unbinding twice unbinds once), and eventkit's EventConsumer commits an offset only after its
handler has committed, so a redelivered event changes nothing. Other event types are passed over."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from eventkit import topics
from eventkit.contracts import EnterpriseDeleted, EnterpriseRegistered, EventPayload
from eventkit.envelope import Envelope
from eventkit.kafka import EventConsumer, idempotent_producer
from gateway.service_layer import accounts
from gateway.service_layer.unit_of_work import UnitOfWork
from servicekit.problems import database_unavailable
from servicekit.runner import Workers

CONSUMED_TOPICS = list(topics.CONSUMED_BY["gateway"])


async def _bind_registered(container, event: EnterpriseRegistered) -> None:
    owner = await accounts.bind_registered_enterprise(
        uow=UnitOfWork(container.session_factory), event=event
    )
    if owner is not None:
        container.ownership.forget(owner)


async def _unbind_deleted(container, event: EnterpriseDeleted) -> None:
    enterprise_id = str(event.enterprise_id)
    await accounts.unbind_enterprise(
        uow=UnitOfWork(container.session_factory), enterprise_id=enterprise_id
    )
    container.ownership.forget_enterprise(enterprise_id)


Handler = Callable[..., Awaitable[None]]
HANDLERS: dict[type[EventPayload], Handler] = {
    EnterpriseRegistered: _bind_registered,
    EnterpriseDeleted: _unbind_deleted,
}


async def dispatch(container, envelope: Envelope, payload: EventPayload) -> None:
    handler = HANDLERS.get(type(payload))
    if handler is not None:
        await handler(container, payload)


async def run_consumer(container, stop: asyncio.Event) -> None:
    settings = container.settings
    security = settings.kafka_security()
    dead_letters = idempotent_producer(
        settings.kafka_bootstrap_servers, client_id="gateway", security=security
    )
    await dead_letters.start()
    try:
        consumer = EventConsumer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=settings.consumer_group,
            topics=CONSUMED_TOPICS,
            handle=lambda envelope, payload: dispatch(container, envelope, payload),
            dead_letters=dead_letters,
            waits_out=database_unavailable,  # the accounts' database down: the event waits
            security=security,
        )
        await consumer.run(stop)
    finally:
        await dead_letters.stop()


def start_registry_events(container, workers: Workers) -> None:
    """The consumer as a worker of the serving process, restarted after a failure (Kafka not up
    yet) until the gateway stops; none when no Kafka is configured."""
    if container.settings.kafka_bootstrap_servers:
        workers.keep_running("registry-events", lambda: run_consumer(container, workers.stop))
