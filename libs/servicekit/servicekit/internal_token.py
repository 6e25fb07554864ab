"""The internal-token contract: how the gateway tells a service who is calling.

The gateway signs, for each call, a short-lived JWT (HS256, the shared `internal_token_secret`)
whose issuer is "gateway" and whose audience is the service's name. Its claims:
`role` (always), `sub` (the account, when signed in), `enterprise_ids` (sorted, when the caller
holds any), `confirmed_email` (when the gateway vouches for the account's address), `iat`, `exp`.
A service reads the caller only from that token (header X-Internal-Token), never from a bare header.

Which roles a service checks, and what a caller may do there, stay in the service.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jwt
from fastapi import FastAPI, Request

from servicekit.caller import ANONYMOUS, ANONYMOUS_ROLE, STAFF_ROLES, Caller
from servicekit.problems import Problem

__all__ = ["ANONYMOUS", "ANONYMOUS_ROLE", "STAFF_ROLES", "Caller"]  # the caller, for the services

INTERNAL_TOKEN_HEADER = "X-Internal-Token"
ISSUER = "gateway"
ALGORITHM = "HS256"


def issue(caller: Caller, *, audience: str, secret: str, issued_at: int, ttl_seconds: int) -> str:
    claims: dict = {
        "iss": ISSUER,
        "aud": audience,
        "iat": issued_at,
        "exp": issued_at + ttl_seconds,
        "role": caller.role,
    }
    if caller.account_id:
        claims["sub"] = caller.account_id
    if caller.enterprise_ids:
        claims["enterprise_ids"] = sorted(caller.enterprise_ids)
    if caller.confirmed_email:
        claims["confirmed_email"] = caller.confirmed_email
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify(token: str, *, audience: str, secret: str, previous_secrets: Sequence[str] = ()) -> dict:
    """The token's claims once its signature (by `secret` or one of `previous_secrets`, while a
    rotation lasts), issuer, audience and expiry are checked; raises `jwt.PyJWTError` otherwise."""
    return decode_signed_by_any(
        token, [secret, *previous_secrets], audience=audience, issuer=ISSUER
    )


def decode_signed_by_any(token: str, secrets: Sequence[str], **checks: Any) -> dict:
    """`jwt.decode` (HS256, `checks` as its keyword arguments) with the first of `secrets` that
    made the signature: the current secret first, then those a rotation still accepts. Only a
    signature made by none of them is refused as such; a token one of them signed is checked as
    usual (an expired one raises `ExpiredSignatureError`)."""
    for secret in secrets[:-1]:
        try:
            return jwt.decode(token, secret, algorithms=[ALGORITHM], **checks)
        except jwt.InvalidSignatureError:
            continue
    return jwt.decode(token, secrets[-1], algorithms=[ALGORITHM], **checks)


def caller_from_claims(claims: dict, caller_type: type[Caller] = Caller) -> Caller:
    return caller_type(
        account_id=claims.get("sub"),
        role=claims.get("role", ANONYMOUS_ROLE),
        enterprise_ids=frozenset(claims.get("enterprise_ids", [])),
        confirmed_email=claims.get("confirmed_email"),
    )


@dataclass(kw_only=True, eq=False)
class InternalTokenIssuer:
    """The gateway's signed internal tokens for one service. Signing costs as much as the rest of
    the door, so a caller's token is reused while it has at least half its lifetime left: a service
    never receives one with less than that. One token per account is kept, and reused only when the
    caller is the same in every claim, so a company that gains an enterprise gets a new one at
    once."""

    audience: str
    secret: str = field(repr=False)
    ttl_seconds: int
    max_callers: int = 10_000
    clock: Callable[[], float] = time.time
    _signed: OrderedDict[tuple[str, str | None], tuple[float, Caller, str]] = field(
        default_factory=OrderedDict, init=False, repr=False
    )

    def for_caller(self, caller: Caller) -> str:
        now = self.clock()
        key = (caller.role, caller.account_id)
        entry = self._signed.get(key)
        if entry is not None and now < entry[0] and entry[1] == caller:
            return entry[2]
        issued_at = int(now)
        token = issue(
            caller,
            audience=self.audience,
            secret=self.secret,
            issued_at=issued_at,
            ttl_seconds=self.ttl_seconds,
        )
        self._signed[key] = (issued_at + self.ttl_seconds / 2, caller, token)
        self._signed.move_to_end(key)
        while len(self._signed) > self.max_callers:
            self._signed.popitem(last=False)
        return token


@dataclass(kw_only=True, eq=False)
class InternalTokenVerifier:
    """A service's reading of the gateway's tokens. The gateway sends one caller's token for half
    its lifetime, so a token whose signature, audience and issuer were checked once is kept (the
    most recent few) and only its expiry is checked again. The cache holds the exact token strings
    it verified: a changed byte is a miss. `caller_type` lets a service read its own `Caller`
    subclass (one that adds the service's rules)."""

    audience: str
    secret: str = field(repr=False)
    # Accepted beside `secret` while it is rotated (docs/OPERATIONS.md).
    previous_secrets: Sequence[str] = field(default=(), repr=False)
    size: int = 1024
    clock: Callable[[], float] = time.time
    caller_type: type[Caller] = Caller
    _verified: OrderedDict[str, dict] = field(default_factory=OrderedDict, init=False, repr=False)

    def claims(self, token: str) -> dict:
        claims = self._verified.get(token)
        if claims is None:
            claims = verify(
                token,
                audience=self.audience,
                secret=self.secret,
                previous_secrets=self.previous_secrets,
            )
            self._verified[token] = claims
            if len(self._verified) > self.size:
                self._verified.popitem(last=False)
        if "exp" in claims and self.clock() >= claims["exp"]:
            self._verified.pop(token, None)
            raise jwt.ExpiredSignatureError("Signature has expired")
        return claims

    def caller(self, token: str) -> Caller:
        return caller_from_claims(self.claims(token), self.caller_type)


def install_internal_token(app: FastAPI, verifier: InternalTokenVerifier) -> None:
    """Makes `current_caller` read the callers of `app` with `verifier`."""
    app.state.internal_tokens = verifier


# async, so that FastAPI runs it on the event loop rather than handing it to a worker thread.
async def current_caller(request: Request) -> Caller:
    """The FastAPI dependency of every service route: the caller the gateway's token names (also
    kept as `request.state.caller` for the problem handlers); 401 without a valid token."""
    token = request.headers.get(INTERNAL_TOKEN_HEADER)
    if not token:
        raise Problem(401, "this service only answers calls that come through the gateway")
    try:
        caller = request.app.state.internal_tokens.caller(token)
    except jwt.PyJWTError as error:
        raise Problem(401, f"invalid internal token: {error}") from error
    request.state.caller = caller
    return caller
