"""The gateway tells a service who is calling with a signed internal token: the service reads the
same caller the gateway signed, refuses any other token with a 401 problem, and keeps the tokens
it has verified (still refusing them once expired); the gateway reuses one caller's token for
half its lifetime and never lets two callers share one."""

from __future__ import annotations

import time
from dataclasses import FrozenInstanceError

import jwt
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from servicekit.internal_token import (
    ANONYMOUS,
    INTERNAL_TOKEN_HEADER,
    Caller,
    InternalTokenIssuer,
    InternalTokenVerifier,
    current_caller,
    install_internal_token,
    issue,
    verify,
)
from servicekit.problems import install_problem_handlers

SECRET = "a-servicekit-test-secret-of-32-bytes!!"
COMPANY = Caller(
    account_id="acc-1",
    role="company",
    enterprise_ids=frozenset({"ent-2", "ent-1"}),
    confirmed_email="owner@example.com",
)


class Clock:
    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now


def _token(caller: Caller = COMPANY, *, audience="registry", secret=SECRET, lifetime=60) -> str:
    # PyJWT checks a token it has not seen against the real clock, so tokens are minted when used.
    return issue(
        caller, audience=audience, secret=secret, issued_at=int(time.time()), ttl_seconds=lifetime
    )


def test_the_wire_format_is_the_gateways():
    claims = jwt.decode(
        _token(), SECRET, algorithms=["HS256"], audience="registry", issuer="gateway"
    )
    assert claims["exp"] - claims["iat"] == 60
    assert {k: v for k, v in claims.items() if k not in ("iat", "exp")} == {
        "iss": "gateway",
        "aud": "registry",
        "role": "company",
        "sub": "acc-1",
        "enterprise_ids": ["ent-1", "ent-2"],
        "confirmed_email": "owner@example.com",
    }


def test_an_anonymous_caller_carries_its_role_alone():
    claims = verify(_token(ANONYMOUS), audience="registry", secret=SECRET)
    assert set(claims) == {"iss", "aud", "iat", "exp", "role"} and claims["role"] == "anonymous"


@pytest.mark.parametrize("caller", [COMPANY, ANONYMOUS, Caller(account_id="a-9", role="agency")])
def test_a_service_reads_the_caller_the_gateway_signed(caller):
    verifier = InternalTokenVerifier(audience="registry", secret=SECRET)
    assert verifier.caller(_token(caller)) == caller


def test_roles_and_enterprises():
    assert COMPANY.is_company and not COMPANY.is_staff and not COMPANY.is_anonymous
    assert COMPANY.owns("ent-1") and not COMPANY.owns("ent-3")
    assert Caller(account_id="a", role="admin").is_staff and ANONYMOUS.is_anonymous
    with pytest.raises(FrozenInstanceError):
        COMPANY.role = "admin"


class Member(Caller):
    def may_edit(self) -> bool:
        return self.is_staff


def test_a_service_may_read_its_own_caller_type():
    verifier = InternalTokenVerifier(audience="registry", secret=SECRET, caller_type=Member)
    member = verifier.caller(_token())
    assert isinstance(member, Member) and not member.may_edit()


def test_a_verified_token_reads_the_same_both_times_and_is_refused_once_it_expires():
    clock = Clock()
    verifier = InternalTokenVerifier(audience="registry", secret=SECRET, clock=clock)
    token = _token()
    assert verifier.claims(token)["enterprise_ids"] == ["ent-1", "ent-2"]
    assert verifier.claims(token)["sub"] == "acc-1"
    clock.now = jwt.decode(token, options={"verify_signature": False})["exp"]
    with pytest.raises(jwt.ExpiredSignatureError):
        verifier.claims(token)


@pytest.mark.parametrize(
    "minted", [{"secret": "another-secret-of-thirty-two-bytes!!"}, {"audience": "matching"}]
)
def test_a_token_signed_otherwise_or_meant_for_another_service_is_refused_every_time(minted):
    verifier = InternalTokenVerifier(audience="registry", secret=SECRET)
    token = _token(**minted)
    for _ in range(2):
        with pytest.raises((jwt.InvalidSignatureError, jwt.InvalidAudienceError)):
            verifier.claims(token)


def test_only_the_most_recent_tokens_are_kept():
    verifier = InternalTokenVerifier(audience="registry", secret=SECRET, size=2)
    for lifetime in (61, 62, 63):
        verifier.claims(_token(lifetime=lifetime))
    assert len(verifier._verified) == 2


def test_one_caller_gets_one_token_until_half_its_life_is_spent():
    clock = Clock(1_000_000.0)
    issuer = InternalTokenIssuer(audience="registry", secret=SECRET, ttl_seconds=60, clock=clock)
    first = issuer.for_caller(COMPANY)
    clock.now += 29
    reused = issuer.for_caller(COMPANY)
    clock.now += 1
    renewed = issuer.for_caller(COMPANY)

    assert first == reused != renewed
    claims = jwt.decode(renewed, options={"verify_signature": False})
    assert claims["exp"] - clock.now == 60


def test_a_caller_that_changes_in_any_claim_gets_a_new_token_and_callers_never_share_one():
    issuer = InternalTokenIssuer(audience="registry", secret=SECRET, ttl_seconds=60)
    before = Caller(account_id="acc-1", role="company", enterprise_ids=frozenset({"ent-1"}))
    after = Caller(account_id="acc-1", role="company", enterprise_ids=frozenset({"ent-1", "ent-2"}))
    issuer.for_caller(before)
    assert verify(issuer.for_caller(after), audience="registry", secret=SECRET)[
        "enterprise_ids"
    ] == ["ent-1", "ent-2"]

    tokens = {issuer.for_caller(Caller(account_id=f"acc-{n}", role="company")) for n in range(3)}
    tokens.add(issuer.for_caller(ANONYMOUS))
    assert len(tokens) == 4


def test_the_issuer_remembers_a_bounded_number_of_callers():
    issuer = InternalTokenIssuer(audience="registry", secret=SECRET, ttl_seconds=60, max_callers=2)
    other = Caller(account_id="acc-2", role="company")
    first_for_other = issuer.for_caller(other)
    held: set[str] = set()
    for n in range(5):
        held.add(f"ent-{n}")
        issuer.for_caller(
            Caller(account_id="acc-1", role="company", enterprise_ids=frozenset(held))
        )
    assert issuer.for_caller(other) == first_for_other


def _service() -> TestClient:
    app = FastAPI()
    install_problem_handlers(app, service="test service")
    install_internal_token(app, InternalTokenVerifier(audience="registry", secret=SECRET))

    @app.get("/me")
    async def me(caller: Caller = Depends(current_caller)):
        return {"role": caller.role, "enterprise_ids": sorted(caller.enterprise_ids)}

    return TestClient(app)


def test_a_route_reads_the_caller_from_the_header():
    response = _service().get("/me", headers={INTERNAL_TOKEN_HEADER: _token()})
    assert response.json() == {"role": "company", "enterprise_ids": ["ent-1", "ent-2"]}


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "this service only answers calls that come through the gateway"),
        ({INTERNAL_TOKEN_HEADER: "not-a-token"}, "invalid internal token"),
        ({INTERNAL_TOKEN_HEADER: _token(audience="matching")}, "invalid internal token"),
        ({"X-Role": "admin"}, "this service only answers calls that come through the gateway"),
    ],
)
def test_a_call_without_a_valid_token_is_refused_with_a_problem(headers, detail):
    response = _service().get("/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Unauthorized"
    assert response.json()["detail"].startswith(detail)
