"""Someone who gets past the gateway, or a bug in it, sends each service hostile input directly:
every operation of the registry's, matching's and notifications' own OpenAPI documents gets
generated NUL bytes, control characters, lone surrogates, invalid UTF-8, over-long strings,
numbers out of range and forged cursors, signed as an admin so the request reaches the route.
No answer is a 5xx; text no field may hold is a 422 naming the field. Each service also bounds
a chunked body (no declared length) and its headers before any route reads them."""

from __future__ import annotations

import httpx
import pytest

from tests.hostile_input import attack, operations_of

SERVICES = ("registry", "matching", "notifications")
EXAMPLES_PER_OPERATION = 15
# Routes only the gateway's own token reaches; elsewhere an admin passes every door.
GATEWAY_ONLY = ("/emails/account-confirmation", "/emails/password-reset")
CASES = {"sent": 0, "5xx": 0}


@pytest.fixture(scope="module")
def clients(platform, internal_token):
    opened = {
        name: httpx.Client(base_url=platform.service_url(name), timeout=30) for name in SERVICES
    }
    yield opened
    for client in opened.values():
        client.close()


def _operations(platform) -> list[tuple[str, object]]:
    found = []
    for service in SERVICES:
        document = httpx.get(f"{platform.service_url(service)}/openapi.json", timeout=30).json()
        found += [
            (service, operation)
            for operation in operations_of(document)
            if not operation.path.startswith(("/healthz", "/readyz", "/metrics"))
        ]
    return found


@pytest.fixture(scope="module")
def operations(platform):
    return _operations(platform)


def test_each_service_documents_the_routes_the_run_attacks(operations):
    by_service = {
        service: [op.name for s, op in operations if s == service] for service in SERVICES
    }
    assert "POST /enterprises" in by_service["registry"]
    assert "GET /matches" in by_service["matching"]
    assert "GET /deliveries" in by_service["notifications"]


def test_no_hostile_request_gets_a_server_error_from_any_service(
    operations, clients, internal_token
):
    failures = []
    for service, operation in operations:
        role = "gateway" if operation.path in GATEWAY_ONLY else "admin"
        headers = internal_token(service, role=role, account_id="hostile-admin")
        failure = attack(
            operation,
            client=clients[service],
            headers=headers,
            examples=EXAMPLES_PER_OPERATION,
            counts=CASES,
        )
        if failure:
            failures.append(f"{service} {operation.name}: {failure}")
    print(
        f"\nhostile requests sent to the services directly: {CASES['sent']}, answered with a "
        f"5xx: {CASES['5xx']}"
    )
    assert not failures, "\n".join(failures)
    assert CASES["sent"] >= len(operations) * 5


@pytest.mark.parametrize("service", SERVICES)
def test_a_chunked_body_over_the_limit_is_refused_before_the_route_reads_it(
    service, clients, internal_token
):
    def chunks():
        for _ in range(
            300
        ):  # 300 KiB, no Content-Length: only counting what streams in can stop it
            yield b" " * 1024

    response = clients[service].post(
        "/enterprises"
        if service == "registry"
        else "/matches/00000000-0000-0000-0000-000000000000/reject",
        content=chunks(),
        headers=internal_token(service, role="admin") | {"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "bytes" in response.json()["detail"]


@pytest.mark.parametrize("service", SERVICES)
def test_oversized_and_non_utf8_headers_are_refused_with_problem_details(
    service, clients, internal_token
):
    token = internal_token(service, role="admin")
    one_big = clients[service].get("/healthz", headers={"X-Padding": "a" * 9000})
    assert one_big.status_code == 431
    assert one_big.json()["errors"][0]["field"] == "x-padding"
    many = clients[service].get(
        "/healthz", headers={f"X-Padding-{i}": "a" * 4000 for i in range(10)}
    )
    assert many.status_code == 431
    latin1 = clients[service].get(
        "/healthz", headers=token | {"If-Match": "\xff\xfe".encode("latin-1")}
    )
    assert latin1.status_code == 400
    assert latin1.json()["errors"] == [{"field": "if-match", "reason": "is not UTF-8"}]


@pytest.mark.parametrize(
    ("service", "url"),
    [
        ("matching", "/matches?created_until=9999-12-31"),
        ("matching", "/matches?created_from=0001-01-01T00:00:00%2B14:00"),
        ("matching", "/stats/funnel?date_to=0001-01-01"),
        ("notifications", "/deliveries?created_until=9999-12-31T23:59:59-14:00"),
    ],
)
def test_a_moment_at_the_calendars_edge_is_an_invalid_field(service, url, clients, internal_token):
    response = clients[service].get(url, headers=internal_token(service, role="admin"))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == url.split("?")[1].split("=")[0]
