"""an enterprise's email address is confirmed before it is mailed: the address whose owner followed
the contact_confirmation link. Enterprises known before keep being mailed: their address is taken
as confirmed, since they were mailed at it before this rule and nobody complained of it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column("recipients", sa.Column("confirmed_email", sa.String(320)))
    op.execute("UPDATE recipients SET confirmed_email = email WHERE email IS NOT NULL")


def downgrade() -> None:
    op.drop_column("recipients", "confirmed_email")
