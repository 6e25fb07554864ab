"""offers and needs, enterprise changes and deletion, Russian full-text search"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"

# Kept here rather than imported: a migration must not change when the application code does.
ENTERPRISE_SEARCH = (
    "to_tsvector('russian'::regconfig, coalesce(name, '') || ' ' || coalesce(description, ''))"
)
LISTING_SEARCH = (
    "setweight(to_tsvector('russian'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('russian'::regconfig, coalesce(description, '')), 'B')"
)


def upgrade() -> None:
    op.add_column(
        "enterprises",
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.add_column("enterprises", sa.Column("deleted_at", sa.DateTime(timezone=True)))
    op.add_column(
        "enterprises",
        sa.Column("search", postgresql.TSVECTOR(), sa.Computed(ENTERPRISE_SEARCH, persisted=True)),
    )
    op.drop_constraint("uq_enterprises_country_legal_id", "enterprises", type_="unique")
    op.create_index(
        "uq_enterprises_country_legal_id",
        "enterprises",
        ["country", "legal_id"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index("ix_enterprises_search", "enterprises", ["search"], postgresql_using="gin")
    op.create_index("ix_enterprises_created", "enterprises", ["created_at", "id"])
    op.create_table(
        "listings",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("enterprise_id", sa.Uuid(), sa.ForeignKey("enterprises.id"), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sector", sa.String(64), nullable=False),
        sa.Column("product_codes", postgresql.ARRAY(sa.String(10)), nullable=False),
        sa.Column("quantity", sa.Float()),
        sa.Column("unit", sa.String(20)),
        sa.Column("regions", postgresql.ARRAY(sa.String(100)), nullable=False),
        sa.Column("certifications", postgresql.ARRAY(sa.String(100)), nullable=False),
        sa.Column("valid_until", sa.Date()),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("search", postgresql.TSVECTOR(), sa.Computed(LISTING_SEARCH, persisted=True)),
        sa.CheckConstraint("side IN ('offer', 'need')", name="ck_listings_side"),
        sa.CheckConstraint("status IN ('active', 'closed')", name="ck_listings_status"),
        sa.CheckConstraint(
            "quantity IS NULL OR quantity > 0", name="ck_listings_quantity_positive"
        ),
    )
    op.create_index("ix_listings_enterprise", "listings", ["enterprise_id", "side"])
    op.create_index("ix_listings_side_created", "listings", ["side", "created_at", "id"])
    op.create_index("ix_listings_search", "listings", ["search"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_table("listings")
    op.drop_index("ix_enterprises_created", table_name="enterprises")
    op.drop_index("ix_enterprises_search", table_name="enterprises")
    op.drop_index("uq_enterprises_country_legal_id", table_name="enterprises")
    op.execute(
        "DELETE FROM enterprises WHERE deleted_at IS NOT NULL"
    )  # the old constraint allows no second row per id
    op.create_unique_constraint(
        "uq_enterprises_country_legal_id", "enterprises", ["country", "legal_id"]
    )
    op.drop_column("enterprises", "search")
    op.drop_column("enterprises", "deleted_at")
    op.drop_column("enterprises", "updated_at")
