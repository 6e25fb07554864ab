"""pending emails: account emails kept until the notifications service takes them"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"

TABLE = "pending_emails"


def upgrade() -> None:
    # The body holds a signed link (a secret): a row lives only until the email is taken.
    op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), primary_key=True),  # the notifications service's idempotency key
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("body", JSONB(), nullable=False),
        sa.Column("caller_account_id", sa.String(100), nullable=False),
        sa.Column("caller_role", sa.String(16), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
    )
    op.create_index(f"ix_{TABLE}_next_attempt_at", TABLE, ["next_attempt_at"])


def downgrade() -> None:
    op.drop_table(TABLE)
