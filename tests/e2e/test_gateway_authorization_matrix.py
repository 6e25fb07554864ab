"""Every route of the public API times every kind of caller, generated from the route table: the
door lets in exactly who the access rule names. A route added to the table without a row here
fails the first test, so no route can go live without someone deciding who may call it."""

from __future__ import annotations

import uuid

import pytest

from gateway.domain.access import Access
from gateway.entrypoints import openapi
from gateway.entrypoints.routes import ROUTES, Route

# Who may call each route, decided here by hand and checked against the route table.
EXPECTED_ACCESS: dict[tuple[str, str], Access] = {
    ("GET", "/sectors"): Access.ANYONE,
    ("GET", "/regions"): Access.ANYONE,
    ("GET", "/cities"): Access.ANYONE,
    ("GET", "/figures/enterprises"): Access.ANYONE,
    ("GET", "/figures/introductions"): Access.ANYONE,
    ("POST", "/enterprises"): Access.COMPANY,
    ("GET", "/enterprises"): Access.ANYONE,
    ("GET", "/enterprises/{enterprise_id}"): Access.ANYONE,
    ("PATCH", "/enterprises/{enterprise_id}"): Access.COMPANY,
    ("DELETE", "/enterprises/{enterprise_id}"): Access.COMPANY,
    ("POST", "/enterprises/{enterprise_id}/verify"): Access.STAFF,
    ("POST", "/enterprises/{enterprise_id}/suspend"): Access.STAFF,
    ("POST", "/enterprises/{enterprise_id}/reinstate"): Access.STAFF,
    ("GET", "/enterprises/{enterprise_id}/possible-duplicates"): Access.STAFF,
    ("POST", "/enterprises/{enterprise_id}/offers"): Access.COMPANY,
    ("GET", "/enterprises/{enterprise_id}/offers"): Access.ANYONE,
    ("POST", "/enterprises/{enterprise_id}/needs"): Access.COMPANY,
    ("GET", "/enterprises/{enterprise_id}/needs"): Access.ANYONE,
    ("GET", "/offers"): Access.ANYONE,
    ("GET", "/needs"): Access.ANYONE,
    ("GET", "/offers/{listing_id}"): Access.ANYONE,
    ("PATCH", "/offers/{listing_id}"): Access.COMPANY,
    ("GET", "/needs/{listing_id}"): Access.ANYONE,
    ("PATCH", "/needs/{listing_id}"): Access.COMPANY,
    ("GET", "/matches"): Access.STAFF,
    ("GET", "/matches/{match_id}"): Access.SIGNED_IN,
    ("POST", "/matches/{match_id}/approve"): Access.STAFF,
    ("POST", "/matches/{match_id}/reject"): Access.STAFF,
    ("POST", "/matches/{match_id}/respond"): Access.COMPANY,
    ("POST", "/matches/{match_id}/close"): Access.STAFF,
    ("GET", "/enterprises/{enterprise_id}/suggestions"): Access.COMPANY,
    ("GET", "/enterprises/{enterprise_id}/partners"): Access.COMPANY,
    ("GET", "/stats/funnel"): Access.STAFF,
    ("GET", "/stats"): Access.STAFF,
    ("GET", "/notifications"): Access.STAFF,
    ("POST", "/notifications/resend-dead"): Access.ADMIN,
    ("GET", "/enterprises/{enterprise_id}/notification-preferences"): Access.COMPANY,
    ("PUT", "/enterprises/{enterprise_id}/notification-preferences"): Access.COMPANY,
    ("GET", "/unsubscribe"): Access.ANYONE,
    ("POST", "/unsubscribe"): Access.ANYONE,
    ("POST", "/contact-confirmations"): Access.ANYONE,
}

ROLES = ("anonymous", "company_owner", "other_company", "agency", "admin")
ALLOWED, SIGN_IN, FORBIDDEN = "allowed", "401", "403"


def expected_outcome(access: Access, role: str, route: Route) -> str:
    if access is Access.ANYONE:
        return ALLOWED
    if role == "anonymous":
        return SIGN_IN
    if access is Access.SIGNED_IN:
        return ALLOWED
    if access is Access.ADMIN:
        return ALLOWED if role == "admin" else FORBIDDEN
    if access is Access.STAFF:
        return ALLOWED if role in ("agency", "admin") else FORBIDDEN
    # COMPANY: the owner and staff pass; another company is stopped at the door when the path
    # names the enterprise (for a listing or a match, the service checks whose it is).
    if role == "other_company" and "{enterprise_id}" in route.path:
        return FORBIDDEN
    return ALLOWED


def test_every_route_in_the_table_has_a_decided_access_rule_and_no_row_is_stale():
    in_table = {(route.method, route.path): route.access for route in ROUTES}

    assert set(in_table) - set(EXPECTED_ACCESS) == set(), "routes without a row in EXPECTED_ACCESS"
    assert set(EXPECTED_ACCESS) - set(in_table) == set(), "rows for routes that no longer exist"
    assert in_table == EXPECTED_ACCESS


@pytest.fixture(scope="module")
def cast(gateway, open_company, sign_in, new_housing_operator) -> dict:
    owner = open_company()
    owned = gateway.post("/api/v1/enterprises", json=new_housing_operator(), headers=owner)
    assert owned.status_code == 201, owned.text
    other = open_company()
    assert (
        gateway.post("/api/v1/enterprises", json=new_housing_operator(), headers=other).status_code
        == 201
    )
    return {
        "anonymous": {},
        "company_owner": owner,
        "other_company": other,
        "agency": sign_in("agency@demo.local", "demo-agency"),
        "admin": sign_in("admin@demo.local", "demo-admin"),
        "enterprise_id": owned.json()["id"],
    }


def _enterprise_for(route: Route, role: str, cast: dict, gateway, new_housing_operator) -> str:
    # A deletion that the door lets through would take the shared enterprise away from the
    # cases after it, so each one deletes an enterprise of the owner's made for it.
    if route.method == "DELETE" and role in ("company_owner", "agency", "admin"):
        made = gateway.post(
            "/api/v1/enterprises", json=new_housing_operator(), headers=cast["company_owner"]
        )
        assert made.status_code == 201, made.text
        return made.json()["id"]
    return cast["enterprise_id"]


# Listings of a sector no story test of the session is about, so the matcher's proposals for
# those stories are not crowded out by what the matrix publishes.
_QUIET_LISTING = {
    "kind": "services",
    "title": "Экскурсии по льняным мастерским",
    "sector": "tourism",
    "regions": ["vitebsk_oblast"],
}


_DOCUMENT = openapi.load_public_document()


def _body(route: Route, new_housing_operator) -> dict | None:
    if (route.method, route.path) == ("POST", "/enterprises"):
        return new_housing_operator()
    if route.path.endswith(("/offers", "/needs")):
        return _QUIET_LISTING
    examples = openapi.request_examples(_DOCUMENT, route.method, f"/api/v1{route.path}")
    return examples[0] if examples else None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_the_door_lets_in_exactly_who_the_access_rule_names(
    route, role, cast, gateway, new_housing_operator
):
    expected = expected_outcome(EXPECTED_ACCESS[(route.method, route.path)], role, route)
    path = route.path.format(
        enterprise_id=_enterprise_for(route, role, cast, gateway, new_housing_operator),
        listing_id=uuid.uuid4(),
        match_id=uuid.uuid4(),
    )

    response = gateway.request(
        route.method, f"/api/v1{path}", json=_body(route, new_housing_operator), headers=cast[role]
    )

    assert response.status_code != 500 and response.status_code < 502, response.text
    if expected == ALLOWED:
        assert response.status_code not in (401, 403), (
            f"{role} was refused: {response.status_code} {response.text[:300]}"
        )
    else:
        assert response.status_code == int(expected), response.text[:300]
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] in ("/problems/sign-in-required", "/problems/forbidden")


# Routes the gateway answers itself that a signed-in caller reaches with a body the door does not
# read; an anonymous caller is stopped at the door. The bodies carry a wrong password, so nothing
# is deleted: who may then go on is the route's own rule (a company deletes its account).
SELF_ANSWERED: dict[tuple[str, str], tuple[Access, dict]] = {
    ("DELETE", "/auth/me"): (Access.SIGNED_IN, {"current_password": "not the password"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), SELF_ANSWERED, ids=lambda part: part)
def test_the_gateways_own_routes_let_in_exactly_who_the_access_rule_names(
    method, path, role, cast, gateway
):
    access, body = SELF_ANSWERED[(method, path)]

    response = gateway.request(method, f"/api/v1{path}", json=body, headers=cast[role])

    assert response.status_code < 500, response.text
    if (
        expected_outcome(access, role, Route(method, path, "gateway", path, access, "", ""))
        == ALLOWED
    ):
        assert response.status_code not in (401, 403), (
            f"{role} was refused: {response.status_code} {response.text[:300]}"
        )
    else:
        assert response.status_code == 401, response.text[:300]
        assert response.json()["type"] == "/problems/sign-in-required"
