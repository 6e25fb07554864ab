"""The door's token work is done once per token, not once per request, and never stretched past
what the token itself allows (internal tokens: test_servicekit_internal_token.py)."""

from __future__ import annotations

import jwt
import pytest

from gateway.adapters import tokens as tokens_module
from gateway.adapters.tokens import AccessTokens
from gateway.domain.errors import InvalidToken
from tests.unit.seconds_clock import SecondsClock

SECRET = "s" * 40


@pytest.fixture
def decodes(monkeypatch) -> list[str]:
    seen: list[str] = []
    real_decode = jwt.decode

    def counting_decode(token, *args, **kwargs):
        seen.append(token)
        return real_decode(token, *args, **kwargs)

    monkeypatch.setattr(tokens_module.jwt, "decode", counting_decode)
    return seen


def test_a_company_signing_in_once_has_its_token_checked_once_while_it_lasts(decodes):
    issuer = AccessTokens(secret=SECRET, ttl_seconds=900)
    token = issuer.issue(account_id="acc-1", role="company")
    clock = SecondsClock(jwt.decode(token, options={"verify_signature": False})["exp"] - 600)
    door = AccessTokens(secret=SECRET, ttl_seconds=900, clock=clock)
    decodes.clear()

    claims = [door.read(token) for _ in range(3)]

    assert len(decodes) == 1
    assert {(c.account_id, c.role) for c in claims} == {("acc-1", "company")}


def test_a_remembered_access_token_is_checked_again_once_its_expiry_has_come(decodes):
    token = AccessTokens(secret=SECRET, ttl_seconds=900).issue(account_id="acc-1", role="company")
    expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]
    clock = SecondsClock(expires_at - 1)
    door = AccessTokens(secret=SECRET, ttl_seconds=900, clock=clock)
    decodes.clear()
    door.read(token)

    clock.now = expires_at
    door.read(token)

    assert len(decodes) == 2


def test_a_token_with_one_character_changed_is_never_taken_from_memory():
    door = AccessTokens(secret=SECRET, ttl_seconds=900)
    token = door.issue(account_id="acc-1", role="company")
    door.read(token)
    forged = AccessTokens(secret="f" * 40, ttl_seconds=900).issue(account_id="acc-1", role="admin")

    with pytest.raises(InvalidToken):
        door.read(forged)
    with pytest.raises(InvalidToken):
        door.read(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])


def test_the_door_remembers_a_bounded_number_of_tokens(decodes):
    door = AccessTokens(secret=SECRET, ttl_seconds=900, max_remembered=2)
    first, second, third = (door.issue(account_id=f"acc-{n}", role="agency") for n in range(3))
    for token in (first, second, third, first):
        door.read(token)

    assert decodes == [first, second, third, first]
