"""enterprises and the outbox"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from eventkit.outbox import create_outbox_table

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("region", sa.String(100), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("legal_id", sa.String(15), nullable=False),
        sa.Column("inn", sa.String(12)),
        sa.Column("ogrn", sa.String(15)),
        sa.Column("unp", sa.String(9)),
        sa.Column("sectors", postgresql.ARRAY(sa.String(64)), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("languages", postgresql.ARRAY(sa.String(8)), nullable=False),
        sa.Column("size", sa.String(16), nullable=False),
        sa.Column("certifications", postgresql.ARRAY(sa.String(100)), nullable=False),
        sa.Column("contact_person", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("phone", sa.String(32)),
        sa.Column("personal_data_consent", sa.Boolean(), nullable=False),
        sa.Column("owner_account_id", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("verified_by", sa.String(64)),
        sa.Column("verified_at", sa.DateTime(timezone=True)),
        sa.Column("extra", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.UniqueConstraint("country", "legal_id", name="uq_enterprises_country_legal_id"),
    )
    create_outbox_table(op)


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("enterprises")
