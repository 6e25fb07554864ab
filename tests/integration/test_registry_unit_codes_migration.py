"""Listings published before the unit vocabulary get their unit's code from revision 0006
(«шт./год» -> pcs/year, «т» -> t); a unit it cannot read stays as it was, and the units report
names that listing."""

from __future__ import annotations

import asyncio
import uuid

from alembic import command

from devstack.stack import ROOT
from registry.__main__ import alembic_config
from registry.adapters.reference_files import load_units
from registry.entrypoints.units_report import unreadable_units
from tests.integration.scratch_sql import run_sql

ENTERPRISE = """INSERT INTO enterprises (id, name, country, region, city, legal_id, sectors,
description, languages, size,
                 certifications, contact_person, email, personal_data_consent, status, version)
                 VALUES (:id, 'ОАО «Могилёвлифтмаш»', 'BY', 'mogilev_oblast', 'Могилёв',
                 '700068951', '{elevators}', '', '{ru}',
                 'large', '{}', 'Иван Петров', 'sales@liftmash.example.by', true, 'verified', 1)"""


def _listing(enterprise: uuid.UUID, unit: str | None) -> tuple[uuid.UUID, tuple[str, dict]]:
    listing_id = uuid.uuid4()
    return listing_id, (
        """INSERT INTO listings (id, enterprise_id, side, kind, title, description, sector,
        product_codes, quantity,
                          unit, regions, certifications, status, version)
                          VALUES (:id, :enterprise, 'offer', 'goods', 'Лифты', '', 'elevators',
                          '{}', :quantity, :unit, '{}', '{}',
                          'active', 3)""",
        {
            "id": listing_id,
            "enterprise": enterprise,
            "quantity": 10 if unit else None,
            "unit": unit,
        },
    )


def test_units_written_before_the_vocabulary_become_codes_and_the_unreadable_are_reported(
    scratch_database,
):
    config = alembic_config(scratch_database)
    command.upgrade(config, "0005")
    enterprise = uuid.uuid4()
    written = ["шт./год", "т", "т/мес.", "гол.", "pcs per year", "кг/сут", "бочек", None]
    listings = [_listing(enterprise, unit) for unit in written]
    run_sql(
        scratch_database, [(ENTERPRISE, {"id": enterprise}), *(insert for _, insert in listings)]
    )

    command.upgrade(config, "head")

    rows = dict(run_sql(scratch_database, [("SELECT id, unit FROM listings", {})])[0])
    assert [rows[listing_id] for listing_id, _ in listings] == [
        "pcs/year",
        "t",
        "t/month",
        "head",
        "pcs/year",
        "kg/day",
        "бочек",
        None,
    ]
    [[(versions,)]] = run_sql(
        scratch_database, [("SELECT array_agg(DISTINCT version) FROM listings", {})]
    )
    assert versions == [3]  # the unit means what it meant: no new version

    unreadable_listing = listings[written.index("бочек")][0]
    report = asyncio.run(unreadable_units(scratch_database, load_units(ROOT / "data")))
    assert report == [
        {
            "id": str(unreadable_listing),
            "enterprise_id": str(enterprise),
            "side": "offer",
            "status": "active",
            "unit": "бочек",
        }
    ]

    command.downgrade(config, "0005")  # the codes stay: each still says what the company meant
    assert (
        dict(run_sql(scratch_database, [("SELECT id, unit FROM listings", {})])[0])[listings[0][0]]
        == "pcs/year"
    )
