"""listings of a suspended enterprise pause"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column(
        "listings",
        sa.Column("enterprise_suspended", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("listings", "enterprise_suspended")
