"""units as codes: every listing's unit the vocabulary (data/units/units.json) can read is rewritten
to its canonical code («шт./год» -> pcs/year); the ones it cannot read are left as they were and
reported (logged here; `python -m registry.entrypoints.units_report` lists them at any time)
"""

import logging
from collections import Counter

import sqlalchemy as sa
from alembic import op

from registry.adapters.reference_files import load_units
from registry.config import Settings
from registry.domain.units import UnknownUnit

revision = "0006"
down_revision = "0005"

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    units = load_units(Settings.model_fields["data_dir"].default)
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, unit FROM listings WHERE unit IS NOT NULL AND btrim(unit) <> ''")
    ).all()
    rewritten, unread = Counter(), {}
    for listing_id, written in rows:
        try:
            code = units.parse(written)
        except UnknownUnit:
            unread[listing_id] = written
            continue
        if code != written:
            rewritten[(written, code)] += 1
            # The version stays: the unit means what it meant, only its spelling is the vocabulary's
            # now.
            connection.execute(
                sa.text("UPDATE listings SET unit = :code WHERE id = :id"),
                {"code": code, "id": listing_id},
            )
    for (written, code), count in sorted(rewritten.items()):
        log.info("unit %r -> %r on %d listing(s)", written, code, count)
    for listing_id, written in unread.items():
        log.warning(
            "listing %s keeps the unit %r: the vocabulary cannot read it", listing_id, written
        )
    log.info(
        "units: %d listing(s) rewritten to codes, %d left unread",
        sum(rewritten.values()),
        len(unread),
    )


def downgrade() -> None:
    """The codes stay: each still says the unit the company meant (the written form is not kept)."""
