"""One transaction per use case; leaving the block without a commit rolls back."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from eventkit.processed import ProcessedEvents
from notifications.adapters import orm
from notifications.adapters.erasure import PersonalDataEraser
from notifications.adapters.repository import (
    DeliveryRepository,
    Outbox,
    PreferenceRepository,
    RecipientRepository,
    SuggestionRepository,
)
from servicekit.unit_of_work import Repository, SessionUnitOfWork


class UnitOfWork(SessionUnitOfWork):
    deliveries = Repository(DeliveryRepository)
    processed_events = Repository(functools.partial(ProcessedEvents, table=orm.processed_events))
    recipients = Repository(RecipientRepository)
    suggestions = Repository(SuggestionRepository)
    preferences = Repository(PreferenceRepository)
    outbox = Repository(Outbox)
    personal_data = Repository(PersonalDataEraser)

    @contextlib.asynccontextmanager
    async def sibling(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work of its own on the same database, for a task that runs beside this one.
        Its transactions (each still committed on its own) all run on one connection, taken from
        the pool, and checked, once for the task rather than once for each transaction."""
        async with self._session_factory.kw["bind"].connect() as connection:
            yield UnitOfWork(functools.partial(self._session_factory, bind=connection))


class OneConnectionAtATime:
    """Units of work, one after another, on one connection kept between them: the pool checks a
    connection (a round trip of three statements) each time it hands one out, which for a consumer
    of small events was as much as the event's own work. The connection is given back, and a fresh
    one taken, once it has served `kept_for` seconds, and at once after any failure, so one that the
    database dropped serves no other transaction."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], *, kept_for: float = 1.0
    ) -> None:
        self._session_factory = session_factory
        self._kept_for = kept_for
        self._connection: AsyncConnection | None = None
        self._taken_at = 0.0

    @contextlib.asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        if self._connection is None or time.monotonic() - self._taken_at > self._kept_for:
            await self.close()
            self._connection = await self._session_factory.kw["bind"].connect()
            self._taken_at = time.monotonic()
        try:
            yield UnitOfWork(functools.partial(self._session_factory, bind=self._connection))
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()
