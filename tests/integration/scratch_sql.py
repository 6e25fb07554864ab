"""Scratch databases as the stories use them: reading and writing one with plain SQL, as migration
stories do (from a synchronous test, each call on its own engine), and sessions on one upgraded to a
revision of an app's migrations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine


@asynccontextmanager
async def migrated_sessions(
    url: str, alembic_config: Config, revision: str = "head", **engine_options
) -> AsyncIterator[async_sessionmaker]:
    """Sessions on the database at `url`, once the app's migrations have brought it to
    `revision`."""
    await asyncio.to_thread(command.upgrade, alembic_config, revision)
    engine = create_async_engine(url, **engine_options)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


def run_sql(url: str, statements: list[tuple[str, dict]]) -> list:
    """Runs the statements in one transaction; the rows of each (None where it returns none)."""

    async def go() -> list:
        engine = create_async_engine(url)
        results = []
        async with engine.begin() as connection:
            for statement, params in statements:
                result = await connection.execute(text(statement), params)
                results.append(result.all() if result.returns_rows else None)
        await engine.dispose()
        return results

    return asyncio.run(go())


def value_of(url: str, table: str, column: str, row_id) -> object:
    """What the row `row_id` of `table` holds in `column`."""
    [[(value,)]] = run_sql(url, [(f"SELECT {column} FROM {table} WHERE id = :id", {"id": row_id})])
    return value


def _inspected(url: str, read):
    async def go():
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            found = await connection.run_sync(lambda sync: read(inspect(sync)))
        await engine.dispose()
        return found

    return asyncio.run(go())


def table_names(url: str) -> set[str]:
    return _inspected(url, lambda inspector: set(inspector.get_table_names()))


def column_names(url: str, table: str) -> set[str]:
    return _inspected(url, lambda inspector: {c["name"] for c in inspector.get_columns(table)})
