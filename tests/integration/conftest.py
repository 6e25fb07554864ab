from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from devstack.stack import ROOT, Stack
from eventkit.kafka import ensure_topics
from eventkit.topics import dead_letter
from registry.adapters.reference_files import load_reference


@pytest.fixture(scope="session")
def reference():
    return load_reference(ROOT / "data")


@pytest.fixture(scope="session")
async def registry_engine(infra: Stack) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(infra.database_url("registry"))
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def notifications_engine(infra: Stack) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(infra.database_url("notifications"))
    yield engine
    await engine.dispose()


async def _rolled_back(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions inside one outer transaction that is rolled back after the test; a unit of work's
    commit only releases a savepoint."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield async_sessionmaker(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
        await transaction.rollback()


@pytest.fixture
async def registry_sessions(registry_engine):
    async for factory in _rolled_back(registry_engine):
        yield factory


@pytest.fixture
async def notifications_sessions(notifications_engine):
    async for factory in _rolled_back(notifications_engine):
        yield factory


@pytest.fixture
async def scratch_database(infra: Stack) -> AsyncIterator[str]:
    """An empty database of its own, dropped after the test."""
    name = f"scratch_{uuid.uuid4().hex[:10]}"
    infra.postgres.create_databases([name])
    yield infra.database_url(name)
    infra.postgres.drop_database(name)


@pytest.fixture
async def scratch_topic(infra: Stack) -> str:
    """A topic of three partitions, and its dead-letter topic, used by one test only."""
    name = f"test.{uuid.uuid4().hex[:10]}"
    await ensure_topics(infra.kafka.bootstrap_servers, {name: 3, dead_letter(name): 1})
    return name


DATA_DIR: Path = ROOT / "data"
