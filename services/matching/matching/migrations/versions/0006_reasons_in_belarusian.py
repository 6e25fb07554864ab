"""every match's reasons in Belarusian too

The matches scored before this revision get their Belarusian reasons from their stored Russian
ones: the scorer wrote each Russian reason from a fixed set of shapes, so its facts (the sector,
the code, the cities and distance, the amounts, the certificates, the language) are read back out
of it and said again through the Belarusian phrases the scorer now uses (domain/belarusian.py);
the countries of a cross-border distance come from the match's own columns. Re-scoring the pair
instead would not reproduce the stored reasons one for one: the text reason depends on the word
weights of the index as it stood then, and the listings may have changed since. A sentence of no
known shape would stay in Russian (none is expected; `python -m matching rematch` writes fresh
reasons for every open match in all three languages).
"""

import json
import os
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"

_BATCH = 2000


def _sector_names() -> dict[str, str]:
    """A sector's Russian name -> its Belarusian one, from the taxonomy the service reads."""
    data_dir = Path(
        os.environ.get("MATCHING_DATA_DIR") or Path(__file__).resolve().parents[5] / "data"
    )
    try:
        taxonomy = json.loads((data_dir / "taxonomy" / "sectors.json").read_text(encoding="utf-8"))
    except OSError:
        return {}
    return {
        s["name"]["ru"]: s["name"].get("be", s["name"]["ru"])
        for s in taxonomy["sectors"]
        if "ru" in s.get("name", {})
    }


def upgrade() -> None:
    from matching.domain.belarusian import from_russian

    op.add_column(
        "matches",
        sa.Column(
            "reasons_be", postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")
        ),
    )
    connection = op.get_bind()
    sectors = _sector_names()
    matches = sa.table(
        "matches",
        sa.column("id", sa.Uuid),
        sa.column("reasons_ru", postgresql.JSONB),
        sa.column("reasons_be", postgresql.JSONB),
        sa.column("offer_country", sa.String),
        sa.column("need_country", sa.String),
    )
    update = (
        sa.update(matches)
        .where(matches.c.id == sa.bindparam("match_id"))
        .values(reasons_be=sa.bindparam("be"))
    )
    last = None
    while True:
        query = (
            sa.select(
                matches.c.id, matches.c.reasons_ru, matches.c.offer_country, matches.c.need_country
            )
            .order_by(matches.c.id)
            .limit(_BATCH)
        )
        if last is not None:
            query = query.where(matches.c.id > last)
        rows = connection.execute(query).all()
        if not rows:
            break
        said_again = [
            {
                "match_id": row.id,
                "be": [
                    from_russian(
                        reason,
                        sector_names=sectors,
                        offer_country=row.offer_country,
                        need_country=row.need_country,
                    )
                    for reason in row.reasons_ru
                ],
            }
            for row in rows
            if row.reasons_ru
        ]
        if said_again:
            connection.execute(update, said_again)
        last = rows[-1].id


def downgrade() -> None:
    op.drop_column("matches", "reasons_be")
