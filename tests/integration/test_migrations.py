"""Each service's migrations build its schema on an empty database and take it away again."""

from __future__ import annotations

import asyncio
import importlib

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

OWNED_TABLES = {
    "registry": {"enterprises", "listings", "outbox"},
    "matching": {"enterprises", "processed_events"},
    "notifications": {"deliveries", "processed_events"},
}


def _tables(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        await engine.dispose()
        return names

    return asyncio.run(read())


@pytest.mark.parametrize("service", sorted(OWNED_TABLES))
def test_migrations_upgrade_from_empty_and_downgrade_back(service, scratch_database):
    config = importlib.import_module(f"{service}.__main__").alembic_config(scratch_database)

    command.upgrade(config, "head")
    assert OWNED_TABLES[service] <= _tables(scratch_database)

    command.downgrade(config, "base")
    assert _tables(scratch_database) & OWNED_TABLES[service] == set()
