"""token families: every refresh token belongs to the session (sign-in) it was traded from"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("refresh_tokens", sa.Column("family_id", sa.Uuid()))
    # Which tokens were traded from which is not known for tokens issued before: each is a session
    # of its own.
    op.execute(sa.text("UPDATE refresh_tokens SET family_id = gen_random_uuid()"))
    op.alter_column("refresh_tokens", "family_id", existing_type=sa.Uuid(), nullable=False)
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])


def downgrade() -> None:
    op.drop_index("ix_refresh_tokens_family_id", table_name="refresh_tokens")
    op.drop_column("refresh_tokens", "family_id")
