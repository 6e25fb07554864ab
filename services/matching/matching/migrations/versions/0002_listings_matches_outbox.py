"""listings read model, matches, their history, and matching's outbox"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from eventkit.outbox import create_outbox_table

revision = "0002"
down_revision = "0001"


def _array(length: int):
    return postgresql.ARRAY(sa.String(length))


def upgrade() -> None:
    op.execute("CREATE SEQUENCE listing_changes")
    op.create_table(
        "listings",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_name", sa.String(300), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("region", sa.String(100), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("legal_id", sa.String(40), nullable=False, server_default=""),
        sa.Column("languages", _array(8), nullable=False),
        sa.Column("enterprise_certifications", _array(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sector", sa.String(64), nullable=False),
        sa.Column("product_codes", _array(16), nullable=False),
        sa.Column("quantity", sa.Float()),
        sa.Column("unit", sa.String(32)),
        sa.Column("regions", _array(100), nullable=False),
        sa.Column("certifications", _array(200), nullable=False),
        sa.Column("valid_until", sa.Date()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "change_number",
            sa.BigInteger(),
            nullable=False,
            server_default=sa.text("nextval('listing_changes')"),
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("ix_listings_enterprise_id", "listings", ["enterprise_id"])
    op.create_index("ix_listings_change_number", "listings", ["change_number"])
    op.create_table(
        "matches",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("offer_id", sa.Uuid(), sa.ForeignKey("listings.id"), nullable=False),
        sa.Column("need_id", sa.Uuid(), sa.ForeignKey("listings.id"), nullable=False),
        sa.Column("offer_enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("need_enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("sector", sa.String(64), nullable=False),
        sa.Column("offer_country", sa.String(2), nullable=False),
        sa.Column("need_country", sa.String(2), nullable=False),
        sa.Column("offer_region", sa.String(100), nullable=False),
        sa.Column("need_region", sa.String(100), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("components", postgresql.JSONB(), nullable=False),
        sa.Column("reasons_ru", postgresql.JSONB(), nullable=False),
        sa.Column("reasons_en", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("offer_answer", sa.String(16)),
        sa.Column("need_answer", sa.String(16)),
        sa.Column("outcome", sa.Text()),
        sa.Column("review_note", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("offer_id", "need_id", name="uq_matches_pair"),
    )
    for column in ("offer_id", "need_id", "offer_enterprise_id", "need_enterprise_id"):
        op.create_index(f"ix_matches_{column}", "matches", [column])
    op.create_index("ix_matches_status_score", "matches", ["status", "score"])
    op.create_table(
        "match_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("match_id", sa.Uuid(), sa.ForeignKey("matches.id"), nullable=False),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_match_history_match_id", "match_history", ["match_id"])
    create_outbox_table(op)


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("match_history")
    op.drop_table("matches")
    op.drop_table("listings")
    op.execute("DROP SEQUENCE listing_changes")
