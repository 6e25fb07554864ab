from sqlalchemy import (
    Column,
    ForeignKey,
    Identity,
    Index,
    MetaData,
    Sequence,
    Table,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.types import BigInteger, Date, DateTime, Float, Integer, String, Text, Uuid

from eventkit.outbox import outbox_table
from eventkit.processed import processed_events_table

metadata = MetaData()

enterprises = Table(
    "enterprises",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("country", String(2), nullable=False),
    Column("region", String(100), nullable=False),
    Column("city", String(100), nullable=False),
    Column("sectors", ARRAY(String(64)), nullable=False),
    Column("languages", ARRAY(String(8)), nullable=False),
    Column("status", String(16), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

processed_events = processed_events_table(metadata)

# Every write of a listing takes the next number, so an index can pick up what changed since it last
# looked.
listing_changes = Sequence("listing_changes")

listings = Table(
    "listings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("side", String(8), nullable=False),
    Column("enterprise_id", Uuid, nullable=False, index=True),
    Column("enterprise_name", String(300), nullable=False),
    Column("country", String(2), nullable=False),
    Column("region", String(100), nullable=False),
    Column("city", String(100), nullable=False),
    Column("legal_id", String(40), nullable=False, server_default=""),
    Column("languages", ARRAY(String(8)), nullable=False),
    Column("enterprise_certifications", ARRAY(String(200)), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("title", String(500), nullable=False),
    Column("description", Text, nullable=False),
    Column("sector", String(64), nullable=False),
    Column("product_codes", ARRAY(String(16)), nullable=False),
    Column("quantity", Float),
    Column("unit", String(32)),
    Column("regions", ARRAY(String(100)), nullable=False),
    Column("certifications", ARRAY(String(200)), nullable=False),
    Column("valid_until", Date),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column(
        "enterprise_status", String(16)
    ),  # verified | pending | suspended; NULL until the profile arrives
    Column(
        "change_number",
        BigInteger,
        listing_changes,
        nullable=False,
        server_default=listing_changes.next_value(),
    ),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_listings_change_number", "change_number"),
)

matches = Table(
    "matches",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("offer_id", Uuid, ForeignKey("listings.id"), nullable=False, index=True),
    Column("need_id", Uuid, ForeignKey("listings.id"), nullable=False, index=True),
    Column("offer_enterprise_id", Uuid, nullable=False, index=True),
    Column("need_enterprise_id", Uuid, nullable=False, index=True),
    Column("sector", String(64), nullable=False),
    Column("offer_country", String(2), nullable=False),
    Column("need_country", String(2), nullable=False),
    Column("offer_region", String(100), nullable=False),
    Column("need_region", String(100), nullable=False),
    Column("score", Float, nullable=False),
    Column("components", JSONB, nullable=False),
    Column("reasons_ru", JSONB, nullable=False),
    Column("reasons_en", JSONB, nullable=False),
    # Revision 0006; rows written without it (a bulk COPY) read as no Belarusian reasons.
    Column("reasons_be", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("status", String(16), nullable=False),
    Column("offer_answer", String(16)),
    Column("need_answer", String(16)),
    Column("outcome", Text),
    Column("review_note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("offer_id", "need_id", name="uq_matches_pair"),
    Index("ix_matches_status_score", "status", "score"),
    Index("ix_matches_created_at", "created_at"),
    Index("ix_matches_status_created_at", "status", "created_at"),
    # The queue's common view: a status, a sector and a country pair, newest or oldest first
    # (revision 0005).
    Index(
        "ix_matches_queue_view",
        "status",
        "sector",
        "offer_country",
        "need_country",
        "created_at",
        "id",
    ),
)
Index(
    "ix_matches_score", matches.c.score.desc(), matches.c.id
)  # the queue's default order, highest score first

match_history = Table(
    "match_history",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("match_id", Uuid, ForeignKey("matches.id"), nullable=False, index=True),
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("event_type", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("note", Text),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("cause", String(32)),  # a withdrawal's, as `match.withdrawn` names it (revision 0008)
    Column("side", String(8)),
    Index("ix_match_history_at", "at"),
)

# The funnel's roll-up (revision 0005), written in the transaction of each transition's history row:
# the stages each match has reached (so a match counts once per stage), and per UTC day and the
# match's sector, regions and countries, how many matches reached each stage that day.
match_stages = Table(
    "match_stages",
    metadata,
    Column("match_id", Uuid, ForeignKey("matches.id"), primary_key=True),
    Column("stage", String(16), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

funnel_days = Table(
    "funnel_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("sector", String(64), primary_key=True),
    Column("offer_region", String(100), primary_key=True),
    Column("need_region", String(100), primary_key=True),
    Column("offer_country", String(2), primary_key=True),
    Column("need_country", String(2), primary_key=True),
    Column("stage", String(16), primary_key=True),
    Column("matches", Integer, nullable=False),
)

outbox = outbox_table(metadata)
