"""One transaction per use case. Nothing is kept unless the handler commits; leaving the block
without a commit rolls back."""

from __future__ import annotations

from functools import partial

from sqlalchemy.ext.asyncio import AsyncConnection

from eventkit.processed import ProcessedEvents
from registry.adapters import orm
from registry.adapters.expiry import ExpiryQueries
from registry.adapters.figures import FiguresReader
from registry.adapters.introductions import IntroductionRepository
from registry.adapters.publications import PublicationStore
from registry.adapters.repository import EnterpriseRepository, ListingRepository, OutboxWriter
from registry.adapters.republish import RepublishQueries
from servicekit.unit_of_work import Repository, SessionUnitOfWork


class UnitOfWork(SessionUnitOfWork):
    enterprises = Repository(EnterpriseRepository)
    listings = Repository(ListingRepository)
    outbox = Repository(OutboxWriter)
    introductions = Repository(IntroductionRepository)
    processed_events = Repository(partial(ProcessedEvents, table=orm.processed_events))
    expiry = Repository(ExpiryQueries)
    republishing = Repository(RepublishQueries)
    figures = Repository(FiguresReader)
    publications = Repository(PublicationStore, on=lambda uow: uow.driver_connection)

    async def _repository_source(self) -> AsyncConnection:
        # The repositories speak SQL, not ORM: the session's connection spares them the ORM layer.
        return await self.session.connection()
