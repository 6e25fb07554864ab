"""The gateway's tables. Alembic migrations under gateway/migrations create them."""

from sqlalchemy import Column, ForeignKey, Index, MetaData, PrimaryKeyConstraint, Table, false, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import Boolean, DateTime, Integer, String, Uuid

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column(
        "password_hash", String(200)
    ),  # none until the person sets a password through the emailed link
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("name", String(200)),
    Column("disabled_at", DateTime(timezone=True)),
    Column("opened_in_demo", Boolean, nullable=False, server_default=false()),
    Index("ix_accounts_role_created_at", "role", "created_at", "id"),
)

account_enterprises = Table(
    "account_enterprises",
    metadata,
    Column("account_id", Uuid, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("enterprise_id", Uuid, nullable=False),
    Column("bound_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("account_id", "enterprise_id"),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column(
        "token_hash", String(64), primary_key=True
    ),  # sha256 of the token; the token itself is never stored
    Column("account_id", Uuid, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    # The session (one sign-in and every token traded from it); access tokens carry it as `sid`.
    # A session lasts while one of its refresh tokens is still usable.
    Column("family_id", Uuid, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Index("ix_refresh_tokens_account_id", "account_id"),
    Index("ix_refresh_tokens_family_id", "family_id"),
)

# Account emails the notifications service has not taken yet (domain/account_emails.py): written in
# the transaction of the use case that decided them, deleted once taken. The body holds a signed
# link, a secret: a row lives only until the email is accepted (or refused for good).
pending_emails = Table(
    "pending_emails",
    metadata,
    Column("id", Uuid, primary_key=True),  # the notifications service's idempotency key
    Column("path", String(200), nullable=False),
    Column("body", JSONB, nullable=False),
    Column("caller_account_id", String(100), nullable=False),
    Column("caller_role", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("attempts", Integer, nullable=False, server_default="0"),
    # When a sender may next take it: after a back-off, or once the lease of a sender that took
    # it and vanished runs out.
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_pending_emails_next_attempt_at", "next_attempt_at"),
)
