"""Accounts and refresh tokens in and out of PostgreSQL; the only place that knows their rows."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from sqlalchemy import bindparam, delete, func, insert, literal, select, tuple_, update
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import String, Uuid

from gateway.adapters.orm import account_enterprises, accounts, refresh_tokens
from gateway.domain.accounts import Account, Role
from gateway.domain.errors import EmailTaken, InvalidInput


def _to_domain(row, enterprise_ids: frozenset[str] = frozenset()) -> Account:
    return Account(
        id=str(row.id),
        email=row.email,
        role=Role(row.role),
        password_hash=row.password_hash,
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        enterprise_ids=enterprise_ids,
        name=row.name,
        disabled_at=row.disabled_at,
        opened_in_demo=row.opened_in_demo,
    )


@dataclass(frozen=True)
class AccountPage:
    items: list[Account]
    total: int
    next_cursor: str | None


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, account: Account) -> None:
        row = {
            "id": uuid.UUID(account.id),
            "email": account.email,
            "role": str(account.role),
            "password_hash": account.password_hash,
            "created_at": account.created_at,
            "confirmed_at": account.confirmed_at,
            "name": account.name,
            "disabled_at": account.disabled_at,
            "opened_in_demo": account.opened_in_demo,
        }
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
        row = (
            await self._session.execute(select(accounts).where(accounts.c.id == account_uuid))
        ).first()
        return _to_domain(row, await self.get_enterprise_ids(account_id)) if row else None

    async def get_enabled_demo_account_ids(self) -> list[str]:
        query = select(accounts.c.id).where(
            accounts.c.opened_in_demo, accounts.c.disabled_at.is_(None)
        )
        return [str(account_id) for account_id in (await self._session.execute(query)).scalars()]

    async def get_by_email(self, email: str) -> Account | None:
        row = (
            await self._session.execute(select(accounts).where(accounts.c.email == email))
        ).first()
        return _to_domain(row, await self.get_enterprise_ids(str(row.id))) if row else None

    async def save(self, account: Account) -> None:
        await self._session.execute(
            update(accounts)
            .where(accounts.c.id == uuid.UUID(account.id))
            .values(
                role=str(account.role),
                password_hash=account.password_hash,
                confirmed_at=account.confirmed_at,
                name=account.name,
                disabled_at=account.disabled_at,
            )
        )

    async def save_new_password(self, account: Account, *, replacing: str | None) -> bool:
        """Stores the account's new password only while the one it replaces is still there; says
        whether it did. One statement, so two uses of one set-password link cannot both succeed."""
        statement = (
            update(accounts)
            .where(
                accounts.c.id == uuid.UUID(account.id),
                accounts.c.password_hash.is_not_distinct_from(replacing),
            )
            .values(password_hash=account.password_hash, confirmed_at=account.confirmed_at)
        )
        return (await self._session.execute(statement)).rowcount == 1

    async def get_page_by_roles(
        self, roles: frozenset[Role], *, limit: int, cursor: str | None
    ) -> AccountPage:
        """Newest first, the id breaking ties; a page continues after the cursor's account, so
        accounts opened meanwhile neither repeat nor push others off the next page."""
        condition = accounts.c.role.in_(sorted(str(r) for r in roles))
        total = await self._session.scalar(
            select(func.count()).select_from(accounts).where(condition)
        )
        query = select(accounts).where(condition)
        if cursor:
            after_created_at, after_id = _decode_cursor(cursor)
            query = query.where(
                tuple_(accounts.c.created_at, accounts.c.id)
                < tuple_(
                    literal(after_created_at, accounts.c.created_at.type),
                    literal(after_id, accounts.c.id.type),
                )
            )
        rows = (
            await self._session.execute(
                query.order_by(accounts.c.created_at.desc(), accounts.c.id.desc()).limit(limit + 1)
            )
        ).all()
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = _encode_cursor(rows[-1].created_at, rows[-1].id)
        return AccountPage([_to_domain(row) for row in rows], total or 0, next_cursor)

    async def get_enterprise_ids(self, account_id: str) -> frozenset[str]:
        account_uuid = _uuid_or_none(account_id)
        if account_uuid is None:
            return frozenset()
        query = select(account_enterprises.c.enterprise_id).where(
            account_enterprises.c.account_id == account_uuid
        )
        return frozenset(str(e) for e in (await self._session.scalars(query)))

    async def delete(self, account_id: str) -> None:
        """Erases the account's row; its enterprises' bindings and refresh tokens go with it (ON
        DELETE CASCADE)."""
        await self._session.execute(delete(accounts).where(accounts.c.id == uuid.UUID(account_id)))

    async def unbind(self, enterprise_id: str) -> None:
        await self._session.execute(
            delete(account_enterprises).where(
                account_enterprises.c.enterprise_id == uuid.UUID(enterprise_id)
            )
        )


def _driver_sql(statement) -> tuple[str, list[str]]:
    compiled = statement.compile(dialect=asyncpg_dialect.dialect())
    return str(compiled), list(compiled.positiontup)


# Built from the table definition, so it cannot drift from the schema. Only a company account
# holds enterprises: a staff account that registered one for a company (or an account deleted
# since) binds nothing, whether the request path or the registry's event asks.
_BIND, _BIND_PARAMS = _driver_sql(
    pg_insert(account_enterprises)
    .from_select(
        ["account_id", "enterprise_id"],
        select(accounts.c.id, bindparam("enterprise_id", type_=Uuid)).where(
            accounts.c.id == bindparam("account_id", type_=Uuid),
            accounts.c.role == bindparam("role", type_=String),
        ),
    )
    .on_conflict_do_nothing()
)


class OwnershipStore:
    """Which company holds which enterprise, written through the driver: on the registration's
    request path SQLAlchemy's execution layers cost more CPU than the statement's round trip."""

    def __init__(self, connection: Callable[[], Awaitable[asyncpg.Connection]]) -> None:
        self._connection = connection  # lent by the unit of work when a statement needs it

    async def bind(self, account_id: str, enterprise_id: str) -> bool:
        """Says whether the binding is new: binding twice, or an account that is not a company's
        (or not an id at all), binds nothing."""
        account_uuid, enterprise_uuid = _uuid_or_none(account_id), _uuid_or_none(enterprise_id)
        if account_uuid is None or enterprise_uuid is None:
            return False
        values = {
            "account_id": account_uuid,
            "enterprise_id": enterprise_uuid,
            "role": str(Role.COMPANY),
        }
        connection = await self._connection()
        status = await connection.execute(_BIND, *(values[name] for name in _BIND_PARAMS))
        return status == "INSERT 0 1"


@dataclass(frozen=True)
class TokenFamily:
    """The session a refresh token belongs to, and its account."""

    account_id: str
    family_id: str


class RefreshTokenRepository:
    """Refresh tokens by the hash of their text. Each belongs to a family: the session one sign-in
    opened, with every token traded from it. What it revokes is remembered (`ended_families`,
    `ended_accounts`) so the unit of work can tell the door's session cache once it commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.ended_families: set[str] = set()
        self.ended_accounts: set[str] = set()

    async def add(
        self,
        *,
        token_hash: str,
        account_id: str,
        family_id: str,
        issued_at: datetime,
        expires_at: datetime,
    ) -> None:
        await self._session.execute(
            insert(refresh_tokens).values(
                token_hash=token_hash,
                account_id=uuid.UUID(account_id),
                family_id=uuid.UUID(family_id),
                issued_at=issued_at,
                expires_at=expires_at,
            )
        )

    async def revoke_if_active(self, token_hash: str, *, at: datetime) -> TokenFamily | None:
        """Revokes the token when it is still usable (trading it in); returns its family, or None
        when it was not. One statement, so two refreshes racing with the same token cannot both
        succeed."""
        statement = (
            update(refresh_tokens)
            .where(
                refresh_tokens.c.token_hash == token_hash,
                refresh_tokens.c.revoked_at.is_(None),
                refresh_tokens.c.expires_at > at,
            )
            .values(revoked_at=at)
            .returning(refresh_tokens.c.account_id, refresh_tokens.c.family_id)
        )
        row = (await self._session.execute(statement)).first()
        return TokenFamily(str(row.account_id), str(row.family_id)) if row else None

    async def get_family_by_token_hash(
        self, token_hash: str, *, revoked_only: bool = False
    ) -> TokenFamily | None:
        query = select(refresh_tokens.c.account_id, refresh_tokens.c.family_id).where(
            refresh_tokens.c.token_hash == token_hash
        )
        if revoked_only:
            query = query.where(refresh_tokens.c.revoked_at.is_not(None))
        row = (await self._session.execute(query)).first()
        return TokenFamily(str(row.account_id), str(row.family_id)) if row else None

    async def revoke_family(self, family_id: str, *, at: datetime) -> int:
        """Every token of the session stops working, and with them its access tokens; says how many
        were still usable."""
        statement = _revoking(refresh_tokens.c.family_id == uuid.UUID(family_id), at=at)
        self.ended_families.add(family_id)
        return (await self._session.execute(statement)).rowcount

    async def revoke_all(self, account_id: str, *, at: datetime, keeping: str | None = None) -> int:
        """Revokes every refresh token of the account still usable, but those of the session the
        token whose hash is `keeping` belongs to (the caller's own); says how many."""
        statement = _revoking(refresh_tokens.c.account_id == uuid.UUID(account_id), at=at)
        if keeping is not None:
            kept_family = (
                select(refresh_tokens.c.family_id)
                .where(refresh_tokens.c.token_hash == keeping)
                .scalar_subquery()
            )
            # IS DISTINCT FROM: a `keeping` that names no token keeps nothing (with != it would keep
            # everything).
            statement = statement.where(refresh_tokens.c.family_id.is_distinct_from(kept_family))
        self.ended_accounts.add(account_id)
        return (await self._session.execute(statement)).rowcount

    async def family_is_active(self, family_id: str, *, at: datetime) -> bool:
        """A session lasts while one of its refresh tokens is usable: trading one in revokes it and
        adds its successor in one transaction, so a session being refreshed never looks ended."""
        family_uuid = _uuid_or_none(family_id)
        if family_uuid is None:
            return False
        query = (
            select(literal(True))
            .where(
                refresh_tokens.c.family_id == family_uuid,
                refresh_tokens.c.revoked_at.is_(None),
                refresh_tokens.c.expires_at > at,
            )
            .limit(1)
        )
        return bool(await self._session.scalar(query))


def _revoking(which, *, at: datetime):
    """Revokes, at `at`, the refresh tokens `which` selects that are still unrevoked."""
    return (
        update(refresh_tokens)
        .where(which, refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )


def _encode_cursor(created_at: datetime, account_id: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(account_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        created_at, account_id = json.loads(
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        )
        after = datetime.fromisoformat(created_at)
        if after.tzinfo is None:
            raise ValueError("a cursor's time carries its offset")
        return after, uuid.UUID(account_id)
    except (ValueError, TypeError, binascii.Error) as error:  # JSONDecodeError is a ValueError
        raise InvalidInput("cursor", "not a cursor this list gave out") from error


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        return None
