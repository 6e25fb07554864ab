"""the reviewer's queue: possible duplicates by mail domain and phone, pending enterprises oldest
first"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

# Kept here rather than imported: a migration must not change when the application code does.
EMAIL_DOMAIN = "NULLIF(rtrim(lower(split_part(email, '@', -1)), '.'), '')"
PHONE_DIGITS = "NULLIF(right(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'), 10), '')"
LIVE = "deleted_at IS NULL"


def upgrade() -> None:
    op.add_column(
        "enterprises",
        sa.Column("email_domain", sa.Text(), sa.Computed(EMAIL_DOMAIN, persisted=True)),
    )
    op.add_column(
        "enterprises",
        sa.Column("phone_digits", sa.Text(), sa.Computed(PHONE_DIGITS, persisted=True)),
    )
    op.create_index(
        "ix_enterprises_status_created",
        "enterprises",
        ["status", "created_at", "id"],
        postgresql_where=sa.text(LIVE),
    )
    op.create_index(
        "ix_enterprises_ogrn",
        "enterprises",
        ["ogrn"],
        postgresql_where=sa.text(f"{LIVE} AND ogrn IS NOT NULL"),
    )
    op.create_index(
        "ix_enterprises_email_domain",
        "enterprises",
        ["email_domain"],
        postgresql_where=sa.text(f"{LIVE} AND email_domain IS NOT NULL"),
    )
    op.create_index(
        "ix_enterprises_phone_digits",
        "enterprises",
        ["phone_digits"],
        postgresql_where=sa.text(f"{LIVE} AND phone_digits IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_enterprises_phone_digits", table_name="enterprises")
    op.drop_index("ix_enterprises_email_domain", table_name="enterprises")
    op.drop_index("ix_enterprises_ogrn", table_name="enterprises")
    op.drop_index("ix_enterprises_status_created", table_name="enterprises")
    op.drop_column("enterprises", "phone_digits")
    op.drop_column("enterprises", "email_domain")
