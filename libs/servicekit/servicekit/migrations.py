"""The Alembic runner of every app: its env.py calls `run_migrations`, and the `migrate` and
`downgrade` commands (servicekit.cli) and the tests build their configuration with `alembic_config`
(`alembic_config_of(package)` for one app's). Each app keeps its revisions in `<package>/migrations`
and its own version table."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable
from functools import partial
from pathlib import Path

from alembic import context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(migrations: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))  # % is interpolated
    return config


def revisions_of(package: str) -> Path:
    """Where an app keeps its revisions: the `migrations` folder of its package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"no package {package!r}")
    return Path(spec.submodule_search_locations[0]) / "migrations"


def alembic_config_of(package: str) -> Callable[[str], Config]:
    """`alembic_config(database_url)` for the revisions of the app `package`."""
    return partial(alembic_config, revisions_of(package))


def run_migrations(*, metadata: MetaData, version_table: str) -> None:
    """Runs the revisions Alembic chose, online, through the app's async driver."""
    asyncio.run(_run_online(metadata, version_table))


async def _run_online(metadata: MetaData, version_table: str) -> None:
    engine = create_async_engine(
        context.config.get_main_option("sqlalchemy.url"), hide_parameters=True
    )
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run, metadata, version_table)
    finally:
        await engine.dispose()


def _run(connection, metadata: MetaData, version_table: str) -> None:
    context.configure(connection=connection, target_metadata=metadata, version_table=version_table)
    with context.begin_transaction():
        context.run_migrations()
