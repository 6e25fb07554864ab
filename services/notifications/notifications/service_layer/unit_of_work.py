"""One transaction per use case; leaving the block without a commit rolls back."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator

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
from servicekit.unit_of_work import SessionUnitOfWork


class UnitOfWork(SessionUnitOfWork):
    async def __aenter__(self) -> UnitOfWork:
        await super().__aenter__()
        self.deliveries = DeliveryRepository(self.session)
        self.processed_events = ProcessedEvents(self.session, orm.processed_events)
        self.recipients = RecipientRepository(self.session)
        self.suggestions = SuggestionRepository(self.session)
        self.preferences = PreferenceRepository(self.session)
        self.outbox = Outbox(self.session)
        self.personal_data = PersonalDataEraser(self.session)
        return self

    @contextlib.asynccontextmanager
    async def sibling(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work of its own on the same database, for a task that runs beside this one.
        Its transactions (each still committed on its own) all run on one connection, taken from
        the pool, and checked, once for the task rather than once for each transaction."""
        async with self._session_factory.kw["bind"].connect() as connection:
            yield UnitOfWork(functools.partial(self._session_factory, bind=connection))
