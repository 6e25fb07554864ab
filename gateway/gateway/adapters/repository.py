"""Accounts and refresh tokens in and out of PostgreSQL; the only place that knows their rows."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.adapters.orm import account_enterprises, accounts, refresh_tokens
from gateway.domain.accounts import Account, Role
from gateway.domain.errors import EmailTaken


def _to_domain(row, enterprise_ids: frozenset[str] = frozenset()) -> Account:
    return Account(
        id=str(row.id), email=row.email, role=Role(row.role), password_hash=row.password_hash,
        created_at=row.created_at, confirmed_at=row.confirmed_at, enterprise_ids=enterprise_ids,
    )


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, account: Account) -> None:
        row = {"id": uuid.UUID(account.id), "email": account.email, "role": str(account.role),
               "password_hash": account.password_hash, "created_at": account.created_at, "confirmed_at": account.confirmed_at}
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(accounts).values(row))
        except IntegrityError as error:
            # Two sign-ups with one email raced past the check; the unique constraint decides.
            raise EmailTaken() from error

    async def get(self, account_id: str) -> Account | None:
        account_uuid = _uuid_or_none(account_id)
        if account_uuid is None:
            return None
        row = (await self._session.execute(select(accounts).where(accounts.c.id == account_uuid))).first()
        return _to_domain(row, await self.enterprise_ids(account_id)) if row else None

    async def get_by_email(self, email: str) -> Account | None:
        row = (await self._session.execute(select(accounts).where(accounts.c.email == email))).first()
        return _to_domain(row, await self.enterprise_ids(str(row.id))) if row else None

    async def save(self, account: Account) -> None:
        await self._session.execute(
            update(accounts).where(accounts.c.id == uuid.UUID(account.id))
            .values(role=str(account.role), password_hash=account.password_hash, confirmed_at=account.confirmed_at)
        )

    async def enterprise_ids(self, account_id: str) -> frozenset[str]:
        account_uuid = _uuid_or_none(account_id)
        if account_uuid is None:
            return frozenset()
        query = select(account_enterprises.c.enterprise_id).where(account_enterprises.c.account_id == account_uuid)
        return frozenset(str(e) for e in (await self._session.scalars(query)))

    async def unbind(self, enterprise_id: str) -> None:
        await self._session.execute(delete(account_enterprises).where(account_enterprises.c.enterprise_id == uuid.UUID(enterprise_id)))


def _driver_sql(statement) -> tuple[str, list[str]]:
    compiled = statement.compile(dialect=asyncpg_dialect.dialect())
    return str(compiled), list(compiled.positiontup)


# Built from the table definition, so it cannot drift from the schema.
_BIND, _BIND_PARAMS = _driver_sql(
    pg_insert(account_enterprises).values(account_id=bindparam("account_id"), enterprise_id=bindparam("enterprise_id")).on_conflict_do_nothing()
)


class OwnershipStore:
    """Which company holds which enterprise, written through the driver: on the registration's
    request path SQLAlchemy's execution layers cost more CPU than the statement's round trip."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def bind(self, account_id: str, enterprise_id: str) -> None:
        values = {"account_id": uuid.UUID(account_id), "enterprise_id": uuid.UUID(enterprise_id)}
        await self._connection.execute(_BIND, *(values[name] for name in _BIND_PARAMS))


class RefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *, token_hash: str, account_id: str, issued_at: datetime, expires_at: datetime) -> None:
        await self._session.execute(
            insert(refresh_tokens).values(token_hash=token_hash, account_id=uuid.UUID(account_id), issued_at=issued_at, expires_at=expires_at)
        )

    async def revoke_if_active(self, token_hash: str, *, at: datetime) -> str | None:
        """Revokes the token when it is still usable; returns its account, or None when it was not.
        One statement, so two refreshes racing with the same token cannot both succeed."""
        statement = (
            update(refresh_tokens)
            .where(refresh_tokens.c.token_hash == token_hash, refresh_tokens.c.revoked_at.is_(None), refresh_tokens.c.expires_at > at)
            .values(revoked_at=at)
            .returning(refresh_tokens.c.account_id)
        )
        account_id = await self._session.scalar(statement)
        return str(account_id) if account_id else None


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        return None
