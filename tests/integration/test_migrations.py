"""Each service's migrations build its schema on an empty database and take it away again."""

from __future__ import annotations

import importlib

import pytest
from alembic import command

from tests.integration.scratch_sql import table_names

OWNED_TABLES = {
    "registry": {"enterprises", "listings", "outbox"},
    "matching": {"enterprises", "processed_events"},
    "notifications": {"deliveries", "processed_events"},
}


@pytest.mark.parametrize("service", sorted(OWNED_TABLES))
def test_migrations_upgrade_from_empty_and_downgrade_back(service, scratch_database):
    config = importlib.import_module(f"{service}.__main__").alembic_config(scratch_database)

    command.upgrade(config, "head")
    assert OWNED_TABLES[service] <= table_names(scratch_database)

    command.downgrade(config, "base")
    assert table_names(scratch_database) & OWNED_TABLES[service] == set()
