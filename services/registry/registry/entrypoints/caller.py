"""Who is calling: read only from the gateway's signed internal token, never from a bare header."""

from __future__ import annotations

import jwt
from fastapi import HTTPException, Request

from registry.domain.actors import STAFF_ROLES, Caller

__all__ = ["AUDIENCE", "INTERNAL_TOKEN_HEADER", "STAFF_ROLES", "Caller", "current_caller"]

INTERNAL_TOKEN_HEADER = "X-Internal-Token"
AUDIENCE = "registry"


# async, so that FastAPI runs it on the event loop rather than handing it to a worker thread.
async def current_caller(request: Request) -> Caller:
    token = request.headers.get(INTERNAL_TOKEN_HEADER)
    if not token:
        raise HTTPException(401, "this service only answers calls that come through the gateway")
    secret = request.app.state.container.settings.internal_token_secret.get_secret_value()
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE, issuer="gateway")
    except jwt.PyJWTError as error:
        raise HTTPException(401, f"invalid internal token: {error}") from error
    caller = Caller(
        account_id=claims.get("sub"),
        role=claims.get("role", "anonymous"),
        enterprise_ids=frozenset(claims.get("enterprise_ids", [])),
    )
    request.state.caller = caller
    return caller
