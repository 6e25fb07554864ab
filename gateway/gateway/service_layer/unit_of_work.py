"""One transaction per use case. Nothing is kept unless the handler commits; leaving the block
without a commit rolls back."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.adapters.email_outbox import PendingEmailRepository
from gateway.adapters.repository import AccountRepository, OwnershipStore, RefreshTokenRepository
from gateway.adapters.tokens import SessionCache
from servicekit.unit_of_work import Repository, SessionUnitOfWork


class UnitOfWork(SessionUnitOfWork):
    """`sessions`: the door's cache of sessions; whatever sessions the transaction ended are
    forgotten there once it commits, so this instance refuses their access tokens at once.
    `emails_queued`: set once a transaction that kept an account email commits, so the sender
    hands it over at once rather than at its next look.
    `ownership` writes through the driver's connection (the registration's request path, where
    SQLAlchemy's cost per statement is most of the write's), in this same transaction."""

    accounts = Repository(AccountRepository)
    refresh_tokens = Repository(RefreshTokenRepository)
    ownership = Repository(OwnershipStore, on=lambda uow: uow.driver_connection)
    emails = Repository(PendingEmailRepository)

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        sessions: SessionCache | None = None,
        emails_queued: asyncio.Event | None = None,
    ) -> None:
        super().__init__(session_factory)
        self._sessions = sessions
        self._emails_queued = emails_queued

    async def commit(self) -> None:
        await super().commit()
        if self._sessions is not None:
            self._sessions.forget(
                session_ids=self.refresh_tokens.ended_families,
                account_ids=self.refresh_tokens.ended_accounts,
            )
        if self._emails_queued is not None and self.emails.queued:
            self._emails_queued.set()
