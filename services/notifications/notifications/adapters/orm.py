from sqlalchemy import Column, MetaData, Table, func, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import Boolean, Date, DateTime, Integer, String, Text, Uuid

from eventkit.outbox import outbox_table
from eventkit.processed import processed_events_table

metadata = MetaData()

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("idempotency_key", String(400), nullable=False, unique=True),
    Column("event_id", Uuid, nullable=False),
    Column("enterprise_id", Uuid),
    Column("partner_id", Uuid),
    Column("recipient", String(320)),
    Column("template", String(64), nullable=False),
    Column("language", String(2)),
    Column("context", JSONB, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("claimed_at", DateTime(timezone=True)),
    Column("smtp_message_id", Text),
    Column("last_error", Text),
    Column("bundled_into", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
)

processed_events = processed_events_table(metadata)

recipients = Table(
    "recipients",
    metadata,
    Column("enterprise_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("email", String(320)),
    Column("contact_person", Text, nullable=False),
    Column("phone", Text),
    Column("languages", JSONB, nullable=False),
    Column("country", String(2), nullable=False),
    Column("region", Text, nullable=False),
    Column("city", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_email", String(320)),
)

suggestions = Table(
    "suggestions",
    metadata,
    Column("match_id", Uuid, primary_key=True),
    Column("enterprise_id", Uuid, primary_key=True),
    Column("partner_id", Uuid, nullable=False),
    Column("approval_event_id", Uuid, nullable=False),
    Column("approved_at", DateTime(timezone=True), nullable=False),
    Column("facts", JSONB, nullable=False),
    Column("answered_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("reminded_at", DateTime(timezone=True)),
)

preferences = Table(
    "preferences",
    metadata,
    Column("enterprise_id", Uuid, primary_key=True),
    Column("suggestions", String(16), nullable=False, server_default="immediate"),
    Column("unsubscribed_at", DateTime(timezone=True)),
    Column("last_digest_on", Date),
    Column("language", String(2)),
    Column("reminders", Boolean, nullable=False, server_default=true()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = outbox_table(metadata)
