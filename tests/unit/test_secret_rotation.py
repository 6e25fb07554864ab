"""While a secret is rotated, what the new secret signs and what the previous one signed are both
accepted, and only those: a token or cookie signed with any other key is refused as before.
Signing always uses the current secret (docs/OPERATIONS.md, rotating secrets)."""

from __future__ import annotations

import time

import jwt
import pytest
from fastapi import FastAPI
from pydantic import SecretStr, ValidationError

from eventkit.published_secrets import DEMO_JWT_SECRET
from gateway.adapters.tokens import AccessTokens, ConfirmationLinks, PasswordLinks
from gateway.config import Settings as GatewaySettings
from gateway.domain.errors import InvalidToken
from servicekit.caller import Caller
from servicekit.internal_token import InternalTokenVerifier, issue, verify
from servicekit.observability import Metrics
from servicekit.service_app import install_service_plumbing
from web.config import Settings as WebSettings
from web.entrypoints.session import CookieSigner, Session

OLD = "o" * 40
NEW = "n" * 40
UNKNOWN = "u" * 40
CALLER = Caller(account_id="a-1", role="company", enterprise_ids=frozenset({"e-1"}))


def _internal_token(secret: str, *, ttl_seconds: int = 60, issued_at: int | None = None) -> str:
    issued_at = issued_at if issued_at is not None else int(time.time())
    return issue(
        CALLER, audience="registry", secret=secret, issued_at=issued_at, ttl_seconds=ttl_seconds
    )


@pytest.mark.parametrize("signed_with", [OLD, NEW])
def test_a_service_reads_internal_tokens_of_the_new_and_the_previous_secret(signed_with):
    claims = verify(
        _internal_token(signed_with), audience="registry", secret=NEW, previous_secrets=[OLD]
    )
    assert claims["sub"] == "a-1"


def test_a_service_refuses_an_internal_token_of_an_unknown_secret():
    with pytest.raises(jwt.InvalidSignatureError):
        verify(_internal_token(UNKNOWN), audience="registry", secret=NEW, previous_secrets=[OLD])


def test_once_the_previous_secret_is_dropped_its_tokens_are_refused():
    with pytest.raises(jwt.InvalidSignatureError):
        verify(_internal_token(OLD), audience="registry", secret=NEW)


def test_an_expired_token_of_the_previous_secret_is_refused_as_expired():
    expired = _internal_token(OLD, ttl_seconds=1, issued_at=1_000)
    with pytest.raises(jwt.ExpiredSignatureError):
        verify(expired, audience="registry", secret=NEW, previous_secrets=[OLD])


def test_the_services_verifier_takes_the_callers_of_either_secret_and_no_other():
    verifier = InternalTokenVerifier(audience="registry", secret=NEW, previous_secrets=[OLD])
    assert verifier.caller(_internal_token(OLD)) == CALLER
    assert verifier.caller(_internal_token(NEW)) == CALLER
    with pytest.raises(jwt.InvalidSignatureError):
        verifier.caller(_internal_token(UNKNOWN))


def test_a_services_app_reads_the_callers_of_the_previous_internal_secret():
    app = FastAPI()
    install_service_plumbing(
        app,
        service="registry",
        secret=SecretStr(NEW),
        previous_secrets=[SecretStr(OLD)],
        metrics=Metrics(),
    )
    assert app.state.internal_tokens.caller(_internal_token(OLD)) == CALLER
    with pytest.raises(jwt.InvalidSignatureError):
        app.state.internal_tokens.caller(_internal_token(UNKNOWN))


def test_access_tokens_are_signed_with_the_new_secret_and_read_with_either():
    rotating = AccessTokens(secret=NEW, ttl_seconds=60, previous_secrets=[OLD])
    before = AccessTokens(secret=OLD, ttl_seconds=60).issue(account_id="a-1", role="company")
    assert rotating.read(before).account_id == "a-1"
    after = rotating.issue(account_id="a-2", role="company")
    assert AccessTokens(secret=NEW, ttl_seconds=60).read(after).account_id == "a-2"
    with pytest.raises(InvalidToken):
        AccessTokens(secret=OLD, ttl_seconds=60).read(after)
    with pytest.raises(InvalidToken):
        rotating.read(AccessTokens(secret=UNKNOWN, ttl_seconds=60).issue(account_id="x", role="r"))


def test_password_links_of_the_previous_secret_still_work_and_unknown_ones_do_not():
    rotating = PasswordLinks(secret=NEW, previous_secrets=[OLD])
    link = PasswordLinks(secret=OLD).issue(account_id="a-1", stamp="s-1")
    assert rotating.read(link).stamp == "s-1"
    with pytest.raises(InvalidToken):
        rotating.read(PasswordLinks(secret=UNKNOWN).issue(account_id="a-1", stamp="s-1"))


def test_confirmation_links_of_the_previous_secret_still_confirm():
    rotating = ConfirmationLinks(secret=NEW, previous_secrets=[OLD])
    link = ConfirmationLinks(secret=OLD).issue(account_id="a-1", email="buyer@example.by")
    assert rotating.read_address(link).email == "buyer@example.by"
    with pytest.raises(InvalidToken):
        rotating.read_address(
            ConfirmationLinks(secret=UNKNOWN).issue(account_id="a-1", email="buyer@example.by")
        )


def test_web_reads_session_cookies_of_either_secret_and_signs_with_the_new():
    session = Session(access_token="at", refresh_token="rt", role="company", email="a@b.by")
    rotating = CookieSigner(NEW, [OLD])
    assert rotating.loads(CookieSigner(OLD).dumps(session)) == session
    assert CookieSigner(NEW).loads(rotating.dumps(session)) == session
    assert CookieSigner(OLD).loads(rotating.dumps(session)) is None
    assert rotating.loads(CookieSigner(UNKNOWN).dumps(session)) is None


def test_a_previous_secret_is_a_json_list_of_long_enough_values(monkeypatch):
    monkeypatch.setenv("WEB_SESSION_SECRET", NEW)
    monkeypatch.setenv("WEB_SESSION_PREVIOUS_SECRETS", f'["{OLD}"]')
    assert [s.get_secret_value() for s in WebSettings().session_previous_secrets] == [OLD]
    monkeypatch.setenv("WEB_SESSION_PREVIOUS_SECRETS", '["too-short"]')
    with pytest.raises(ValidationError):
        WebSettings()


def test_the_gateway_refuses_to_start_with_a_published_previous_secret():
    settings = GatewaySettings(
        internal_token_secret=NEW,
        jwt_secret=NEW,
        jwt_previous_secrets=[OLD, DEMO_JWT_SECRET],
        internal_token_previous_secrets=[OLD],
    )
    assert settings.default_secrets_in_use() == ["GATEWAY_JWT_PREVIOUS_SECRETS[1]"]
