"""One transaction per use case; leaving the block without a commit rolls back."""

from __future__ import annotations

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

    def sibling(self) -> UnitOfWork:
        """A unit of work of its own on the same database, for a task that runs beside this one."""
        return UnitOfWork(self._session_factory)
