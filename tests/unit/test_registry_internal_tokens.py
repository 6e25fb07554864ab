"""The registry keeps the gateway's tokens it has verified, and still refuses them once expired."""

from __future__ import annotations

import time

import jwt
import pytest

from registry.entrypoints.caller import VerifiedTokens

SECRET = "a-registry-test-secret-of-32-bytes!!"
NOW = int(time.time())  # PyJWT checks a new token against the real clock


def _token(*, secret: str = SECRET, audience: str = "registry", expires: int = NOW + 60) -> str:
    claims = {"iss": "gateway", "aud": audience, "iat": NOW, "exp": expires, "role": "company", "sub": "acc-1",
              "enterprise_ids": ["e-1"]}
    return jwt.encode(claims, secret, algorithm="HS256")


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


def test_a_company_token_reused_by_the_gateway_reads_the_same_both_times():
    clock = Clock()
    tokens = VerifiedTokens(SECRET, clock=clock)
    token = _token()
    assert tokens.claims(token)["enterprise_ids"] == ["e-1"]
    assert tokens.claims(token)["sub"] == "acc-1"


def test_a_verified_token_is_refused_once_it_expires():
    clock = Clock()
    tokens = VerifiedTokens(SECRET, clock=clock)
    token = _token(expires=NOW + 60)
    tokens.claims(token)
    clock.now = NOW + 60
    with pytest.raises(jwt.ExpiredSignatureError):
        tokens.claims(token)


@pytest.mark.parametrize("token", [_token(secret="another-secret-of-thirty-two-bytes!!"), _token(audience="matching")])
def test_a_token_signed_otherwise_or_meant_for_another_service_is_refused_every_time(token):
    clock = Clock()
    tokens = VerifiedTokens(SECRET, clock=clock)
    for _ in range(2):
        with pytest.raises(jwt.PyJWTError):
            tokens.claims(token)


def test_only_the_most_recent_tokens_are_kept():
    clock = Clock()
    tokens = VerifiedTokens(SECRET, size=2, clock=clock)
    for expires in (NOW + 61, NOW + 62, NOW + 63):
        tokens.claims(_token(expires=expires))
    assert len(tokens._verified) == 2
