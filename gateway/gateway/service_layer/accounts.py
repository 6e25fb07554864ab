"""Use cases of accounts: each opens a unit of work, loads, asks the domain, and commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gateway.adapters.passwords import Passwords
from gateway.adapters.tokens import AccessTokens, new_refresh_token, refresh_token_hash
from gateway.domain.accounts import Account, Role, check_password_strength, normalize_email
from gateway.domain.caller import Caller
from gateway.domain.errors import EmailTaken, InvalidCredentials, InvalidToken, UnknownAccount
from gateway.service_layer.unit_of_work import OwnershipUnitOfWork, UnitOfWork


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: int
    refresh_token: str
    role: str


async def open_account(*, uow: UnitOfWork, passwords: Passwords, email: str, password: str, role: Role) -> Account:
    check_password_strength(password, email=email)
    async with uow:
        # Checked before the (deliberately slow) hashing; the unique constraint settles a race.
        if await uow.accounts.get_by_email(normalize_email(email)) is not None:
            raise EmailTaken()
    account = Account.open(email=email, role=role, password_hash=await passwords.hash(password), at=_now())
    async with uow:
        await uow.accounts.add(account)
        await uow.commit()
    return account


async def ensure_account(*, uow: UnitOfWork, passwords: Passwords, email: str, password: str, role: Role) -> tuple[Account, bool]:
    """The account with this email, opened now if missing; says whether it was opened."""
    async with uow:
        existing = await uow.accounts.get_by_email(normalize_email(email))
    if existing is not None:
        return existing, False
    try:
        return await open_account(uow=uow, passwords=passwords, email=email, password=password, role=role), True
    except EmailTaken:  # another gateway instance opened it meanwhile
        async with uow:
            return await uow.accounts.get_by_email(normalize_email(email)), False


async def sign_in(*, uow: UnitOfWork, passwords: Passwords, access_tokens: AccessTokens, refresh_ttl: timedelta, email: str, password: str) -> Tokens:
    async with uow:
        account = await uow.accounts.get_by_email(normalize_email(email))
    if not await passwords.verify(account.password_hash if account else None, password):
        raise InvalidCredentials()
    async with uow:
        tokens = await _issue(uow, access_tokens, refresh_ttl, account)
        await uow.commit()
    return tokens


async def refresh(*, uow: UnitOfWork, access_tokens: AccessTokens, refresh_ttl: timedelta, refresh_token: str) -> Tokens:
    """Trades a refresh token for new tokens; the old refresh token stops working (rotation)."""
    async with uow:
        account_id = await uow.refresh_tokens.revoke_if_active(refresh_token_hash(refresh_token), at=_now())
        account = await uow.accounts.get(account_id) if account_id else None
        if account is None:
            raise InvalidToken("the refresh token is not valid, expired or was revoked")
        tokens = await _issue(uow, access_tokens, refresh_ttl, account)
        await uow.commit()
    return tokens


async def sign_out(*, uow: UnitOfWork, refresh_token: str) -> None:
    async with uow:
        await uow.refresh_tokens.revoke_if_active(refresh_token_hash(refresh_token), at=_now())
        await uow.commit()


async def confirm_email(*, uow: UnitOfWork, account_id: str | None = None, email: str | None = None) -> Account:
    """Marks the account whose mailbox the link reached: named by id, or by the address itself."""
    async with uow:
        if account_id is not None:
            account = await uow.accounts.get(account_id)
        else:
            account = await uow.accounts.get_by_email(normalize_email(email or ""))
        if account is None:
            raise InvalidToken("the confirmation link is not valid or has expired")
        account.confirm(at=_now())
        await uow.accounts.save(account)
        await uow.commit()
    return account


async def get_account_or_raise(*, uow: UnitOfWork, account_id: str) -> Account:
    async with uow:
        account = await uow.accounts.get(account_id)
    if account is None:
        raise UnknownAccount(f"account {account_id} does not exist")
    return account


async def caller_for(*, uow: UnitOfWork, account_id: str, role: str) -> Caller:
    """The caller an access token names, with the enterprises the account holds right now (a
    company that has just registered one must not have to sign in again)."""
    if role != Role.COMPANY:
        return Caller(account_id=account_id, role=role)
    async with uow:
        enterprise_ids = await uow.accounts.enterprise_ids(account_id)
    return Caller(account_id=account_id, role=role, enterprise_ids=enterprise_ids)


async def bind_enterprise(*, uow: OwnershipUnitOfWork, account_id: str, enterprise_id: str) -> None:
    async with uow:
        await uow.ownership.bind(account_id, enterprise_id)
        await uow.commit()


async def unbind_enterprise(*, uow: UnitOfWork, enterprise_id: str) -> None:
    async with uow:
        await uow.accounts.unbind(enterprise_id)
        await uow.commit()


async def _issue(uow: UnitOfWork, access_tokens: AccessTokens, refresh_ttl: timedelta, account: Account) -> Tokens:
    refresh_token = new_refresh_token()
    now = _now()
    await uow.refresh_tokens.add(token_hash=refresh_token_hash(refresh_token), account_id=account.id, issued_at=now, expires_at=now + refresh_ttl)
    access_token = access_tokens.issue(account_id=account.id, role=str(account.role))
    return Tokens(access_token=access_token, expires_in=access_tokens.ttl_seconds, refresh_token=refresh_token, role=str(account.role))


def _now() -> datetime:
    return datetime.now(UTC)
