"""listings expire: why a listing closed, the valid_until its owner was reminded of, and the index
the expiry sweep reads (active listings by valid_until)
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("listings", sa.Column("closed_because", sa.String(32), nullable=True))
    op.add_column("listings", sa.Column("expiry_reminded_for", sa.Date(), nullable=True))
    op.create_index(
        "ix_listings_active_valid_until",
        "listings",
        ["valid_until", "id"],
        postgresql_where=sa.text("status = 'active' AND valid_until IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_listings_active_valid_until", table_name="listings")
    op.drop_column("listings", "expiry_reminded_for")
    op.drop_column("listings", "closed_because")
