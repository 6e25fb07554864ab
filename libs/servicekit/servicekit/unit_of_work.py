"""The transaction of one use case on a SQLAlchemy session: opened on entering the block, kept only
when the handler commits, rolled back and closed on leaving.

A service's unit of work states its repositories once, as class attributes, and this base builds
them on each entry:

    class UnitOfWork(SessionUnitOfWork):
        listings = Repository(ListingRepository)
        processed_events = Repository(partial(ProcessedEvents, table=orm.processed_events))

`uow.listings` is then a `ListingRepository` to type checkers, and one built on this transaction's
session at run time. The repositories stay in the service; so does whatever its commit also does.

A repository on a path where SQLAlchemy's cost per statement is most of a request's speaks to the
driver (asyncpg) instead, built `on=lambda uow: uow.driver_connection`: what it writes belongs to
the same transaction, kept by `commit` and rolled back on leaving like the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, Self, TypeVar, overload

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

RepositoryT = TypeVar("RepositoryT")


class Repository(Generic[RepositoryT]):
    """One repository of a unit of work: `build` is called with what the unit of work's
    repositories are built on (its session, unless it says otherwise), or, given `on`, with what
    `on` picks from the unit of work (for example its `driver_connection` method)."""

    def __init__(
        self,
        build: Callable[[Any], RepositoryT],
        *,
        on: Callable[[Any], object] | None = None,
    ) -> None:
        self.build = build
        self.on = on
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type) -> RepositoryT: ...

    def __get__(self, instance, owner):
        if instance is None:
            return self
        # Reached only before the first entry: entering gives the instance a repository of its own.
        raise AttributeError(f"{owner.__name__}.{self.name} is built on entering `async with`")


class SessionUnitOfWork:
    _repositories: ClassVar[dict[str, Repository[Any]]] = {}

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._repositories = {
            name: value
            for klass in reversed(cls.__mro__)
            for name, value in vars(klass).items()
            if isinstance(value, Repository)
        }

    async def __aenter__(self) -> Self:
        self.session = self._session_factory()
        self._driver: asyncpg.Connection | None = None  # none borrowed yet in this transaction
        self._driver_transaction: asyncpg.transaction.Transaction | None = None
        self._lent_from: AsyncConnection | None = None  # the session's connection, the driver's
        source = await self._repository_source()
        for name, repository in self._repositories.items():
            built_on = source if repository.on is None else repository.on(self)
            setattr(self, name, repository.build(built_on))  # shadows the class's `Repository`
        return self

    async def _repository_source(self) -> object:
        """What the repositories are built on; a service whose repositories speak SQL rather than
        ORM returns the session's connection instead."""
        return self.session

    async def driver_connection(self) -> asyncpg.Connection:
        """The driver's own connection under the session's, for a path where SQLAlchemy's cost per
        statement is most of a request's. Its statements are this unit of work's.

        SQLAlchemy begins the driver's transaction at its first statement only; when none ran yet,
        the transaction is begun here on the driver and ended by `commit` or on leaving. A unit of
        work that borrows the driver before any SQLAlchemy statement then speaks only through it."""
        if self._driver is None:
            self._lent_from = await self.session.connection()
            self._driver = (await self._lent_from.get_raw_connection()).driver_connection
            if not self._driver.is_in_transaction():
                transaction = self._driver.transaction()
                await transaction.start()  # on a connection the server ended: see `__aexit__`
                self._driver_transaction = transaction
        return self._driver

    async def __aexit__(self, exc_type, error, traceback) -> None:
        # Whatever statement met the connection the server ended (asyncpg then refuses it with its
        # own errors, which say nothing of an outage), the use case kept nothing and may be sent
        # again: one ConnectionError, answered 503 like any outage, wherever the driver was used.
        # Told before the rollback, which may close the connection whatever the error was.
        ended = (
            error is not None
            and self._driver is not None
            and _connection_ended(error, self._driver)
        )
        try:
            if self._driver_transaction is not None:
                await self._end_driver_transaction(self._driver_transaction.rollback)
        finally:
            await self.session.rollback()
            await self.session.close()
        if ended:
            raise ConnectionError("the database ended the connection") from error

    async def commit(self) -> None:
        # The driver's transaction first: the session gives its connection back to the pool when it
        # commits, and a connection must not go back with a transaction still open on it.
        if self._driver_transaction is not None:
            await self._end_driver_transaction(self._driver_transaction.commit)
        await self.session.commit()

    async def _end_driver_transaction(self, end) -> None:
        self._driver_transaction = None
        try:
            await end()
        except BaseException as error:
            # The server ended the connection (a shutdown, a terminated backend) while the
            # transaction was idle: asyncpg then refuses to send the COMMIT or ROLLBACK at all, so
            # nothing was kept and the caller may simply try again (a 503, as any outage). A
            # cancellation, or the server's own error, goes on as it is.
            ended = _connection_ended(error, self._driver)
            # Its transaction in an unknown state, the connection is closed rather than pooled.
            await self._lent_from.invalidate()
            if ended:
                raise ConnectionError(
                    "the database ended the connection in a transaction"
                ) from error
            raise


def _connection_ended(error: BaseException, driver: asyncpg.Connection) -> bool:
    """Whether asyncpg refused a statement because the server had ended the connection."""
    return isinstance(error, asyncpg.InternalClientError) or (
        isinstance(error, asyncpg.InterfaceError) and driver.is_closed()
    )
