"""Who is calling: read only from the gateway's signed internal token, never from a bare header."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

import jwt
from fastapi import HTTPException, Request

from registry.domain.actors import STAFF_ROLES, Caller

__all__ = [
    "AUDIENCE",
    "INTERNAL_TOKEN_HEADER",
    "STAFF_ROLES",
    "Caller",
    "VerifiedTokens",
    "current_caller",
]

INTERNAL_TOKEN_HEADER = "X-Internal-Token"
AUDIENCE = "registry"


class VerifiedTokens:
    """The gateway sends one caller's token for half its lifetime, so a token whose signature,
    audience and issuer were checked once is kept (the most recent few) and only its expiry is
    checked again. The cache holds the exact token strings it verified: a changed byte is a miss."""

    def __init__(
        self, secret: str, *, size: int = 1024, clock: Callable[[], float] = time.time
    ) -> None:
        self._secret = secret
        self._size = size
        self._clock = clock
        self._verified: OrderedDict[str, dict] = OrderedDict()

    def claims(self, token: str) -> dict:
        claims = self._verified.get(token)
        if claims is None:
            claims = jwt.decode(
                token, self._secret, algorithms=["HS256"], audience=AUDIENCE, issuer="gateway"
            )
            self._verified[token] = claims
            if len(self._verified) > self._size:
                self._verified.popitem(last=False)
        if "exp" in claims and self._clock() >= claims["exp"]:
            self._verified.pop(token, None)
            raise jwt.ExpiredSignatureError("Signature has expired")
        return claims


# async, so that FastAPI runs it on the event loop rather than handing it to a worker thread.
async def current_caller(request: Request) -> Caller:
    token = request.headers.get(INTERNAL_TOKEN_HEADER)
    if not token:
        raise HTTPException(401, "this service only answers calls that come through the gateway")
    try:
        claims = request.app.state.container.tokens.claims(token)
    except jwt.PyJWTError as error:
        raise HTTPException(401, f"invalid internal token: {error}") from error
    caller = Caller(
        account_id=claims.get("sub"),
        role=claims.get("role", "anonymous"),
        enterprise_ids=frozenset(claims.get("enterprise_ids", [])),
        confirmed_email=claims.get("confirmed_email"),
    )
    request.state.caller = caller
    return caller
