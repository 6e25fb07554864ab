"""Alembic environment of the notifications; run through `python -m notifications migrate`."""

from notifications.adapters.orm import metadata
from servicekit.migrations import run_migrations

run_migrations(metadata=metadata, version_table="alembic_version_notifications")
