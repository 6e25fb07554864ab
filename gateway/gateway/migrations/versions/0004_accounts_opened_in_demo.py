"""accounts opened in demo mode are marked, so a gateway started outside demo mode disables them"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column(
        "accounts",
        sa.Column("opened_in_demo", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("accounts", "opened_in_demo")
