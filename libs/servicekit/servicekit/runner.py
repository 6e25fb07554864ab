"""How an app runs its consumers, relays and sweeps beside its HTTP API, or alone in a process of
their own, and stops them in order: the stop event is set, start-up steps still under way are
cancelled, the workers get a grace period to finish what they hold (a consumer its batch and its
group), those still running are cancelled, and only then are the clients they used closed."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Self

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential_jitter

from eventkit.kafka import (
    EventConsumer,
    Handler,
    idempotent_producer,
    kafka_is_reachable,
    keep_running,
)
from eventkit.outbox import OutboxRelay
from servicekit.health import database_is_reachable
from servicekit.problems import database_unavailable

log = structlog.get_logger(__name__)

GRACE_SECONDS = 10.0


class Workers:
    """An app's background tasks, used as `async with Workers() as workers:` around its life."""

    def __init__(self, *, stop: asyncio.Event | None = None, grace: float = GRACE_SECONDS) -> None:
        self.stop = stop or asyncio.Event()
        self.grace = grace
        self._steps: list[asyncio.Task] = []
        self._workers: list[asyncio.Task] = []
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self.stopped_in_time = True

    def start_up(self, step: Awaitable[None]) -> None:
        """A step of start-up (a client connecting, an index filling): cancelled at once at stop."""
        self._steps.append(asyncio.ensure_future(step))

    def run(self, work: Awaitable[None]) -> None:
        """Work that ends by itself once `stop` is set, given the grace period to do so."""
        self._workers.append(asyncio.ensure_future(work))

    def keep_running(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        """A loop started again after a failure (Kafka not up yet, say) until the stop."""
        self.run(keep_running(name, loop, self.stop))

    def on_close(self, close: Callable[[], Awaitable[None]]) -> None:
        """Closes a client once no worker uses it any more (in the order given)."""
        self._closers.append(close)

    async def close(self) -> None:
        self.stop.set()
        for step in self._steps:
            step.cancel()
        if self._workers:
            _, late = await asyncio.wait(self._workers, timeout=self.grace)
            self.stopped_in_time = not late
            for task in late:
                task.cancel()
        await asyncio.gather(*self._steps, *self._workers, return_exceptions=True)
        for close in self._closers:
            await close()

    async def __aenter__(self) -> Workers:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()


def run_until_signalled(
    work: Callable[[asyncio.Event], Awaitable[None]], *, grace: float = GRACE_SECONDS
) -> bool:
    """Runs `work(stop)` in a process of its own until SIGINT or SIGTERM sets `stop`; False when it
    had to be cancelled after the grace period, its exception when it failed."""

    async def until_stopped() -> bool:
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        working = asyncio.ensure_future(work(stop))
        async with Workers(stop=stop, grace=grace) as workers:
            workers.run(working)
            await stop.wait()
        if not working.cancelled() and working.exception() is not None:
            raise working.exception()  # a failure is the process's, with its traceback
        if not workers.stopped_in_time:
            log.warning("stopped_late", grace_seconds=grace)
        return workers.stopped_in_time

    return asyncio.run(until_stopped())


async def start_with_retries(start: Callable[[], Awaitable[None]], started: asyncio.Event) -> None:
    """Starts a client whose server may come up after the app (Kafka): requests are accepted
    meanwhile, and `started` tells the workers waiting for it."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(Exception),
        wait=wait_exponential_jitter(multiplier=0.5, max=5),
    ):
        with attempt:
            await start()
    started.set()


async def consume(
    container, *, topics: Iterable[str], handle: Handler, stop: asyncio.Event
) -> None:
    """Runs the app's consumer of `topics` in its consumer group until `stop`: `handle(envelope,
    payload)` applies each event; what cannot be read goes to the dead-letter topic through the
    container's producer, and what even that refuses is counted in `events_skipped`; an event
    whose handler meets the database unavailable waits for it."""
    consumer = EventConsumer(
        bootstrap_servers=container.settings.kafka_bootstrap_servers,
        group_id=container.settings.consumer_group,
        topics=list(topics),
        handle=handle,
        dead_letters=container.producer,
        skipped=lambda topic, error: container.metrics.events_skipped.labels(topic, error).inc(),
        # The database down or restarting is no fault of the event: it waits, not dead-lettered.
        waits_out=database_unavailable,
        security=container.settings.kafka_security(),
    )
    await consumer.run(stop)


@dataclass(kw_only=True)
class DatabaseAndKafka:
    """The clients an app's API and workers share, as the base of its container (a dataclass):
    started, checked and closed the same way."""

    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    producer: AIOKafkaProducer
    producer_started: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def connected(cls, settings: Any, *, client_id: str, **fields: Any) -> Self:
        """The container of an app whose `settings` name its database and Kafka: a pool of ten
        connections, each checked before use, and an idempotent producer (`fields`: the app's own
        parts). Called inside the running event loop: the Kafka clients need one."""
        engine = create_async_engine(
            settings.database_url, hide_parameters=True, pool_size=10, pool_pre_ping=True
        )
        return cls(
            settings=settings,
            engine=engine,
            session_factory=async_sessionmaker(engine, expire_on_commit=False),
            producer=idempotent_producer(
                settings.kafka_bootstrap_servers,
                client_id=client_id,
                security=settings.kafka_security(),
            ),
            **fields,
        )

    async def start_producer(self) -> None:
        """Kafka may come up after the app: requests are accepted (into the outbox) meanwhile."""
        await start_with_retries(self.producer.start, self.producer_started)

    async def outbox_relay(self, table: Table, **options: Any) -> OutboxRelay:
        """The relay of the app's outbox `table`, once the producer it publishes through started
        (`options`: OutboxRelay's batch size, idle interval, on_published)."""
        await self.producer_started.wait()
        return OutboxRelay(engine=self.engine, producer=self.producer, table=table, **options)

    async def readiness(self) -> dict[str, bool]:
        return {
            "database": await database_is_reachable(self.engine),
            "kafka": self.producer_started.is_set() and await kafka_is_reachable(self.producer),
        }

    async def close(self) -> None:
        if self.producer_started.is_set():
            await self.producer.stop()
        await self.engine.dispose()
