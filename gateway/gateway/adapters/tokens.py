"""Signed tokens the gateway hands out and reads back: short-lived access tokens (JWT), opaque
refresh tokens (only their hash is stored), the email-confirmation link, and the one-time
links that set a password (an invitation's) or reset it (a forgotten one's)."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import jwt

from gateway.domain.accounts import Account
from gateway.domain.errors import InvalidToken
from servicekit.internal_token import decode_signed_by_any

ACCESS_ISSUER = "union-match"
ACCESS_AUDIENCE = "union-match-api"
CONFIRM_PURPOSE = "confirm-email"
CONFIRM_ENTERPRISE_PURPOSE = "confirm-enterprise-email"
SET_PASSWORD_PURPOSE = "set-password"
SET_PASSWORD_TTL_SECONDS = 72 * 3600
RESET_PASSWORD_PURPOSE = "reset-password"
RESET_PASSWORD_TTL_SECONDS = 3600


@dataclass(frozen=True)
class AccessClaims:
    account_id: str
    role: str
    session_id: str | None = (
        None  # the refresh-token family it was issued with; None on tokens made before sessions
    )


class AccessTokens:
    """Issues and reads access tokens. A token read once is remembered (by its exact text, so the
    signature was checked for exactly these bytes) until its own expiry, never longer: what is
    remembered is the signature's verdict, which cannot change; whether the token's session has
    ended since is the door's question (SessionCache). Tokens are signed with `secret`; while it is
    rotated, those signed with one of `previous_secrets` are read too."""

    def __init__(
        self,
        *,
        secret: str,
        ttl_seconds: int,
        previous_secrets: Sequence[str] = (),
        max_remembered: int = 10_000,
        clock=time.time,
    ) -> None:
        self._secret = secret
        self._secrets = [secret, *previous_secrets]
        self.ttl_seconds = ttl_seconds
        self._max_remembered = max_remembered
        self._clock = clock
        self._read: OrderedDict[str, tuple[float, AccessClaims]] = OrderedDict()

    def issue(self, *, account_id: str, role: str, session_id: str | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": ACCESS_ISSUER,
            "aud": ACCESS_AUDIENCE,
            "sub": account_id,
            "role": role,
            "iat": now,
            "exp": now + self.ttl_seconds,
        }
        if session_id is not None:
            claims["sid"] = session_id
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def read(self, token: str) -> AccessClaims:
        remembered = self._read.get(token)
        if remembered is not None and self._clock() < remembered[0]:
            return remembered[1]
        try:
            claims = decode_signed_by_any(
                token,
                self._secrets,
                audience=ACCESS_AUDIENCE,
                issuer=ACCESS_ISSUER,
                options={"require": ["exp", "sub", "role"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(f"the access token is not valid: {error}") from None
        session_id = claims.get("sid")
        read = AccessClaims(
            account_id=str(claims["sub"]),
            role=str(claims["role"]),
            session_id=str(session_id) if session_id else None,
        )
        self._remember(token, float(claims["exp"]), read)
        return read

    def _remember(self, token: str, expires_at: float, claims: AccessClaims) -> None:
        self._read[token] = (expires_at, claims)
        self._read.move_to_end(token)
        while len(self._read) > self._max_remembered:
            self._read.popitem(last=False)


class SessionCache:
    """Whether a session (refresh-token family) still lasts, as the door last read it from the
    database, so it does not ask on every request. The instance that ends a session (sign-out,
    sign-out everywhere, a new password, a reused refresh token, a deleted account) forgets it at
    once when its transaction commits, so there the access token stops working on the next request.
    Other gateway instances learn it when their entry is older than `ttl_seconds`: that is how long
    a signed-out access token can still be used through another instance (5 s by default).
    An ended session never lasts again, so that verdict is kept as long as there is room."""

    def __init__(
        self, *, ttl_seconds: float, max_sessions: int = 100_000, clock=time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_sessions
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, str, bool]] = OrderedDict()
        # Bumped by every forget: a verdict read from the database before a forget is not stored
        # after it.
        self.generation = 0

    def lasts(self, session_id: str) -> bool | None:
        """True or False as last read; None when it must be read again."""
        entry = self._entries.get(session_id)
        if entry is None:
            return None
        read_at, _, lasts = entry
        if lasts and self._clock() - read_at >= self._ttl:
            return None
        return lasts

    def put(
        self, session_id: str, *, account_id: str, lasts: bool, read_in_generation: int
    ) -> None:
        if read_in_generation != self.generation:
            return  # a session may have ended while this was read; the next request reads it again
        self._entries[session_id] = (self._clock(), account_id, lasts)
        self._entries.move_to_end(session_id)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def forget(
        self, *, session_ids: set[str] = frozenset(), account_ids: set[str] = frozenset()
    ) -> None:
        if not session_ids and not account_ids:
            return
        self.generation += 1
        for session_id, (_, account_id, _) in list(self._entries.items()):
            if session_id in session_ids or account_id in account_ids:
                del self._entries[session_id]


@dataclass(frozen=True)
class ConfirmedAddress:
    """The address a confirmation link was sent to, and the account it was made for (None: the
    account holding that address). It confirms an account only while that is the account's email."""

    email: str
    account_id: str | None = None


class ConfirmationLinks:
    """The token in the link the gateway emails to a new account's address at sign-up, signed with
    the internal token secret: {"purpose": "confirm-email", "sub": <account id>, "email": <the
    address it was sent to>, "exp"}. A link from before the gateway sent these may still be around
    in an enterprise's welcome email, {"purpose": "confirm-enterprise-email", "sub": <enterprise
    id>, "email": <the address it was sent to>}: it names no account, so it stands for the account
    holding that address. A token that names no address confirms nothing (the old welcome email's
    {"purpose": "confirm-email", "sub"} reached whatever address the enterprise gave)."""

    def __init__(
        self, *, secret: str, ttl_seconds: int = 7 * 24 * 3600, previous_secrets: Sequence[str] = ()
    ) -> None:
        self._secret = secret
        self._secrets = [secret, *previous_secrets]  # read; only `secret` signs
        self._ttl_seconds = ttl_seconds

    def issue(self, *, account_id: str, email: str) -> str:
        claims = {
            "purpose": CONFIRM_PURPOSE,
            "sub": account_id,
            "email": email,
            "exp": int(time.time()) + self._ttl_seconds,
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def read_address(self, token: str) -> ConfirmedAddress:
        claims = _link_claims(
            token,
            self._secrets,
            required=["sub", "purpose"],
            invalid="the confirmation link is not valid or has expired",
        )
        # An internal token is signed with the same secret; only a link made for this purpose
        # counts, and only one that says which address it was sent to.
        email = claims.get("email")
        if not isinstance(email, str) or not email:
            raise InvalidToken("the confirmation link is not valid or has expired")
        if claims["purpose"] == CONFIRM_PURPOSE:
            return ConfirmedAddress(email=email, account_id=str(claims["sub"]))
        if claims["purpose"] == CONFIRM_ENTERPRISE_PURPOSE:
            return ConfirmedAddress(email=email)
        raise InvalidToken("the confirmation link is not valid or has expired")


@dataclass(frozen=True)
class PasswordLinkClaims:
    account_id: str
    stamp: str  # the account's password stamp when the link was made


class PasswordLinks:
    """The token of the set-password link an invited person receives: {"purpose": "set-password",
    "sub": <account id>, "stamp": <password stamp>, "exp"}, signed with the gateway's own secret
    (the services never make these). The stamp ties it to the password the account had then, so
    a link works once: setting a password changes the stamp. The link of a forgotten password is
    the same with its own purpose ("reset-password") and a shorter life: neither opens the other."""

    def __init__(
        self,
        *,
        secret: str,
        ttl_seconds: int = SET_PASSWORD_TTL_SECONDS,
        purpose: str = SET_PASSWORD_PURPOSE,
        previous_secrets: Sequence[str] = (),
    ) -> None:
        self._secret = secret
        self._secrets = [secret, *previous_secrets]  # read; only `secret` signs
        self.ttl_seconds = ttl_seconds
        self.purpose = purpose

    def issue(self, *, account_id: str, stamp: str) -> str:
        now = int(time.time())
        claims = {
            "purpose": self.purpose,
            "sub": account_id,
            "stamp": stamp,
            "iat": now,
            "exp": now + self.ttl_seconds,
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def issue_for(self, account: Account) -> str:
        """The token for the password the account has now."""
        return self.issue(account_id=account.id, stamp=account.password_stamp)

    def read(self, token: str) -> PasswordLinkClaims:
        claims = _link_claims(
            token,
            self._secrets,
            required=["exp", "sub", "purpose", "stamp"],
            invalid="the link is not valid or has expired",
        )
        # An access token is signed with the same secret; only a link made for this purpose counts.
        if claims["purpose"] != self.purpose or not isinstance(claims["stamp"], str):
            raise InvalidToken("the link is not valid or has expired")
        return PasswordLinkClaims(account_id=str(claims["sub"]), stamp=claims["stamp"])


def _link_claims(token: str, secrets: Sequence[str], *, required: list[str], invalid: str) -> dict:
    """The claims of an emailed link's token, signed with one of `secrets` and holding every claim
    of `required` (an expiry, when there is one, is checked); InvalidToken(`invalid`) otherwise."""
    try:
        return decode_signed_by_any(
            token, secrets, options={"require": required, "verify_aud": False}
        )
    except jwt.PyJWTError:
        raise InvalidToken(invalid) from None


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def refresh_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
