"""One OpenAPI document for the whole public API, built from the route table: every route is in
it with who may call it, the write routes carry request examples, and the docs page serves it."""

from __future__ import annotations

import httpx

from gateway.entrypoints import query_parameters
from gateway.entrypoints.routes import ROUTES

_WRITES_WITHOUT_BODY = {
    ("DELETE", "/enterprises/{enterprise_id}"),
    ("POST", "/enterprises/{enterprise_id}/verify"),
    ("POST", "/enterprises/{enterprise_id}/reinstate"),
    ("POST", "/notifications/resend-dead"),
}


def test_every_route_of_the_table_is_documented_with_its_access_rule(gateway):
    document = gateway.get("/openapi.json").json()

    for route in ROUTES:
        operation = document["paths"][f"/api/v1{route.path}"][route.method.lower()]
        assert operation["x-access"] == str(route.access), route
        assert str(route.status_code) in operation["responses"]
    assert {
        "/api/v1/auth/register",
        "/api/v1/auth/token",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
    } <= set(document["paths"])


def test_write_routes_show_request_examples_with_the_designs_field_names(gateway):
    document = gateway.get("/openapi.json").json()

    for route in ROUTES:
        if route.method == "GET" or (route.method, route.path) in _WRITES_WITHOUT_BODY:
            continue
        operation = document["paths"][f"/api/v1{route.path}"][route.method.lower()]
        [body] = operation["requestBody"][
            "content"
        ].values()  # JSON, or a form for a mail provider's one-click unsubscribe
        examples = body["examples"]
        assert examples, route
    offer = document["paths"]["/api/v1/enterprises/{enterprise_id}/offers"]["post"]["requestBody"][
        "content"
    ]["application/json"]["examples"]
    [example] = offer.values()
    assert {
        "kind",
        "title",
        "sector",
        "product_codes",
        "quantity",
        "unit",
        "regions",
        "valid_until",
    } <= set(example["value"])


def test_signing_in_is_described_as_the_oauth2_password_flow(gateway):
    document = gateway.get("/openapi.json").json()

    [scheme] = document["components"]["securitySchemes"].values()
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    assert document["paths"]["/api/v1/matches"]["get"]["security"] == [{"OAuth2": []}]


def test_the_docs_page_is_served(gateway):
    response = gateway.get("/docs")

    assert response.status_code == 200
    assert "swagger" in response.text.lower()


def test_list_routes_describe_their_filters_limit_cursor_and_sort(gateway):
    document = gateway.get("/openapi.json").json()

    def query(path: str) -> dict[str, dict]:
        return {
            p["name"]: p for p in document["paths"][path]["get"]["parameters"] if p["in"] == "query"
        }

    enterprises = query("/api/v1/enterprises")
    assert {"limit", "cursor", "sort", "country", "region", "sector", "status", "q"} <= set(
        enterprises
    )
    assert enterprises["limit"]["schema"]["maximum"] == 200
    assert "-created_at" in enterprises["sort"]["schema"]["enum"]  # the service's enum, spelled out
    assert {"limit", "cursor", "kind", "product_code"} <= set(query("/api/v1/offers"))
    assert {"limit", "cursor", "status", "min_score"} <= set(query("/api/v1/matches"))
    assert "$ref" not in str(document["paths"]["/api/v1/offers"]["get"]["parameters"])


def test_the_gateways_copy_of_the_query_parameters_matches_what_the_services_declare(platform):
    documents = {
        name: httpx.get(f"{platform.service_url(name)}/openapi.json").json()
        for name in ("registry", "matching", "notifications")
    }

    # On a mismatch: `python -m gateway refresh-query-parameters` against the running services.
    assert query_parameters.collect(documents) == query_parameters.load()
