"""staff accounts: a display name, disabling, and no password until the person sets one"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

# What a password-less account gets on the way down: no Argon2 hash, so nothing verifies against it.
_NO_PASSWORD = "!"


def upgrade() -> None:
    op.add_column("accounts", sa.Column("name", sa.String(200)))
    op.add_column("accounts", sa.Column("disabled_at", sa.DateTime(timezone=True)))
    op.alter_column("accounts", "password_hash", existing_type=sa.String(200), nullable=True)
    op.create_index("ix_accounts_role_created_at", "accounts", ["role", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_accounts_role_created_at", table_name="accounts")
    op.execute(
        sa.text(f"UPDATE accounts SET password_hash = '{_NO_PASSWORD}' WHERE password_hash IS NULL")
    )
    op.alter_column("accounts", "password_hash", existing_type=sa.String(200), nullable=False)
    op.drop_column("accounts", "disabled_at")
    op.drop_column("accounts", "name")
