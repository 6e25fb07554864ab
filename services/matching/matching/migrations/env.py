"""Alembic environment of the matching; run through `python -m matching migrate`."""

from matching.adapters.orm import metadata
from servicekit.migrations import run_migrations

run_migrations(metadata=metadata, version_table="alembic_version_matching")
