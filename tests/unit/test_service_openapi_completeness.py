"""Each service's own OpenAPI document, as its app serves it at /openapi.json, types every
operation: its request body, its success answer and its errors as problem details, so that a client
generated from it (and the gateway's public document built from it) is typed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from matching.bootstrap import create_app as create_matching
from matching.config import Settings as MatchingSettings
from notifications.bootstrap import create_app as create_notifications
from notifications.config import Settings as NotificationsSettings
from registry.bootstrap import create_app as create_registry
from registry.config import Settings as RegistrySettings

SECRET = "a-secret-for-documents-only-0123456789"
WRITES = {"post", "put", "patch"}
PROBLEM = "application/problem+json"
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/ProblemDetails"}
# Answers without a body: nothing deleted is returned; a 304 says the copy held is current.
BODILESS = {"204", "304"}
# Actions whose path says everything: the reviewer's verification and lifting a suspension.
ACTIONS_WITHOUT_INPUT = {
    "/enterprises/{enterprise_id}/verify",
    "/enterprises/{enterprise_id}/reinstate",
}


def _documents() -> dict[str, dict[str, Any]]:
    apps = {
        "registry": create_registry(RegistrySettings(internal_token_secret=SECRET)),
        "matching": create_matching(MatchingSettings(internal_token_secret=SECRET)),
        "notifications": create_notifications(NotificationsSettings(internal_token_secret=SECRET)),
    }
    return {name: app.openapi() for name, app in apps.items()}


DOCUMENTS = _documents()


def _operations() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for service, document in DOCUMENTS.items():
        for path, methods in document["paths"].items():
            for method, operation in methods.items():
                yield service, method, path, operation


OPERATIONS = list(_operations())
IDS = [f"{service} {method.upper()} {path}" for service, method, path, _ in OPERATIONS]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _typed(schema: dict[str, Any]) -> bool:
    """A schema a generator makes a type of: a named model, or a union/nullable of named models."""
    if "$ref" in schema:
        return True
    variants = schema.get("anyOf") or schema.get("oneOf") or []
    named = [v for v in variants if "$ref" in v]
    return bool(named) and all("$ref" in v or v == {"type": "null"} for v in variants)


def test_each_service_documents_its_api_operations():
    counts = {service: 0 for service in DOCUMENTS}
    for service, *_ in OPERATIONS:
        counts[service] += 1

    assert counts["registry"] >= 20 and counts["matching"] >= 10 and counts["notifications"] >= 10
    assert not any(path in {"/healthz", "/readyz", "/metrics"} for _, _, path, _ in OPERATIONS)


@pytest.mark.parametrize(("service", "method", "path", "operation"), OPERATIONS, ids=IDS)
def test_every_write_documents_its_body_as_a_model(service, method, path, operation):
    if method not in WRITES or path in ACTIONS_WITHOUT_INPUT:
        return
    body = operation.get("requestBody")
    assert body is not None, f"{method.upper()} {path} documents no request body"
    for media_type, content in body["content"].items():
        schema = content["schema"]
        typed = _typed(schema) or media_type == "application/x-www-form-urlencoded"
        assert typed, f"{method.upper()} {path}: its {media_type} body is {schema}"
        assert schema.get("properties") or _typed(schema), "a bare object is not a body type"


@pytest.mark.parametrize(("service", "method", "path", "operation"), OPERATIONS, ids=IDS)
def test_every_success_documents_its_answer_as_a_model(service, method, path, operation):
    successes = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
    assert successes, f"{method.upper()} {path} documents no success"
    for status, response in successes.items():
        if status in BODILESS:
            assert "content" not in response
            continue
        schema = response["content"]["application/json"]["schema"]
        assert _typed(schema), f"{method.upper()} {path} answers {status} with {schema or 'any'}"


@pytest.mark.parametrize(("service", "method", "path", "operation"), OPERATIONS, ids=IDS)
def test_every_error_is_documented_as_problem_details(service, method, path, operation):
    errors = {s: r for s, r in operation["responses"].items() if s[0] in "45"}

    assert "401" in errors, "every call without the gateway's token is refused"
    # Any value of If-None-Match is acceptable: it is compared, never refused.
    inputs = [p for p in operation.get("parameters", []) if p["name"] != "If-None-Match"]
    if inputs or operation.get("requestBody"):
        assert "422" in errors, "a route that reads input refuses invalid input"
    for status, response in errors.items():
        assert response["content"] == {PROBLEM: {"schema": PROBLEM_SCHEMA}}, status


@pytest.mark.parametrize("service", DOCUMENTS)
def test_every_reference_resolves_and_fastapis_own_error_shape_is_gone(service):
    document = DOCUMENTS[service]
    schemas = document["components"]["schemas"]

    for ref in _refs(document["paths"]):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    assert "HTTPValidationError" not in schemas
    assert {"ProblemDetails", "FieldProblem"} <= set(schemas)


def test_a_change_that_needs_the_version_read_says_so():
    changes = [
        (path, op)
        for service, method, path, op in OPERATIONS
        if service == "registry" and method == "patch"
    ]

    assert {path for path, _ in changes} == {
        "/enterprises/{enterprise_id}",
        "/offers/{listing_id}",
        "/needs/{listing_id}",
    }
    for path, operation in changes:
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "If-Match" in headers, path
        assert {"409", "428"} <= set(operation["responses"]), path
        assert "ETag" in operation["responses"]["200"]["headers"], path


def test_the_reference_documents_say_they_answer_304_to_a_current_copy():
    registry = DOCUMENTS["registry"]["paths"]
    for path in ("/sectors", "/regions", "/cities"):
        operation = registry[path]["get"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}

        assert "If-None-Match" in headers, path
        assert "304" in operation["responses"], path
        assert {"ETag", "Cache-Control"} <= set(operation["responses"]["200"]["headers"]), path


@pytest.mark.parametrize("service", DOCUMENTS)
def test_every_request_body_model_carries_an_example(service):
    document = DOCUMENTS[service]
    schemas = document["components"]["schemas"]
    bodies = {
        ref.removeprefix("#/components/schemas/")
        for owner, _, _, operation in OPERATIONS
        if owner == service and operation.get("requestBody")
        for ref in _refs(operation["requestBody"])
    } & set(schemas)
    # Only the token of a real emailed link is accepted: an example of one would be refused.
    bodies -= {"ContactConfirmationIn"}

    missing = sorted(name for name in bodies if not schemas[name].get("examples"))
    assert not missing, f"request bodies without an example: {missing}"
