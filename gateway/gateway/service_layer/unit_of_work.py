"""One transaction per use case. Nothing is kept unless the handler commits; leaving the block
without a commit rolls back."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


from gateway.adapters.repository import AccountRepository, RefreshTokenRepository


class UnitOfWork:
    """`session_factory` makes ORM sessions, or plain connections for use cases that run only
    Core statements (the repositories use nothing else): a connection skips the session's
    bookkeeping, which costs more than the statement on the gateway's request path."""

    def __init__(self, session_factory: Callable[[], AsyncSession | AsyncConnection]) -> None:
        self._session_factory = session_factory

    async def __aenter__(self) -> UnitOfWork:
        opened = self._session_factory()
        self.session = await opened if isinstance(opened, AsyncConnection) else opened
        self.accounts = AccountRepository(self.session)
        self.refresh_tokens = RefreshTokenRepository(self.session)
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
