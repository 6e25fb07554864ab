"""The registry's tables. Alembic migrations under registry/migrations create them."""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from eventkit.outbox import outbox_table

metadata = MetaData()

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
    UniqueConstraint("country", "legal_id", name="uq_enterprises_country_legal_id"),
)

outbox = outbox_table(metadata)
