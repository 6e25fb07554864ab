"""legal ids, phones and product codes in one spelling: any script's digits in ASCII, separators
removed, the UNP in stdnum's compact form, the phone in E.164, so the uniqueness index on
(country, legal_id) compares the numbers and not how they were typed. A row whose respelled legal id
is already another live enterprise's keeps its spelling and is logged for the agency; a phone that
is not a valid number keeps its spelling too. A CHECK keeps every new legal id in that spelling.
"""

import logging
from functools import partial

import sqlalchemy as sa
from alembic import op

from registry.domain.listing import spelled_codes
from registry.domain.numbers import NotANumber, digits_only, e164_phone, unp_spelling

revision = "0007"
down_revision = "0006"

log = logging.getLogger("alembic.runtime.migration")

LEGAL_ID_SPELLING = "ck_enterprises_legal_id_spelling"


def upgrade() -> None:
    connection = op.get_bind()
    left = _respell_enterprises(connection)
    _respell_product_codes(connection)
    # NOT VALID: a row left in its old spelling above must not stop the upgrade; every write is
    # checked.
    op.execute(
        f"ALTER TABLE enterprises ADD CONSTRAINT {LEGAL_ID_SPELLING} CHECK (legal_id ~ "
        "'^[0-9A-Z]+$') NOT VALID"
    )
    if not left:
        op.execute(f"ALTER TABLE enterprises VALIDATE CONSTRAINT {LEGAL_ID_SPELLING}")


def _respell_enterprises(connection) -> int:
    rows = connection.execute(
        sa.text(
            "SELECT id, country, inn, ogrn, unp, phone, deleted_at IS NULL FROM enterprises "
            "ORDER BY created_at, id"
        )
    ).all()
    taken = {
        (country, legal_id)
        for country, legal_id in connection.execute(
            sa.text("SELECT country, legal_id FROM enterprises WHERE deleted_at IS NULL")
        )
    }
    left = 0
    for enterprise_id, country, inn, ogrn, unp, phone, live in rows:
        spelled = {
            "inn": _or_as_is(digits_only, inn),
            "ogrn": _or_as_is(digits_only, ogrn),
            "unp": _or_as_is(unp_spelling, unp),
            "phone": _or_as_is(partial(e164_phone, country=country), phone),
        }
        legal_id_before = inn if country == "RU" else unp
        legal_id = spelled["inn"] if country == "RU" else spelled["unp"]
        if legal_id != legal_id_before and live and (country, legal_id) in taken:
            log.warning(
                "enterprise %s keeps the legal id %r: respelled it is %s, "
                "another live enterprise's",
                enterprise_id,
                legal_id_before,
                legal_id,
            )
            spelled |= {"inn": inn, "ogrn": ogrn, "unp": unp}
            legal_id, left = legal_id_before, left + 1
        elif live:
            taken.add((country, legal_id))
        if spelled != {"inn": inn, "ogrn": ogrn, "unp": unp, "phone": phone}:
            # The version stays: the numbers are the ones the company gave, only their spelling
            # changed.
            connection.execute(
                sa.text(
                    "UPDATE enterprises SET inn = :inn, ogrn = :ogrn, unp = :unp, phone = "
                    ":phone, legal_id = :legal_id "
                    "WHERE id = :id"
                ),
                spelled | {"legal_id": legal_id, "id": enterprise_id},
            )
    return left


def _respell_product_codes(connection) -> None:
    rows = connection.execute(
        sa.text("SELECT id, product_codes FROM listings WHERE cardinality(product_codes) > 0")
    ).all()
    for listing_id, codes in rows:
        if (spelled := spelled_codes(codes)) != codes:
            connection.execute(
                sa.text("UPDATE listings SET product_codes = :codes WHERE id = :id"),
                {"codes": spelled, "id": listing_id},
            )


def _or_as_is(spelling, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return spelling(value)
    except NotANumber:
        return value


def downgrade() -> None:
    """The spelling stays: each number is still the one the company gave."""
    op.execute(f"ALTER TABLE enterprises DROP CONSTRAINT IF EXISTS {LEGAL_ID_SPELLING}")
