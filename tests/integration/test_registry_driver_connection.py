"""The registry's one unit of work lends its own connection as the driver's, for the publishing fast
path: what is written through it is committed or rolled back with the unit of work, and the pooled
connection goes back with no transaction left open on it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from devstack.stack import Stack
from registry.service_layer.unit_of_work import UnitOfWork
from servicekit.problems import database_unavailable


@pytest.fixture
async def one_connection_engine(infra: Stack) -> AsyncIterator[AsyncEngine]:
    """A pool of one connection: every unit of work gets the connection the one before gave back."""
    engine = create_async_engine(infra.database_url("registry"), pool_size=1, max_overflow=0)
    yield engine
    await engine.dispose()


@pytest.fixture
def unit_of_work(one_connection_engine):
    sessions = async_sessionmaker(one_connection_engine, expire_on_commit=False)
    return lambda: UnitOfWork(sessions)


@pytest.fixture
async def probe_table(one_connection_engine) -> AsyncIterator[str]:
    """A table name no one uses; creating a table is transactional in PostgreSQL."""
    name = f"probe_{uuid.uuid4().hex[:12]}"
    yield name
    async with one_connection_engine.begin() as connection:
        await connection.execute(text(f"DROP TABLE IF EXISTS {name}"))


async def _exists(engine: AsyncEngine, table: str) -> bool:
    async with engine.connect() as connection:
        return await connection.scalar(
            text("SELECT to_regclass(:name) IS NOT NULL"), {"name": table}
        )


async def _pooled_connection_in_transaction(engine: AsyncEngine) -> bool:
    async with engine.connect() as connection:
        return (await connection.get_raw_connection()).driver_connection.is_in_transaction()


async def test_what_the_driver_wrote_is_rolled_back_when_the_unit_of_work_is_left_uncommitted(
    unit_of_work, one_connection_engine, probe_table
):
    with pytest.raises(RuntimeError):
        async with unit_of_work() as uow:
            driver = await uow.driver_connection()
            await driver.execute(f"CREATE TABLE {probe_table} (id int)")
            raise RuntimeError("a rule refused the whole batch")

    assert not await _pooled_connection_in_transaction(one_connection_engine)
    assert not await _exists(one_connection_engine, probe_table)


async def test_what_the_driver_wrote_is_kept_when_the_unit_of_work_commits(
    unit_of_work, one_connection_engine, probe_table
):
    async with unit_of_work() as uow:
        driver = await uow.driver_connection()
        await driver.execute(f"CREATE TABLE {probe_table} (id int)")
        await uow.commit()

    assert not await _pooled_connection_in_transaction(one_connection_engine)
    assert await _exists(one_connection_engine, probe_table)


async def test_the_driver_is_lent_inside_the_transaction_the_session_already_began(unit_of_work):
    async with unit_of_work() as uow:
        begun_by_the_session = await uow.session.scalar(text("SELECT txid_current()"))
        driver = await uow.driver_connection()

        assert await driver.fetchval("SELECT txid_current()") == begun_by_the_session


async def test_a_unit_of_work_that_never_borrows_the_driver_commits_as_before(
    unit_of_work, one_connection_engine, probe_table
):
    async with unit_of_work() as uow:
        await uow.session.execute(text(f"CREATE TABLE {probe_table} (id int)"))
        await uow.commit()

    assert await _exists(one_connection_engine, probe_table)


async def test_a_connection_the_server_ended_in_a_transaction_is_a_retryable_outage_keeping_nothing(
    unit_of_work, admin, probe_table
):
    """A shutdown ends the connection while the transaction is idle: the commit fails with an
    error every app answers 503 (database unavailable), and nothing was written."""
    with pytest.raises(Exception) as ended:
        async with unit_of_work() as uow:
            driver = await uow.driver_connection()
            await driver.execute(f"CREATE TABLE {probe_table} (id int)")
            await _end_the_connection_under(uow, admin)
            await uow.commit()
    assert database_unavailable(ended.value), repr(ended.value)
    assert not await _exists(admin, probe_table)


async def _end_the_connection_under(uow: UnitOfWork, admin: AsyncEngine) -> None:
    """Terminates the server's backend of the unit of work's connection, as a shutdown would."""
    raw = await (await uow.session.connection()).get_raw_connection()
    async with admin.connect() as other:
        await other.execute(
            text("SELECT pg_terminate_backend(:pid)"),
            {"pid": raw.driver_connection.get_server_pid()},
        )
    await asyncio.sleep(0.2)  # the server's FATAL reaches the driver


@pytest.fixture
async def admin(infra: Stack) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(infra.database_url("registry"))
    yield engine
    await engine.dispose()


async def test_borrowing_the_driver_on_a_connection_the_server_ended_is_a_retryable_outage(
    unit_of_work, admin
):
    """The driver's transaction cannot even begin: asyncpg's own refusal leaves the unit of work
    as an error every app answers 503 (database unavailable), never a 500."""
    with pytest.raises(Exception) as ended:
        async with unit_of_work() as uow:
            await _end_the_connection_under(uow, admin)
            await uow.driver_connection()
    assert database_unavailable(ended.value), repr(ended.value)


async def test_a_statement_through_the_driver_after_the_server_ended_it_is_a_retryable_outage(
    unit_of_work, admin, probe_table
):
    with pytest.raises(Exception) as ended:
        async with unit_of_work() as uow:
            driver = await uow.driver_connection()
            await _end_the_connection_under(uow, admin)
            await driver.execute(f"CREATE TABLE {probe_table} (id int)")
            await uow.commit()
    assert database_unavailable(ended.value), repr(ended.value)
    assert not await _exists(admin, probe_table)
