"""the funnel reads a daily roll-up written with each transition; the queue's common view has an
index"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

# The stages as domain/funnel.py's STAGES marked them when this revision was written: the first
# history row of a match marking a stage is when the match reached it.
_STAGE_OF_HISTORY_ROW = """
    CASE
        WHEN event_type = 'match.proposed' AND to_status = 'proposed' AND from_status IS NULL THEN
            'proposed'
        WHEN event_type = 'match.approved' AND to_status = 'approved' THEN 'approved'
        WHEN event_type = 'match.rejected' AND to_status = 'rejected' THEN 'rejected'
        WHEN event_type = 'match.responded' AND to_status = 'approved' THEN 'interested'
        WHEN event_type = 'match.introduced' AND to_status = 'introduced' THEN 'introduced'
        WHEN event_type = 'match.closed' AND to_status = 'closed' THEN 'closed'
    END
"""


def upgrade() -> None:
    op.create_index(
        "ix_matches_queue_view",
        "matches",
        ["status", "sector", "offer_country", "need_country", "created_at", "id"],
    )
    op.create_table(
        "match_stages",
        sa.Column("match_id", sa.Uuid(), sa.ForeignKey("matches.id"), primary_key=True),
        sa.Column("stage", sa.String(16), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "funnel_days",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("sector", sa.String(64), primary_key=True),
        sa.Column("offer_region", sa.String(100), primary_key=True),
        sa.Column("need_region", sa.String(100), primary_key=True),
        sa.Column("offer_country", sa.String(2), primary_key=True),
        sa.Column("need_country", sa.String(2), primary_key=True),
        sa.Column("stage", sa.String(16), primary_key=True),
        sa.Column("matches", sa.Integer(), nullable=False),
    )
    # The roll-up of the history so far.
    op.execute(f"""
        INSERT INTO match_stages (match_id, stage, at)
        SELECT match_id, stage, min(at)
        FROM (SELECT match_id, at, {_STAGE_OF_HISTORY_ROW} AS stage FROM match_history) AS marked
        WHERE stage IS NOT NULL
        GROUP BY match_id, stage
    """)
    op.execute("""
        INSERT INTO funnel_days (day, sector, offer_region, need_region, offer_country,
            need_country, stage, matches)
        SELECT (s.at AT TIME ZONE 'UTC')::date, m.sector, m.offer_region, m.need_region,
            m.offer_country, m.need_country,
               s.stage, count(*)
        FROM match_stages AS s JOIN matches AS m ON m.id = s.match_id
        GROUP BY 1, 2, 3, 4, 5, 6, 7
    """)


def downgrade() -> None:
    op.drop_table("funnel_days")
    op.drop_table("match_stages")
    op.drop_index("ix_matches_queue_view", table_name="matches")
