"""Enterprises and listings stored before numbers had one spelling are respelled by revision 0007:
legal ids in ASCII digits (a UNP in stdnum's compact form), phones in E.164, product codes without
separators. An enterprise whose respelled legal id is another live enterprise's keeps its spelling
for the agency to sort out, and from then on the database refuses a legal id in any other
spelling."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy.exc import IntegrityError

from registry.__main__ import alembic_config
from tests.integration.scratch_sql import run_sql, value_of

INSERT_ENTERPRISE = """INSERT INTO enterprises (id, name, country, region, city, legal_id, inn,
unp, sectors, description, languages, size,
                       certifications, contact_person, email, phone, personal_data_consent, status,
                       version, created_at)
                       VALUES (:id, :name, :country, 'smolensk_oblast', 'Смоленск', :legal_id,
                       :inn, :unp, '{elevators}', '', '{ru}',
                       'large', '{}', 'Иван Петров', 'sales@example.ru', :phone, true, 'verified',
                       4, :created_at)"""
INSERT_LISTING = """INSERT INTO listings (id, enterprise_id, side, kind, title, description,
sector, product_codes, regions,
                    certifications, status, version)
                    VALUES (:id, :enterprise, 'offer', 'goods', 'Лифты', '', 'elevators', :codes,
                    '{}', '{}', 'active', 2)"""


def _enterprise(
    *,
    name: str,
    country: str = "RU",
    inn: str | None = None,
    unp: str | None = None,
    phone: str | None = None,
    day: int,
) -> tuple[str, dict]:
    return INSERT_ENTERPRISE, {
        "id": uuid.uuid4(),
        "name": name,
        "country": country,
        "legal_id": inn or unp,
        "inn": inn,
        "unp": unp,
        "phone": phone,
        "created_at": datetime(2026, 11, day, 10, tzinfo=UTC),
    }


def _rows(url: str) -> dict[str, tuple]:
    [rows] = run_sql(
        url, [("SELECT name, legal_id, inn, unp, phone, version FROM enterprises", {})]
    )
    return {name: tuple(rest) for name, *rest in rows}


def test_numbers_stored_in_other_spellings_are_respelled_and_a_clash_keeps_its_spelling(
    scratch_database,
):
    config = alembic_config(scratch_database)
    command.upgrade(config, "0006")
    first = _enterprise(name="first", inn="7707083893", phone="8 (4812) 20-30-40", day=1)
    clash = _enterprise(name="clash", inn="٧٧٠٧٠٨٣٨٩٣", day=2)
    belarusian = _enterprise(
        name="belarusian", country="BY", unp="ма1953684", phone="+375 17 123-45-67", day=3
    )
    listing = uuid.uuid4()
    run_sql(
        scratch_database,
        [
            first,
            clash,
            belarusian,
            (
                INSERT_LISTING,
                {
                    "id": listing,
                    "enterprise": first[1]["id"],
                    "codes": ["8428.10", "８４２８", "лифт"],
                },
            ),
        ],
    )

    command.upgrade(config, "head")

    rows = _rows(scratch_database)
    assert rows["first"] == (
        "7707083893",
        "7707083893",
        None,
        "+74812203040",
        4,
    )  # the version stays
    assert rows["clash"] == ("٧٧٠٧٠٨٣٨٩٣", "٧٧٠٧٠٨٣٨٩٣", None, None, 4)
    assert rows["belarusian"] == ("MA1953684", None, "MA1953684", "+375171234567", 4)
    codes = value_of(scratch_database, "listings", "product_codes", listing)
    assert codes == [
        "842810",
        "8428",
        "лифт",
    ]  # what is no code at all stays, for its owner to see refused


def test_afterwards_the_database_refuses_a_legal_id_in_another_spelling(scratch_database):
    config = alembic_config(scratch_database)
    command.upgrade(config, "0006")
    run_sql(scratch_database, [_enterprise(name="spaced", inn="7707 083893", day=1)])
    command.upgrade(config, "head")
    assert _rows(scratch_database)["spaced"][0] == "7707083893"
    [[(validated,)]] = run_sql(
        scratch_database,
        [
            (
                "SELECT convalidated FROM pg_constraint WHERE conname = "
                "'ck_enterprises_legal_id_spelling'",
                {},
            )
        ],
    )
    assert validated  # no clash was left, so every row is checked too

    with pytest.raises(IntegrityError):
        run_sql(scratch_database, [_enterprise(name="arabic", inn="٧٧٠٧٠٨٣٨٩٣", day=2)])
