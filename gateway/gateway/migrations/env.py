"""Alembic environment of the gateway; run through `python -m gateway migrate`."""

from gateway.adapters.orm import metadata
from servicekit.migrations import run_migrations

run_migrations(metadata=metadata, version_table="alembic_version_gateway")
