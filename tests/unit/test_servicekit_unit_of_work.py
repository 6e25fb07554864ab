"""A service's unit of work states its repositories once, as a table on the class: entering builds
each of them on that transaction's session (or on what the service says they are built on), and
leaving without a commit rolls the transaction back."""

from __future__ import annotations

from functools import partial

import pytest

from servicekit.unit_of_work import Repository, SessionUnitOfWork


class _RecordingSession:
    """Stands for an `AsyncSession`: records what the unit of work asks of its transaction."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        self.connection_lent = object()

    async def connection(self) -> object:
        self.calls.append("connection")
        return self.connection_lent

    async def commit(self) -> None:
        self.calls.append("commit")

    async def rollback(self) -> None:
        self.calls.append("rollback")

    async def close(self) -> None:
        self.calls.append("close")


class _SessionFactory:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.sessions: list[_RecordingSession] = []

    def __call__(self) -> _RecordingSession:
        self.sessions.append(_RecordingSession(self.calls))
        return self.sessions[-1]


class _Listings:
    def __init__(self, executor) -> None:
        self.executor = executor


class _ProcessedEvents:
    def __init__(self, executor, table: str) -> None:
        self.executor = executor
        self.table = table


class _DriverStore:
    def __init__(self, driver_connection) -> None:
        self.driver_connection = driver_connection


class _UnitOfWork(SessionUnitOfWork):
    listings = Repository(_Listings)
    processed_events = Repository(partial(_ProcessedEvents, table="processed_events"))
    publications = Repository(_DriverStore, on=lambda uow: uow.driver_connection)

    async def driver_connection(self) -> object:
        return self.session.connection_lent


class _OnConnectionUnitOfWork(SessionUnitOfWork):
    listings = Repository(_Listings)

    async def _repository_source(self) -> object:
        return await self.session.connection()


async def test_entering_builds_each_repository_of_the_table_on_the_transactions_session():
    factory = _SessionFactory()
    async with _UnitOfWork(factory) as uow:
        assert isinstance(uow.listings, _Listings)
        assert uow.listings.executor is factory.sessions[0]
        assert isinstance(uow.processed_events, _ProcessedEvents)
        assert uow.processed_events.executor is factory.sessions[0]
        assert uow.processed_events.table == "processed_events"


async def test_a_repository_given_on_is_built_on_what_it_picks_from_the_unit_of_work():
    async with _UnitOfWork(_SessionFactory()) as uow:
        assert uow.publications.driver_connection == uow.driver_connection
        assert await uow.publications.driver_connection() is uow.session.connection_lent


async def test_repositories_are_built_on_the_source_the_unit_of_work_names():
    factory = _SessionFactory()
    async with _OnConnectionUnitOfWork(factory) as uow:
        assert uow.listings.executor is factory.sessions[0].connection_lent
    assert factory.calls == ["connection", "rollback", "close"]


async def test_each_entry_builds_repositories_of_its_own_on_a_new_session():
    factory = _SessionFactory()
    uow = _UnitOfWork(factory)
    async with uow:
        first = uow.listings
    async with uow:
        second = uow.listings
    assert first is not second
    assert [first.executor, second.executor] == factory.sessions


async def test_leaving_without_a_commit_rolls_back_and_closes_the_session():
    factory = _SessionFactory()
    async with _UnitOfWork(factory):
        pass
    assert factory.calls == ["rollback", "close"]


async def test_leaving_on_an_error_rolls_back_and_lets_the_error_through():
    factory = _SessionFactory()
    with pytest.raises(LookupError):
        async with _UnitOfWork(factory):
            raise LookupError("the handler failed")
    assert factory.calls == ["rollback", "close"]


async def test_what_the_handler_commits_is_committed_before_the_session_closes():
    factory = _SessionFactory()
    async with _UnitOfWork(factory) as uow:
        await uow.commit()
    assert factory.calls == ["commit", "rollback", "close"]


def test_a_repository_read_before_entering_says_it_is_built_on_entering():
    with pytest.raises(AttributeError, match=r"_UnitOfWork\.listings is built on entering"):
        _UnitOfWork(_SessionFactory()).listings  # noqa: B018


async def test_a_subclass_keeps_the_table_it_inherits_and_adds_its_own():
    class _WithOutbox(_UnitOfWork):
        outbox = Repository(_Listings)

    assert list(_WithOutbox._repositories) == [
        "listings",
        "processed_events",
        "publications",
        "outbox",
    ]
    async with _WithOutbox(_SessionFactory()) as uow:
        assert uow.outbox.executor is uow.listings.executor is uow.session
