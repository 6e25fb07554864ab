"""Revision 0007 gives every listing its enterprise's status from what matching knows: a verified or
pending enterprise's listings take its status, a suspended one's stay paused, a listing whose
enterprise matching has not heard of has none (and waits)."""

from __future__ import annotations

import uuid

from alembic import command

from matching.__main__ import alembic_config
from tests.integration.scratch_sql import run_sql


def _listing(
    listing_id: uuid.UUID, enterprise_id: uuid.UUID, *, suspended: bool = False
) -> tuple[str, dict]:
    return (
        """INSERT INTO listings (id, side, enterprise_id, enterprise_name, country, region, city,
        languages,
               enterprise_certifications, kind, title, description, sector, product_codes, regions,
               certifications, status, version,
               enterprise_suspended)
               VALUES (:id, 'offer', :enterprise, 'x', 'BY', 'r', 'c', '{}', '{}', 'goods', 't',
               '', 'elevators', '{}', '{}', '{}',
                       'active', 1, :suspended)""",
        {"id": listing_id, "enterprise": enterprise_id, "suspended": suspended},
    )


def _enterprise(enterprise_id: uuid.UUID, status: str) -> tuple[str, dict]:
    return (
        """INSERT INTO enterprises (id, name, country, region, city, sectors, languages, status)
               VALUES (:id, 'x', 'BY', 'r', 'c', '{}', '{}', :status)""",
        {"id": enterprise_id, "status": status},
    )


def test_each_listing_gets_its_enterprises_status_and_a_suspension_is_kept(scratch_database):
    config = alembic_config(scratch_database)
    command.upgrade(config, "0006")
    verified, pending, suspended, unknown = (uuid.uuid4() for _ in range(4))
    listings = {name: uuid.uuid4() for name in ("verified", "pending", "suspended", "unknown")}
    run_sql(
        scratch_database,
        [
            _enterprise(verified, "verified"),
            _enterprise(pending, "pending"),
            _enterprise(suspended, "suspended"),
            _listing(listings["verified"], verified),
            _listing(listings["pending"], pending),
            _listing(listings["suspended"], suspended, suspended=True),
            _listing(listings["unknown"], unknown),
        ],
    )

    command.upgrade(config, "0007")

    [rows] = run_sql(scratch_database, [("SELECT id, enterprise_status FROM listings", {})])
    assert dict(rows) == {
        listings["verified"]: "verified",
        listings["pending"]: "pending",
        listings["suspended"]: "suspended",
        listings["unknown"]: None,
    }
    command.downgrade(config, "0006")
    [rows] = run_sql(scratch_database, [("SELECT id, enterprise_suspended FROM listings", {})])
    assert {listing_id for listing_id, paused in rows if paused} == {listings["suspended"]}
