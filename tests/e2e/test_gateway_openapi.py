"""The running platform serves the committed OpenAPI documents: the gateway the public one, built
from the services' own documents, and each service the document the gateway was built from. The
write routes carry their schemas' examples, and the docs pages need nothing beyond the gateway."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
from playwright.async_api import expect

from gateway.entrypoints import openapi
from gateway.entrypoints.routes import ROUTES
from tests.e2e.browser import chromium, watch_for_errors
from tests.integration.test_service_openapi_documents import answered_as_documented

_WRITES_WITHOUT_BODY = {
    ("DELETE", "/enterprises/{enterprise_id}"),
    ("POST", "/enterprises/{enterprise_id}/verify"),
    ("POST", "/enterprises/{enterprise_id}/reinstate"),
}
# Only the token of a real emailed link is accepted: an example of one would mislead.
_BODIES_WITHOUT_EXAMPLES = {("POST", "/contact-confirmations")}
_STALE = f"run `{openapi.BUILD_COMMAND}` and commit gateway/gateway/openapi/"


def test_the_gateway_serves_the_committed_public_document(gateway):
    assert gateway.get("/openapi.json").json() == openapi.load_public_document(), _STALE


def test_each_running_service_serves_the_document_the_gateway_was_built_from(platform):
    committed = openapi.load_service_documents()
    stale = [
        name
        for name in openapi.SERVICES
        if httpx.get(f"{platform.service_url(name)}/openapi.json").json() != committed[name]
    ]

    assert stale == [], _STALE


def test_every_route_of_the_table_is_documented_with_its_access_rule(gateway):
    document = gateway.get("/openapi.json").json()

    for route in ROUTES:
        operation = document["paths"][f"/api/v1{route.path}"][route.method.lower()]
        assert operation["x-access"] == str(route.access), route
        assert any(status.startswith("2") for status in operation["responses"]), route
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
        if route.method == "GET" or (route.method, route.path) in _BODIES_WITHOUT_EXAMPLES:
            continue
        operation = document["paths"][f"/api/v1{route.path}"][route.method.lower()]
        if "requestBody" not in operation:
            assert (route.method, route.path) in _WRITES_WITHOUT_BODY, route
            continue
        examples = openapi.request_examples(document, route.method, f"/api/v1{route.path}")
        assert examples, route
    [offer, *_] = openapi.request_examples(
        document, "POST", "/api/v1/enterprises/{enterprise_id}/offers"
    )
    assert {"kind", "title", "sector", "quantity", "unit", "regions", "valid_until"} <= set(offer)


def test_changing_an_enterprise_documents_the_version_it_must_send(gateway):
    document = gateway.get("/openapi.json").json()

    for path in ("/enterprises/{enterprise_id}", "/offers/{listing_id}", "/needs/{listing_id}"):
        operation = document["paths"][f"/api/v1{path}"]["patch"]
        headers = {p["name"].lower() for p in operation["parameters"] if p["in"] == "header"}
        assert "if-match" in headers, path


def test_signing_in_is_described_as_the_oauth2_password_flow(gateway):
    document = gateway.get("/openapi.json").json()

    [scheme] = document["components"]["securitySchemes"].values()
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    assert document["paths"]["/api/v1/matches"]["get"]["security"] == [{"OAuth2": []}]


def test_the_docs_pages_load_their_assets_from_the_gateway_itself(gateway):
    for page in ("/docs", "/redoc"):
        response = gateway.get(page)

        assert response.status_code == 200
        sources = re.findall(r"""(?:src|href)=["']?([^"' >]+)""", response.text)
        scripts = [source for source in sources if source.endswith((".js", ".css"))]
        assert scripts, page
        for source in sources:
            assert source.startswith("/"), f"{page} loads {source} from elsewhere"
        for script in scripts:
            assert gateway.get(script).status_code == 200, script


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
    assert {"limit", "cursor", "kind", "product_code"} <= set(query("/api/v1/offers"))
    assert {"limit", "cursor", "status", "min_score"} <= set(query("/api/v1/matches"))


async def test_swagger_ui_and_redoc_show_every_operation_with_nothing_loaded_from_elsewhere(
    platform,
):
    document = openapi.load_public_document()
    operations = sum(len(item) for item in document["paths"].values())
    gateway = urlsplit(platform.gateway_url).netloc
    elsewhere: list[str] = []

    async def only_the_gateway(route):
        if urlsplit(route.request.url).netloc == gateway or route.request.url.startswith(
            ("data:", "blob:")
        ):
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    async with chromium() as browser:
        page = await browser.new_page()
        errors = watch_for_errors(page)
        await page.route("**/*", only_the_gateway)

        await page.goto(f"{platform.gateway_url}/docs")
        await expect(page.locator(".opblock")).to_have_count(operations, timeout=30_000)
        await expect(
            page.get_by_text("/api/v1/enterprises/{enterprise_id}/offers").first
        ).to_be_visible()
        await page.goto(f"{platform.gateway_url}/redoc")
        await expect(page.locator("[data-section-id^='operation/']")).to_have_count(
            operations, timeout=30_000
        )

    assert elsewhere == []
    # ReDoc's attribution logo points at its CDN: the page's policy refuses it before any request
    # leaves, and ReDoc hides the image. Any other error fails the test.
    refused_logo = [e for e in errors if "cdn.redoc.ly" in e and "Content Security Policy" in e]
    assert [error for error in errors if error not in refused_logo] == []


def test_the_documents_examples_of_a_change_and_of_preferences_are_accepted_through_the_gateway(
    gateway, open_company, new_housing_operator
):
    """The two examples a client once followed into a 428 and a 422."""
    document = openapi.load_public_document()
    company = open_company()
    enterprise = gateway.post("/api/v1/enterprises", json=new_housing_operator(), headers=company)
    assert enterprise.status_code == 201, enterprise.text
    enterprise_path = "/api/v1/enterprises/{enterprise_id}"
    preferences_path = f"{enterprise_path}/notification-preferences"

    for method, path in (("PATCH", enterprise_path), ("PUT", preferences_path)):
        [example, *_] = openapi.request_examples(document, method, path)
        answer = gateway.request(
            method,
            path.format(enterprise_id=enterprise.json()["id"]),
            json=example,
            headers=company,
        )

        answered_as_documented(document, method.lower(), path, answer)
