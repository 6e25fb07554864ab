"""a company chooses the language of its emails and whether it gets reminders"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    # NULL: as before, the enterprise's own first language from the registry.
    op.add_column("preferences", sa.Column("language", sa.String(2)))
    op.create_check_constraint(
        "ck_preferences_language", "preferences", "language IN ('ru', 'be', 'en')"
    )
    op.add_column(
        "preferences",
        sa.Column("reminders", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_column("preferences", "reminders")
    op.drop_constraint("ck_preferences_language", "preferences", type_="check")
    op.drop_column("preferences", "language")
