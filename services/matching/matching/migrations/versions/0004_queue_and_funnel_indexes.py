"""the review queue sorts and filters by age; the funnel reads the history by time"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_index("ix_matches_created_at", "matches", ["created_at"])
    op.create_index("ix_matches_status_created_at", "matches", ["status", "created_at"])
    op.create_index("ix_matches_score", "matches", [sa.text("score DESC"), "id"])
    op.create_index("ix_match_history_at", "match_history", ["at"])


def downgrade() -> None:
    op.drop_index("ix_match_history_at", table_name="match_history")
    op.drop_index("ix_matches_score", table_name="matches")
    op.drop_index("ix_matches_status_created_at", table_name="matches")
    op.drop_index("ix_matches_created_at", table_name="matches")
