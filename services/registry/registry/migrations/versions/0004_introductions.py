"""the partners introduced to each other, learnt from matching's events, and the events applied"""

import sqlalchemy as sa
from alembic import op

from eventkit.processed import create_processed_events_table

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "introductions",
        sa.Column("match_id", sa.Uuid(), primary_key=True),
        sa.Column("offer_enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("need_enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("introduced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
    )
    op.create_index(
        "ix_introductions_offer_enterprise",
        "introductions",
        ["offer_enterprise_id", "introduced_at"],
    )
    op.create_index(
        "ix_introductions_need_enterprise", "introductions", ["need_enterprise_id", "introduced_at"]
    )
    create_processed_events_table(op)


def downgrade() -> None:
    op.drop_table("processed_events")
    op.drop_index("ix_introductions_need_enterprise", table_name="introductions")
    op.drop_index("ix_introductions_offer_enterprise", table_name="introductions")
    op.drop_table("introductions")
