"""Property-based run of the public OpenAPI document against the running gateway and services:
whatever a client sends that the document allows, no answer is a 5xx and every answer matches what
the document promises; whatever it sends that the document forbids (schemathesis' negative mode),
no answer is a 5xx. Strings are drawn from the whole of Unicode, NUL included (schemathesis'
`allow_x00` and no codec), not only from what UTF-8 clients usually send."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gateway.entrypoints.routes import ROUTES

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 12
CASES = {"positive": 0, "negative": 0}
AUTH_OPERATIONS = [
    "POST /api/v1/auth/register",
    "GET /api/v1/auth/confirm",
    "POST /api/v1/auth/token",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/logout",
    "GET /api/v1/auth/me",
]
OPERATIONS = AUTH_OPERATIONS + [f"{route.method} /api/v1{route.path}" for route in ROUTES]


@pytest.fixture(scope="module", autouse=True)
def count_cases():
    yield
    print(f"\nschemathesis cases through the gateway: {CASES} (any 5xx fails the run)")


@pytest.fixture(scope="module")
def operations(platform) -> dict:
    # Loaded from the running gateway, so the run checks the document clients really get.
    # (schemathesis' lazy pytest loader does not run on this pytest version; the operations are
    # driven one by one with Hypothesis instead, with the same checks.)
    schema = schemathesis.openapi.from_url(f"{platform.gateway_url}/openapi.json")
    # Any character of any category, NUL and other control characters included: a field's type
    # says nothing about which characters an attacker sends.
    schema.config.generation.allow_x00 = True
    schema.config.generation.codec = None
    found = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        found[f"{operation.method.upper()} {operation.path}"] = operation
    return found


@pytest.fixture(scope="module")
def reviewer_headers(gateway) -> dict[str, str]:
    # The agency passes the door of nearly every route, so generated requests reach the services.
    response = gateway.post(
        "/api/v1/auth/token", data={"username": "agency@demo.local", "password": "demo-agency"}
    )
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_the_document_has_every_operation_the_run_covers(operations):
    assert set(OPERATIONS) <= set(operations)


@pytest.mark.parametrize("name", OPERATIONS)
def test_no_generated_request_breaks_the_gateway_or_the_documents_promise(
    name, operations, reviewer_headers
):
    operation = operations[name]

    allowed, forbidden = (
        operation.as_strategy(),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @given(
        case=st.one_of(
            allowed.map(lambda case: (case, CHECKS)),
            forbidden.map(lambda case: (case, [not_a_server_error])),
        )
    )
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def call(case):
        generated, checks = case
        CASES[generated.meta.generation.mode.value if generated.meta else "positive"] += 1
        generated.call_and_validate(headers=reviewer_headers, checks=checks)

    call()
