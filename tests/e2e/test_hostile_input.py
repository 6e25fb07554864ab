"""An attacker on the public API: every operation of the gateway's OpenAPI document (the route
table's forwarded routes and the gateway's own: accounts, staff accounts) gets generated NUL bytes,
control characters, lone surrogates, invalid UTF-8, strings longer than their columns, numbers out
of range and forged cursors in its path, query and body. No answer is a 5xx (a service's 500
would come back as a 502); text no field may hold is a 422 naming the field; and headers no
server should read are refused with problem details."""

from __future__ import annotations

import httpx
import pytest

from gateway.entrypoints.routes import ROUTES
from tests.hostile_input import (
    FORGED_CURSORS,
    attack,
    operations_of,
)

EXAMPLES_PER_OPERATION = 10
# The operations that act on the caller's own session run last, with a throwaway account.
OWN_SESSION = ("/api/v1/auth/",)
CASES = {"sent": 0, "5xx": 0}


@pytest.fixture(scope="module")
def document(gateway) -> dict:
    return gateway.get("/openapi.json").json()


@pytest.fixture(scope="module")
def callers(gateway, sign_in, open_company) -> dict[str, dict[str, str]]:
    # Signed in before any attack: generated sign-ins may slow this address's sign-ins down.
    return {"admin": sign_in("admin@demo.local", "demo-admin"), "throwaway": open_company()}


def test_the_attack_covers_every_route_of_the_route_table(document):
    attacked = {operation.name for operation in operations_of(document, prefix="/api/v1")}
    assert {f"{route.method} /api/v1{route.path}" for route in ROUTES} <= attacked


def test_no_hostile_request_gets_a_server_error_from_the_gateway(document, gateway, callers):
    operations = sorted(
        operations_of(document, prefix="/api/v1"), key=lambda op: op.path.startswith(OWN_SESSION)
    )
    failure_of = {}
    for operation in operations:
        caller = "throwaway" if operation.path.startswith(OWN_SESSION) else "admin"
        failure_of[operation.name] = attack(
            operation,
            client=gateway,
            headers=callers[caller],
            examples=EXAMPLES_PER_OPERATION,
            counts=CASES,
        )
    sent, server_errors = CASES["sent"], CASES["5xx"]
    print(
        f"\nhostile requests sent through the gateway: {sent}, answered with a 5xx: {server_errors}"
    )
    failures = [f"{name}: {failure}" for name, failure in failure_of.items() if failure]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/enterprises",
        "/api/v1/offers",
        "/api/v1/needs",
        "/api/v1/matches",
        "/api/v1/notifications",
    ],
)
@pytest.mark.parametrize("cursor", FORGED_CURSORS)
def test_a_forged_cursor_is_an_invalid_field_not_a_failure(path, cursor, gateway, callers):
    response = gateway.get(
        path,
        params={"cursor": cursor, "sort": "name"} if "enterprises" in path else {"cursor": cursor},
        headers=callers["admin"],
    )
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert [error["field"] for error in response.json()["errors"]] == ["cursor"]


def test_a_cursor_of_another_sort_order_is_refused(
    gateway, callers, open_company, new_housing_operator
):
    for _ in range(2):
        assert (
            gateway.post(
                "/api/v1/enterprises", json=new_housing_operator(), headers=open_company()
            ).status_code
            == 201
        )
    page = gateway.get("/api/v1/enterprises", params={"limit": 1, "sort": "name"}).json()
    assert page["next_cursor"]
    response = gateway.get(
        "/api/v1/enterprises",
        params={"limit": 1, "sort": "-created_at", "cursor": page["next_cursor"]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


def test_the_gateway_bounds_each_header_and_all_of_them(gateway):
    one = gateway.get("/api/v1/sectors", headers={"X-Request-ID": "r" * 9000})
    assert one.status_code == 431
    assert one.headers["content-type"].startswith("application/problem+json")
    many = gateway.get("/api/v1/sectors", headers={f"X-Note-{i}": "n" * 4000 for i in range(10)})
    assert many.status_code == 431
    not_utf8 = gateway.get("/api/v1/sectors", headers={"Authorization": b"Bearer \xff\xfe"})
    assert not_utf8.status_code == 400
    assert not_utf8.json()["errors"] == [{"field": "authorization", "reason": "is not UTF-8"}]


def test_a_chunked_body_over_the_limit_is_refused_by_the_gateway(gateway, callers):
    def chunks():
        for _ in range(300):
            yield b" " * 1024

    response = gateway.post(
        "/api/v1/enterprises",
        content=chunks(),
        headers=callers["admin"] | {"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_web_pages_bound_a_chunked_form_too(platform):
    def chunks():
        for _ in range(300):
            yield b"a" * 1024

    with httpx.Client(base_url=platform.web_url, timeout=30) as web:
        response = web.post(
            "/sign-in",
            content=chunks(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
