"""The registry keeps the gateway's tokens it has verified, and still refuses them once expired."""

from __future__ import annotations

import time

import jwt
import pytest

from registry.entrypoints.caller import VerifiedTokens

SECRET = "a-registry-test-secret-of-32-bytes!!"


def _token(*, secret: str = SECRET, audience: str = "registry", lifetime: int = 60) -> str:
    # PyJWT checks a token it has not seen against the real clock, so tokens are minted when used.
    now = int(time.time())
    claims = {
        "iss": "gateway",
        "aud": audience,
        "iat": now,
        "exp": now + lifetime,
        "role": "company",
        "sub": "acc-1",
        "enterprise_ids": ["e-1"],
    }
    return jwt.encode(claims, secret, algorithm="HS256")


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

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
    token = _token(lifetime=60)
    tokens.claims(token)
    clock.now = jwt.decode(token, options={"verify_signature": False})["exp"]
    with pytest.raises(jwt.ExpiredSignatureError):
        tokens.claims(token)


@pytest.mark.parametrize(
    "minted", [{"secret": "another-secret-of-thirty-two-bytes!!"}, {"audience": "matching"}]
)
def test_a_token_signed_otherwise_or_meant_for_another_service_is_refused_every_time(minted):
    clock = Clock()
    tokens = VerifiedTokens(SECRET, clock=clock)
    token = _token(**minted)
    for _ in range(2):
        with pytest.raises((jwt.InvalidSignatureError, jwt.InvalidAudienceError)):
            tokens.claims(token)


def test_only_the_most_recent_tokens_are_kept():
    clock = Clock()
    tokens = VerifiedTokens(SECRET, size=2, clock=clock)
    for lifetime in (61, 62, 63):
        tokens.claims(_token(lifetime=lifetime))
    assert len(tokens._verified) == 2
