"""Who is calling: read only from the gateway's signed internal token, never from a bare header."""

from __future__ import annotations

from dataclasses import dataclass

import jwt
from fastapi import HTTPException, Request

INTERNAL_TOKEN_HEADER = "X-Internal-Token"
AUDIENCE = "matching"
STAFF_ROLES = frozenset({"agency", "admin"})


@dataclass(frozen=True)
class Caller:
    account_id: str | None
    role: str
    enterprise_ids: frozenset[str] = frozenset()

    def owns(self, enterprise_id: object) -> bool:
        return str(enterprise_id) in self.enterprise_ids

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def current_caller(request: Request) -> Caller:
    token = request.headers.get(INTERNAL_TOKEN_HEADER)
    if not token:
        raise HTTPException(401, "this service only answers calls that come through the gateway")
    secret = request.app.state.container.settings.internal_token_secret.get_secret_value()
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], audience=AUDIENCE, issuer="gateway"
        )
    except jwt.PyJWTError as error:
        raise HTTPException(401, f"invalid internal token: {error}") from error
    caller = Caller(
        account_id=claims.get("sub"),
        role=claims.get("role", "anonymous"),
        enterprise_ids=frozenset(claims.get("enterprise_ids", [])),
    )
    request.state.caller = caller
    return caller
