"""Alembic environment of the registry; run through `python -m registry migrate`."""

from registry.adapters.orm import metadata
from servicekit.migrations import run_migrations

run_migrations(metadata=metadata, version_table="alembic_version_registry")
