"""One transaction per use case; leaving the block without a commit rolls back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.deliveries = DeliveryRepository(self.session)
        self.processed_events = ProcessedEvents(self.session, orm.processed_events)
        self.recipients = RecipientRepository(self.session)
        self.suggestions = SuggestionRepository(self.session)
        self.preferences = PreferenceRepository(self.session)
        self.outbox = Outbox(self.session)
        self.personal_data = PersonalDataEraser(self.session)
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
