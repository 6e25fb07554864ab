"""The registry's tables. Alembic migrations under registry/migrations create them."""

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    ForeignKey,
    Index,
    MetaData,
    Table,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.types import Boolean, Date, DateTime, Float, Integer, String, Text, Uuid

from eventkit.outbox import outbox_table
from eventkit.processed import processed_events_table

metadata = MetaData()

# What possible duplicates are looked up by (registry.domain.duplicates says the same in Python):
# the mail domain after the last "@", lower case; the phone's last 10 digits.
EMAIL_DOMAIN = "NULLIF(rtrim(lower(split_part(email, '@', -1)), '.'), '')"
PHONE_DIGITS = "NULLIF(right(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'), 10), '')"

# Russian stemming makes "лифты" find "лифтов"; the russian configuration stems Latin words as
# English.
ENTERPRISE_SEARCH = (
    "to_tsvector('russian'::regconfig, coalesce(name, '') || ' ' || coalesce(description, ''))"
)
LISTING_SEARCH = (
    "setweight(to_tsvector('russian'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('russian'::regconfig, coalesce(description, '')), 'B')"
)

enterprises = Table(
    "enterprises",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("country", String(2), nullable=False),
    Column("region", String(100), nullable=False),
    Column("city", String(100), nullable=False),
    Column("legal_id", String(15), nullable=False),
    Column("inn", String(12)),
    Column("ogrn", String(15)),
    Column("unp", String(9)),
    Column("sectors", ARRAY(String(64)), nullable=False),
    Column("description", Text, nullable=False),
    Column("languages", ARRAY(String(8)), nullable=False),
    Column("size", String(16), nullable=False),
    Column("certifications", ARRAY(String(100)), nullable=False),
    Column("contact_person", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("phone", String(32)),
    Column("personal_data_consent", Boolean, nullable=False),
    Column("owner_account_id", String(64)),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("verified_by", String(64)),
    Column("verified_at", DateTime(timezone=True)),
    Column("extra", JSONB, nullable=False, server_default="{}"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("deleted_at", DateTime(timezone=True)),
    Column("search", TSVECTOR, Computed(ENTERPRISE_SEARCH, persisted=True)),
    Column("email_domain", Text, Computed(EMAIL_DOMAIN, persisted=True)),
    Column("phone_digits", Text, Computed(PHONE_DIGITS, persisted=True)),
    # One live enterprise per legal id; a deleted one leaves its id free to register anew.
    Index(
        "uq_enterprises_country_legal_id",
        "country",
        "legal_id",
        unique=True,
        postgresql_where=text("deleted_at IS NULL"),
    ),
    Index("ix_enterprises_search", "search", postgresql_using="gin"),
    Index("ix_enterprises_created", "created_at", "id"),
    Index(
        "ix_enterprises_status_created",
        "status",
        "created_at",
        "id",
        postgresql_where=text("deleted_at IS NULL"),
    ),
    # What possible duplicates are looked up by, among live enterprises that have it.
    *(
        Index(
            f"ix_enterprises_{column}",
            column,
            postgresql_where=text(f"deleted_at IS NULL AND {column} IS NOT NULL"),
        )
        for column in ("ogrn", "email_domain", "phone_digits")
    ),
)

listings = Table(
    "listings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("enterprise_id", Uuid, ForeignKey("enterprises.id"), nullable=False),
    Column("side", String(8), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("sector", String(64), nullable=False),
    Column("product_codes", ARRAY(String(10)), nullable=False),
    Column("quantity", Float),
    Column("unit", String(20)),
    Column("regions", ARRAY(String(100)), nullable=False),
    Column("certifications", ARRAY(String(100)), nullable=False),
    Column("valid_until", Date),
    Column("status", String(8), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("search", TSVECTOR, Computed(LISTING_SEARCH, persisted=True)),
    # Listings expire (revision 0005): why one closed, and the valid_until its owner was reminded
    # of.
    Column("closed_because", String(32)),
    Column("expiry_reminded_for", Date),
    CheckConstraint("side IN ('offer', 'need')", name="ck_listings_side"),
    CheckConstraint("status IN ('active', 'closed')", name="ck_listings_status"),
    CheckConstraint("quantity IS NULL OR quantity > 0", name="ck_listings_quantity_positive"),
    Index("ix_listings_enterprise", "enterprise_id", "side"),
    Index("ix_listings_side_created", "side", "created_at", "id"),
    Index("ix_listings_search", "search", postgresql_using="gin"),
    Index(
        "ix_listings_active_valid_until",
        "valid_until",
        "id",
        postgresql_where=text("status = 'active' AND valid_until IS NOT NULL"),
    ),
)

# What the registry learns from matching's events (revision 0004): the pairs introduced to each
# other once both were interested, whose contacts each may then see; and the events applied, once.
introductions = Table(
    "introductions",
    metadata,
    Column("match_id", Uuid, primary_key=True),
    Column("offer_enterprise_id", Uuid, nullable=False),
    Column("need_enterprise_id", Uuid, nullable=False),
    Column("introduced_at", DateTime(timezone=True), nullable=False),
    Column("event_id", Uuid, nullable=False),
    Index("ix_introductions_offer_enterprise", "offer_enterprise_id", "introduced_at"),
    Index("ix_introductions_need_enterprise", "need_enterprise_id", "introduced_at"),
)

processed_events = processed_events_table(metadata)

outbox = outbox_table(metadata)
