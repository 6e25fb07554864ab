"""Use cases of accounts: each opens a unit of work, loads, asks the domain, and commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from eventkit.contracts import EnterpriseRegistered
from gateway.adapters.passwords import Passwords
from gateway.adapters.repository import AccountPage
from gateway.adapters.tokens import (
    AccessTokens,
    PasswordLinks,
    SessionCache,
    new_refresh_token,
    refresh_token_hash,
)
from gateway.domain.account_emails import PendingEmail
from gateway.domain.accounts import Account, Role, check_password_strength, normalize_email
from gateway.domain.errors import (
    AccountDisabled,
    EmailTaken,
    InvalidCredentials,
    InvalidInput,
    InvalidToken,
    ReusedRefreshToken,
    UnknownAccount,
    WeakPassword,
)
from gateway.service_layer.unit_of_work import UnitOfWork
from servicekit.internal_token import Caller


# The emails are composed here and kept in the use case's own transaction (uow.emails); the sender
# of service_layer/email_outbox.py hands them to the notifications service.
class InvitationEmails(Protocol):
    def invitation(self, account: Account, *, sent_by: str) -> PendingEmail: ...


class AccountEmailComposer(Protocol):
    def confirmation(self, account: Account, *, language: str) -> PendingEmail: ...
    def password_reset(self, account: Account, *, language: str) -> PendingEmail: ...
    def account_exists(self, account: Account, *, language: str) -> PendingEmail: ...


class EnterpriseEraser(Protocol):
    """Deletes an enterprise through the registry, as its owner: the registry's `enterprise.deleted`
    event has every service erase what it holds of it. Raises when the registry did not."""

    async def delete(self, enterprise_id: str, *, owner: Caller) -> None: ...


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: int
    refresh_token: str
    role: str


async def open_account(
    *,
    uow: UnitOfWork,
    passwords: Passwords,
    email: str,
    password: str,
    role: Role,
    name: str | None = None,
    in_demo: bool = False,
) -> Account:
    check_password_strength(password, email=email)
    async with uow:
        # Checked before the (deliberately slow) hashing; the unique constraint settles a race.
        if await uow.accounts.get_by_email(normalize_email(email)) is not None:
            raise EmailTaken()
    account = Account.open(
        email=email,
        role=role,
        password_hash=await passwords.hash(password),
        at=_now(),
        name=name,
        in_demo=in_demo,
    )
    async with uow:
        await uow.accounts.add(account)
        await uow.commit()
    return account


@dataclass(frozen=True)
class Registration:
    account: Account
    opened: bool  # False: the address already had this account


async def register_company(
    *,
    uow: UnitOfWork,
    passwords: Passwords,
    emails: AccountEmailComposer,
    email: str,
    password: str,
    language: str,
    in_demo: bool = False,
) -> Registration:
    """Opens a company account, or finds the one the address already has. Whoever asked is told
    neither: the address's owner is emailed either way (a new account its confirmation link, an
    existing one's owner that someone tried to register with it), the email kept in the same
    transaction, and the password is hashed either way so the answer takes as long."""
    check_password_strength(password, email=email)
    password_hash = await passwords.hash(password)
    async with uow:
        registration = await _open_company(uow, email, password_hash, in_demo=in_demo)
        if registration.opened:
            await uow.emails.add(emails.confirmation(registration.account, language=language))
        else:
            await uow.emails.add(emails.account_exists(registration.account, language=language))
        await uow.commit()
    return registration


async def _open_company(
    uow: UnitOfWork, email: str, password_hash: str, *, in_demo: bool
) -> Registration:
    """The new company account, or the one the address has, in the unit of work already open."""
    existing = await uow.accounts.get_by_email(normalize_email(email))
    if existing is not None:
        return Registration(existing, opened=False)
    account = Account.open(
        email=email, role=Role.COMPANY, password_hash=password_hash, at=_now(), in_demo=in_demo
    )
    try:
        await uow.accounts.add(account)
    except EmailTaken:  # another sign-up with this address won the race
        return Registration(await uow.accounts.get_by_email(normalize_email(email)), opened=False)
    return Registration(account, opened=True)


async def ensure_account(
    *, uow: UnitOfWork, email: str, name: str | None = None, **opening
) -> tuple[Account, bool]:
    """The account with this email, opened now if missing (`opening`: the rest of what
    open_account takes: passwords, password, role, in_demo); says whether it was opened. An
    existing account without a name gets this one (accounts opened before names existed)."""
    async with uow:
        existing = await uow.accounts.get_by_email(normalize_email(email))
        if existing is not None and existing.name is None and name:
            existing.rename(name)
            await uow.accounts.save(existing)
            await uow.commit()
    if existing is not None:
        return existing, False
    try:
        return await open_account(uow=uow, email=email, name=name, **opening), True
    except EmailTaken:  # another gateway instance opened it meanwhile
        async with uow:
            return await uow.accounts.get_by_email(normalize_email(email)), False


async def sign_in(
    *,
    uow: UnitOfWork,
    passwords: Passwords,
    access_tokens: AccessTokens,
    refresh_ttl: timedelta,
    email: str,
    password: str,
) -> Tokens:
    async with uow:
        account = await uow.accounts.get_by_email(normalize_email(email))
    if not await passwords.verify(account.password_hash if account else None, password):
        raise InvalidCredentials()
    # Told only to whoever knows the password, so it reveals nothing to a guesser.
    if account.disabled:
        raise AccountDisabled()
    async with uow:
        tokens = await _issue(uow, access_tokens, refresh_ttl, account)
        await uow.commit()
    return tokens


async def refresh(
    *, uow: UnitOfWork, access_tokens: AccessTokens, refresh_ttl: timedelta, refresh_token: str
) -> Tokens:
    """Trades a refresh token for new tokens of the same session; the old refresh token stops
    working (rotation). A refresh token used a second time means two holders: whoever stole it or
    its owner, no telling which, so the whole session ends, its access tokens too (RFC 9700
    4.14.2)."""
    token_hash = refresh_token_hash(refresh_token)
    async with uow:
        traded = await uow.refresh_tokens.revoke_if_active(token_hash, at=_now())
        if traded is None:
            reused = await uow.refresh_tokens.get_family_by_token_hash(
                token_hash, revoked_only=True
            )
            if reused is not None:
                await uow.refresh_tokens.revoke_family(reused.family_id, at=_now())
                await uow.commit()
                raise ReusedRefreshToken()
            raise InvalidToken("the refresh token is not valid, expired or was revoked")
        account = await uow.accounts.get(traded.account_id)
        if account is None or account.disabled:
            raise InvalidToken("the account is disabled")
        tokens = await _issue(uow, access_tokens, refresh_ttl, account, family_id=traded.family_id)
        await uow.commit()
    return tokens


async def sign_out(*, uow: UnitOfWork, refresh_token: str) -> None:
    """The session of this refresh token ends: its refresh tokens and its access tokens stop
    working."""
    async with uow:
        family = await uow.refresh_tokens.get_family_by_token_hash(
            refresh_token_hash(refresh_token)
        )
        if family is not None:
            await uow.refresh_tokens.revoke_family(family.family_id, at=_now())
            await uow.commit()


async def session_lasts(
    *, uow: UnitOfWork, sessions: SessionCache, session_id: str, account_id: str
) -> bool:
    """Whether the session an access token was issued with still lasts (remembered for a few
    seconds)."""
    lasts = sessions.lasts(session_id)
    if lasts is not None:
        return lasts
    generation = sessions.generation
    async with uow:
        lasts = await uow.refresh_tokens.family_is_active(session_id, at=_now())
    sessions.put(session_id, account_id=account_id, lasts=lasts, read_in_generation=generation)
    return lasts


async def delete_account(
    *,
    uow: UnitOfWork,
    passwords: Passwords,
    enterprises: EnterpriseEraser,
    account_id: str,
    current_password: str,
) -> Account:
    """A company deletes its account, proving its password: its enterprises first, through the
    registry (which has every service erase their data), then its sessions and its row. Nothing of
    it is kept: no law asks the platform to keep an account once its enterprises are gone. When the
    registry fails the account stays, and asking again finishes the work."""
    async with uow:
        account = await uow.accounts.get(account_id)
    if account is None:
        raise InvalidToken("the account of this token no longer exists")
    if not await passwords.verify(account.password_hash, current_password):
        raise InvalidInput("current_password", "the current password is wrong")
    account.check_deletable()
    enterprise_ids = account.enterprise_ids
    while enterprise_ids:  # again if one was registered meanwhile
        owner = Caller(account_id=account.id, role=str(account.role), enterprise_ids=enterprise_ids)
        for enterprise_id in sorted(enterprise_ids):
            await enterprises.delete(enterprise_id, owner=owner)
        async with uow:
            for enterprise_id in enterprise_ids:
                await uow.accounts.unbind(enterprise_id)
            await uow.commit()
            enterprise_ids = await uow.accounts.get_enterprise_ids(account.id)
    async with uow:
        await uow.refresh_tokens.revoke_all(account.id, at=_now())  # tells the door's cache too
        await uow.accounts.delete(account.id)
        await uow.commit()
    return account


async def confirm_email(*, uow: UnitOfWork, email: str, account_id: str | None = None) -> Account:
    """Confirms the account the link was made for (by id, or the one holding the address), if the
    address the link reached is still that account's email."""
    async with uow:
        if account_id is not None:
            account = await uow.accounts.get(account_id)
        else:
            account = await uow.accounts.get_by_email(normalize_email(email))
        if account is None:
            raise InvalidToken("the confirmation link is not valid or has expired")
        account.confirm(address=email, at=_now())
        await uow.accounts.save(account)
        await uow.commit()
    return account


async def get_account_or_raise(*, uow: UnitOfWork, account_id: str) -> Account:
    async with uow:
        return await _get_or_raise(uow, account_id)


async def _get_or_raise(uow: UnitOfWork, account_id: str) -> Account:
    """The account, read in the unit of work already open."""
    account = await uow.accounts.get(account_id)
    if account is None:
        raise UnknownAccount(f"account {account_id} does not exist")
    return account


async def get_page_of_staff_accounts(
    *, uow: UnitOfWork, roles: frozenset[Role], limit: int, cursor: str | None = None
) -> AccountPage:
    async with uow:
        return await uow.accounts.get_page_by_roles(roles, limit=limit, cursor=cursor)


async def invite_account(
    *,
    uow: UnitOfWork,
    invitations: InvitationEmails,
    email: str,
    name: str,
    role: Role,
    invited_by: str,
) -> Account:
    """Opens a staff account without a password, its set-password link's email kept in the same
    transaction (it goes out whenever the notifications service takes it)."""
    account = Account.invite(email=email, name=name, role=role, at=_now())
    async with uow:
        await uow.accounts.add(account)
        await uow.emails.add(invitations.invitation(account, sent_by=invited_by))
        await uow.commit()
    return account


async def send_invitation(
    *, uow: UnitOfWork, invitations: InvitationEmails, account_id: str, sent_by: str
) -> Account:
    """Keeps an email with a fresh set-password link for the account."""
    async with uow:
        account = await _get_or_raise(uow, account_id)
        account.check_invitable()
        await uow.emails.add(invitations.invitation(account, sent_by=sent_by))
        await uow.commit()
    return account


async def set_password(
    *,
    uow: UnitOfWork,
    passwords: Passwords,
    password_links: PasswordLinks,
    token: str,
    password: str,
) -> Account:
    """Sets the password through the one-time link of an invitation. Reaching the link proves
    the mailbox, so the email counts as confirmed; other sessions of the account end."""
    return await _set_password_through_link(
        uow, passwords, password_links, token, password, disabled_may=True
    )


async def send_confirmation(
    *, uow: UnitOfWork, emails: AccountEmailComposer, account_id: str, language: str
) -> Account:
    """Keeps an email with a fresh link that confirms the account's address."""
    async with uow:
        account = await _get_or_raise(uow, account_id)
        await uow.emails.add(emails.confirmation(account, language=language))
        await uow.commit()
    return account


async def request_password_reset(
    *, uow: UnitOfWork, emails: AccountEmailComposer, email: str, language: str
) -> bool:
    """Keeps an email with a one-time link to choose a new password for the account holding this
    address; says whether one was kept (nobody outside is told: the answer is the same for any
    address)."""
    async with uow:
        account = await uow.accounts.get_by_email(normalize_email(email))
        if account is None or account.disabled:
            return False
        await uow.emails.add(emails.password_reset(account, language=language))
        await uow.commit()
    return True


async def reset_password(
    *, uow: UnitOfWork, passwords: Passwords, reset_links: PasswordLinks, token: str, password: str
) -> Account:
    """Sets a new password through the link of a forgotten password: it works once (the password's
    stamp changes) and never for a disabled account; every session of the account ends."""
    return await _set_password_through_link(
        uow, passwords, reset_links, token, password, disabled_may=False
    )


async def change_password(
    *,
    uow: UnitOfWork,
    passwords: Passwords,
    account_id: str,
    current_password: str,
    new_password: str,
    keep_refresh_token: str | None = None,
) -> Account:
    """A signed-in person changes their password, proving the current one; every other session of
    the account ends (the refresh token `keep_refresh_token`, the caller's own, goes on working)."""
    async with uow:
        account = await uow.accounts.get(account_id)
    if account is None or account.disabled:
        raise InvalidToken("the account of this token no longer exists or is disabled")
    if not await passwords.verify(account.password_hash, current_password):
        raise InvalidInput("current_password", "the current password is wrong")
    try:
        check_password_strength(new_password, email=account.email)
    except WeakPassword as error:
        raise InvalidInput("new_password", str(error)) from None
    if new_password == current_password:
        raise InvalidInput("new_password", "the new password is the current one")
    replacing = account.password_hash
    account.set_password(await passwords.hash(new_password))
    async with uow:
        if not await uow.accounts.save_new_password(account, replacing=replacing):
            raise InvalidInput(
                "current_password", "the password was changed meanwhile; sign in again"
            )
        kept = refresh_token_hash(keep_refresh_token) if keep_refresh_token else None
        await uow.refresh_tokens.revoke_all(account.id, at=_now(), keeping=kept)
        await uow.commit()
    return account


async def sign_out_everywhere(*, uow: UnitOfWork, account_id: str) -> int:
    """Every refresh token of the account stops working; says how many did."""
    async with uow:
        revoked = await uow.refresh_tokens.revoke_all(account_id, at=_now())
        await uow.commit()
    return revoked


async def _set_password_through_link(
    uow: UnitOfWork,
    passwords: Passwords,
    links: PasswordLinks,
    token: str,
    password: str,
    *,
    disabled_may: bool,
) -> Account:
    claims = links.read(token)
    async with uow:
        account = await uow.accounts.get(claims.account_id)
    if account is None or (account.disabled and not disabled_may):
        raise InvalidToken("the link is not valid or has expired")
    account.check_password_link(claims.stamp)
    check_password_strength(password, email=account.email)
    replacing = account.password_hash
    account.set_password(await passwords.hash(password))
    now = _now()
    account.confirm(address=account.email, at=now)  # the link was emailed to the account's address
    async with uow:
        if not await uow.accounts.save_new_password(account, replacing=replacing):
            raise InvalidToken("the link was already used or a newer password was set")
        await uow.refresh_tokens.revoke_all(account.id, at=now)
        await uow.commit()
    return account


async def get_enabled_demo_account_ids(*, uow: UnitOfWork) -> list[str]:
    async with uow:
        return await uow.accounts.get_enabled_demo_account_ids()


async def disable_account(*, uow: UnitOfWork, account_id: str, disabled_by: str) -> Account:
    """The account can no longer sign in or refresh; its refresh tokens stop working now."""
    async with uow:
        account = await _get_or_raise(uow, account_id)
        now = _now()
        account.disable(by=disabled_by, at=now)
        await uow.accounts.save(account)
        await uow.refresh_tokens.revoke_all(account.id, at=now)
        await uow.commit()
    return account


async def enable_account(*, uow: UnitOfWork, account_id: str) -> Account:
    async with uow:
        account = await _get_or_raise(uow, account_id)
        account.enable()
        await uow.accounts.save(account)
        await uow.commit()
    return account


async def caller_for(*, uow: UnitOfWork, account_id: str, role: str) -> Caller:
    """The caller an access token names, with the enterprises the account holds right now (a
    company that has just registered one must not have to sign in again)."""
    if role != Role.COMPANY:
        return Caller(account_id=account_id, role=role)
    async with uow:
        enterprise_ids = await uow.accounts.get_enterprise_ids(account_id)
    return Caller(account_id=account_id, role=role, enterprise_ids=enterprise_ids)


async def get_confirmed_email(*, uow: UnitOfWork, account_id: str) -> str | None:
    """The account's address if its owner has confirmed it, else None."""
    async with uow:
        account = await uow.accounts.get(account_id)
    return account.email if account is not None and account.confirmed else None


async def bind_enterprise(*, uow: UnitOfWork, account_id: str, enterprise_id: str) -> bool:
    """The company account holds the enterprise from now on; says whether it did not before."""
    async with uow:
        bound = await uow.ownership.bind(account_id, enterprise_id)
        await uow.commit()
    return bound


async def unbind_enterprise(*, uow: UnitOfWork, enterprise_id: str) -> None:
    async with uow:
        await uow.accounts.unbind(enterprise_id)
        await uow.commit()


async def bind_registered_enterprise(*, uow: UnitOfWork, event: EnterpriseRegistered) -> str | None:
    """The repair path of a registration: the registry's `enterprise.registered` names the account
    that registered it, which holds it even when the write after the registry's reply failed.
    Returns the account when this event bound it (None: bound already, or not a company's)."""
    owner = event.owner_account_id
    if owner is None:
        return None
    bound = await bind_enterprise(uow=uow, account_id=owner, enterprise_id=str(event.enterprise_id))
    return owner if bound else None


async def _issue(
    uow: UnitOfWork,
    access_tokens: AccessTokens,
    refresh_ttl: timedelta,
    account: Account,
    *,
    family_id: str | None = None,
) -> Tokens:
    """Tokens of the session `family_id`, or of a new session (a sign-in)."""
    refresh_token = new_refresh_token()
    family_id = family_id or str(uuid.uuid4())
    now = _now()
    await uow.refresh_tokens.add(
        token_hash=refresh_token_hash(refresh_token),
        account_id=account.id,
        family_id=family_id,
        issued_at=now,
        expires_at=now + refresh_ttl,
    )
    access_token = access_tokens.issue(
        account_id=account.id, role=str(account.role), session_id=family_id
    )
    return Tokens(
        access_token=access_token,
        expires_in=access_tokens.ttl_seconds,
        refresh_token=refresh_token,
        role=str(account.role),
    )


def _now() -> datetime:
    return datetime.now(UTC)
