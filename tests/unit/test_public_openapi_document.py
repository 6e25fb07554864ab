"""The public OpenAPI document is built from the services' own documents: the committed copies
match what the applications describe, every route of the table takes its service's operation at
its public path with its access rule and the door's refusals, and the services' schemas are merged
without one name meaning two things."""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest
from openapi_spec_validator import validate

from gateway.domain.access import Access
from gateway.entrypoints import openapi
from gateway.entrypoints.routes import ROUTES
from scripts import build_openapi

_STALE = f"stale: run `{openapi.BUILD_COMMAND}` and commit gateway/gateway/openapi/"


@pytest.fixture(scope="module")
def built():
    return build_openapi.documents()


@pytest.fixture(scope="module")
def public():
    return openapi.load_public_document()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_each_committed_service_document_is_what_the_service_describes(built):
    services = {path: document for path, document in built.items() if path.stem != "public"}
    assert len(services) == len(openapi.SERVICES)

    assert [path.name for path in build_openapi.stale(services)] == [], _STALE


def test_the_committed_public_document_is_what_the_gateway_builds(built):
    assert build_openapi.stale({openapi.PUBLIC_DOCUMENT: built[openapi.PUBLIC_DOCUMENT]}) == [], (
        f"public.json is {_STALE}"
    )


def test_every_route_of_the_table_is_its_services_operation_at_its_public_path(public):
    services = openapi.load_service_documents()
    for route in ROUTES:
        operation = public["paths"][f"/api/v1{route.path}"][route.method.lower()]
        theirs = services[route.service]["paths"][route.upstream_path][route.method.lower()]
        assert operation["x-access"] == str(route.access), route
        assert operation["summary"] == route.summary
        assert operation["tags"] == [route.tag]
        assert {p["name"] for p in operation.get("parameters", [])} == {
            p["name"] for p in theirs.get("parameters", [])
        }, route
        assert ("requestBody" in operation) == ("requestBody" in theirs), route
        assert set(theirs["responses"]) - {"401"} <= set(operation["responses"]), route


def test_the_door_refusals_are_documented_by_who_may_call(public):
    for route in ROUTES:
        responses = public["paths"][f"/api/v1{route.path}"][route.method.lower()]["responses"]
        assert {"429", "502", "503"} <= set(responses), route
        assert ("401" in responses) == (route.access is not Access.ANYONE), route
        role_checked = route.access not in (Access.ANYONE, Access.SIGNED_IN)
        assert ("403" in responses) or not role_checked, route
        assert responses["429"]["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/ProblemDetails"
        }


def test_every_operation_says_who_may_call_it_and_has_its_own_name(public):
    names = Counter()
    for path, method, operation in _operations(public):
        assert operation["x-access"] in {str(access) for access in Access}, (path, method)
        names[operation["operationId"]] += 1
    assert [name for name, count in names.items() if count > 1] == []
    assert public["paths"]["/api/v1/enterprises"]["post"]["operationId"] == "register_enterprise"
    assert public["paths"]["/api/v1/auth/me"]["get"]["x-access"] == "signed_in"
    assert public["paths"]["/api/v1/auth/token"]["post"]["x-access"] == "anyone"
    form = public["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"]
    assert form["application/x-www-form-urlencoded"]["schema"]["$ref"].endswith("/TokenForm")


def test_every_reference_resolves_and_every_schema_is_used(public):
    schemas = public["components"]["schemas"]
    referenced = set(openapi._referenced(public["paths"], schemas))
    assert referenced == set(schemas)


@pytest.mark.parametrize("name", sorted(path.name for path in openapi.DOCUMENTS.glob("*.json")))
def test_each_committed_document_is_valid_openapi_for_any_client_generator(name):
    """Checked against the OpenAPI 3.1 schema itself: a header documented with no schema, which
    FastAPI accepts, makes strict generators and linters refuse the whole document."""
    document = json.loads((openapi.DOCUMENTS / name).read_text(encoding="utf-8"))

    validate(document)


def test_signing_in_is_the_oauth2_password_flow_of_the_public_prefix(public):
    [scheme] = public["components"]["securitySchemes"].values()
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    assert public["paths"]["/api/v1/matches"]["get"]["security"] == [{"OAuth2": []}]
    assert {} in public["paths"]["/api/v1/offers"]["get"]["security"]  # a token is optional


def _thing(title: str) -> dict:
    return {"type": "object", "title": title, "properties": {"part": {"$ref": "#/x/Part"}}}


def _services_sharing_a_name(part_differs: bool) -> dict[str, dict]:
    """Every service answers each of its routes with a `Thing`, made of a `Part`; the matching
    service's `Part` differs from the registry's when `part_differs`."""
    documents = {}
    for service in openapi.SERVICES:
        part = {"type": "string", "title": service if part_differs else "Part"}
        thing = _thing("Thing")
        thing["properties"]["part"] = {"$ref": "#/components/schemas/Part"}
        paths: dict[str, dict] = {}
        for route in ROUTES:
            if route.service == service:
                answer = {"content": {"application/json": {"schema": {"$ref": "#/x"}}}}
                answer["content"]["application/json"]["schema"] = {
                    "$ref": "#/components/schemas/Thing"
                }
                paths.setdefault(route.upstream_path, {})[route.method.lower()] = {
                    "operationId": f"{route.method.lower()}_{len(paths)}",
                    "responses": {"200": answer},
                }
        documents[service] = {
            "paths": paths,
            "components": {"schemas": {"Thing": thing, "Part": part, "Unused": {}}},
        }
    return documents


def _own() -> dict:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}


def test_a_schema_the_services_share_unchanged_is_one_schema():
    document = openapi.public_document(_own(), _services_sharing_a_name(part_differs=False))

    schemas = document["components"]["schemas"]
    assert {"Thing", "Part"} <= set(schemas)
    assert not {"MatchingThing", "MatchingPart", "Unused"} & set(schemas)


def test_a_schema_that_differs_between_services_is_renamed_with_what_refers_to_it():
    document = openapi.public_document(_own(), _services_sharing_a_name(part_differs=True))

    schemas = document["components"]["schemas"]
    # The registry came first; matching's Part differs, and so does its Thing, made of it.
    assert schemas["MatchingPart"]["title"] == "matching"
    assert schemas["MatchingThing"]["title"] == "MatchingThing"  # a client's type is named by it
    assert schemas["MatchingThing"]["properties"]["part"]["$ref"].endswith("/MatchingPart")
    matches = document["paths"]["/api/v1/matches"]["get"]["responses"]["200"]
    assert matches["content"]["application/json"]["schema"]["$ref"].endswith("/MatchingThing")
    sectors = document["paths"]["/api/v1/sectors"]["get"]["responses"]["200"]
    assert sectors["content"]["application/json"]["schema"]["$ref"].endswith("/Thing")


def test_a_route_whose_service_lost_its_operation_names_the_command_to_run():
    services = _services_sharing_a_name(part_differs=False)
    broken = copy.deepcopy(services)
    del broken["registry"]["paths"]["/sectors"]

    with pytest.raises(LookupError, match="scripts/build_openapi.py"):
        openapi.public_document(_own(), broken)
