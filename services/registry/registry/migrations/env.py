"""Alembic environment of the registry; run through `python -m registry migrate`."""

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from registry.adapters.orm import metadata


def _run(connection) -> None:
    context.configure(
        connection=connection, target_metadata=metadata, version_table="alembic_version_registry"
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(
        context.config.get_main_option("sqlalchemy.url"), hide_parameters=True
    )
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


asyncio.run(_run_online())
