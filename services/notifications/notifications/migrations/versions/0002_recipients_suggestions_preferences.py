"""recipients read model, suggestions awaiting an answer, preferences, the outbox for dead
letters"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from eventkit.outbox import create_outbox_table

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "recipients",
        sa.Column("enterprise_id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("contact_person", sa.Text(), nullable=False, server_default=""),
        sa.Column("phone", sa.Text()),
        sa.Column("languages", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("country", sa.String(2), nullable=False, server_default=""),
        sa.Column("region", sa.Text(), nullable=False, server_default=""),
        sa.Column("city", sa.Text(), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Match emails are addressed when they are sent: the recipient may become known after the event.
    op.alter_column("deliveries", "recipient", existing_type=sa.String(320), nullable=True)
    op.alter_column("deliveries", "language", existing_type=sa.String(2), nullable=True)
    op.add_column("deliveries", sa.Column("partner_id", sa.Uuid()))
    op.add_column("deliveries", sa.Column("bundled_into", sa.Uuid()))
    op.create_index(
        "ix_deliveries_held",
        "deliveries",
        ["enterprise_id"],
        postgresql_where=sa.text("status = 'held'"),
    )
    op.create_table(
        "suggestions",
        sa.Column("match_id", sa.Uuid(), primary_key=True),
        sa.Column("enterprise_id", sa.Uuid(), primary_key=True),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("approval_event_id", sa.Uuid(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facts", postgresql.JSONB(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("reminded_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "ix_suggestions_unanswered",
        "suggestions",
        ["approved_at"],
        postgresql_where=sa.text(
            "answered_at IS NULL AND closed_at IS NULL AND reminded_at IS NULL"
        ),
    )
    op.create_table(
        "preferences",
        sa.Column("enterprise_id", sa.Uuid(), primary_key=True),
        sa.Column("suggestions", sa.String(16), nullable=False, server_default="immediate"),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True)),
        sa.Column("last_digest_on", sa.Date()),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    create_outbox_table(op)


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("preferences")
    op.drop_index("ix_suggestions_unanswered", table_name="suggestions")
    op.drop_table("suggestions")
    op.drop_index("ix_deliveries_held", table_name="deliveries")
    op.drop_column("deliveries", "bundled_into")
    op.drop_column("deliveries", "partner_id")
    op.execute("UPDATE deliveries SET recipient = '' WHERE recipient IS NULL")
    op.execute("UPDATE deliveries SET language = 'ru' WHERE language IS NULL")
    op.alter_column("deliveries", "language", existing_type=sa.String(2), nullable=False)
    op.alter_column("deliveries", "recipient", existing_type=sa.String(320), nullable=False)
    op.drop_table("recipients")
