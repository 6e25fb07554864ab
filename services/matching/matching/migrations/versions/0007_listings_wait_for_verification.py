"""listings carry their enterprise's status: only a verified enterprise's listings are matched

`listings.enterprise_status` replaces `listings.enterprise_suspended`: the enterprise's status as
matching knows it (`verified`, `pending`, `suspended`; NULL while matching has not had the
enterprise's profile). It is filled from the enterprises matching knows. Pairs proposed before this
revision for enterprises that are not verified stay until `python -m matching rematch`, which
withdraws them (cause `enterprise_unverified`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.add_column("listings", sa.Column("enterprise_status", sa.String(16), nullable=True))
    op.execute(
        "UPDATE listings SET enterprise_status = enterprises.status FROM enterprises WHERE "
        "enterprises.id = listings.enterprise_id"
    )
    op.execute("UPDATE listings SET enterprise_status = 'suspended' WHERE enterprise_suspended")
    op.drop_column("listings", "enterprise_suspended")


def downgrade() -> None:
    op.add_column(
        "listings",
        sa.Column("enterprise_suspended", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        "UPDATE listings SET enterprise_suspended = true WHERE enterprise_status = 'suspended'"
    )
    op.drop_column("listings", "enterprise_status")
