"""The public OpenAPI document, built from the services' own documents.

Each route of the table (entrypoints/routes.py) takes its operation from the document of the
service behind it (parameters, request body, responses, schemas and their examples), moved to its
public path under /api/v1. The gateway adds only what it owns: who may call each operation
(`x-access` and `security`), the refusals of its door (401, 403, 413, 429, 502, 503 as problem
details), its own routes (sign-in, accounts, staff accounts) and the OAuth2 security scheme.

The services' documents are not fetched at start-up (the gateway's document must not depend on
every service answering): they are generated from the services' applications and committed in
gateway/gateway/openapi/, with the public document built from them, by
`python scripts/build_openapi.py`. Tests fail when a committed document no longer matches."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import ConfigDict
from pydantic.json_schema import models_json_schema

from gateway.domain.access import Access
from gateway.entrypoints.routes import ROUTES, Route
from servicekit.problems import ProblemDetails

SECURITY_SCHEME = "OAuth2"
PUBLIC_PREFIX = "/api/v1"
SERVICES = ("registry", "matching", "notifications")
DOCUMENTS = Path(__file__).resolve().parents[1] / "openapi"
PUBLIC_DOCUMENT = DOCUMENTS / "public.json"
BUILD_COMMAND = "python scripts/build_openapi.py"

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SCHEMAS = "#/components/schemas/"
_PROBLEM = {
    "application/problem+json": {"schema": {"$ref": f"{_SCHEMAS}{ProblemDetails.__name__}"}}
}
_RATE_LIMITED = {
    "description": "Too many requests from this account or address; see Retry-After",
    "content": _PROBLEM,
}
_DOOR_RESPONSES = {
    "429": _RATE_LIMITED,
    "502": {"description": "The service behind this route failed to answer", "content": _PROBLEM},
    "503": {
        "description": "The service behind this route is unavailable; see Retry-After",
        "content": _PROBLEM,
    },
}
_BODY_RESPONSES = {"413": {"description": "The request body is too large", "content": _PROBLEM}}
_SIGNED_IN_RESPONSES = {"401": {"description": "No valid access token", "content": _PROBLEM}}
_ROLE_RESPONSES = {
    "403": {
        "description": "Your role, or whose enterprise it is, does not allow this",
        "content": _PROBLEM,
    }
}

# What the gateway's own routes (entrypoints/accounts/) declare as their errors.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "default": {"description": "An error, as problem details", "content": _PROBLEM},
    429: _RATE_LIMITED,
}


def request_body(example: dict[str, Any]) -> ConfigDict:
    """The configuration of a route's request model: unknown fields are refused (a 422 naming
    them), and `example` is the one the documentation shows."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


def access_openapi(access: Access) -> dict[str, Any]:
    """For a route the gateway answers itself: who may call it, as the table's routes show it."""
    return {"x-access": str(access), "security": _security(access)}


def access_responses(access: Access) -> dict[int | str, dict[str, Any]]:
    """The refusals of the door for a route the gateway answers itself."""
    return {**PROBLEM_RESPONSES, **_refusals(access)}


def load_service_documents() -> dict[str, dict[str, Any]]:
    return {name: _read(DOCUMENTS / f"{name}.json") for name in SERVICES}


def load_public_document() -> dict[str, Any]:
    return _read(PUBLIC_DOCUMENT)


def write_document(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(as_text(document), encoding="utf-8")


def as_text(document: dict[str, Any]) -> str:
    """How a document is committed: stable, so a diff shows what changed in the API."""
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def install(app: FastAPI) -> None:
    """The app serves the public document built from its own routes and the committed documents
    of the services, once, at the first request for it."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = public_document(own_document(app), load_service_documents())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def request_examples(document: dict[str, Any], method: str, path: str) -> list[Any]:
    """The examples of an operation's JSON or form body (`path` public, with /api/v1): the media
    type's own, else its schema's."""
    operation = document["paths"][path][method.lower()]
    examples: list[Any] = []
    for media in operation.get("requestBody", {}).get("content", {}).values():
        examples += [example["value"] for example in media.get("examples", {}).values()]
        if "example" in media:
            examples.append(media["example"])
        examples += _schema_examples(document, media.get("schema", {}))
    return examples


def _schema_examples(document: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    """A schema's examples, or those of its alternatives (an optional body is `X | None`)."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].removeprefix(_SCHEMAS)]
    alternatives = schema.get("anyOf", []) + schema.get("oneOf", [])
    return schema.get("examples", []) + [
        example for choice in alternatives for example in _schema_examples(document, choice)
    ]


def own_document(app: FastAPI) -> dict[str, Any]:
    """The gateway's own routes, as FastAPI describes them."""
    return get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )


def public_document(own: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`own`: the gateway's document (its own routes; the forwarded ones are replaced);
    `services`: each service's own document by name."""
    document = copy.deepcopy(own)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas |= _problem_schemas()
    _drop_forwarded_routes(document)
    named, forms = _own_operations(document)
    merged = _SchemaMerger(schemas)
    for service in SERVICES:
        routes = [route for route in ROUTES if route.service == service]
        taken = [_service_operation(services[service], route) for route in routes]
        taken = merged.add(service, services[service]["components"].get("schemas", {}), taken)
        for route, operation in zip(routes, taken, strict=True):
            public = _public_operation(route, operation)
            document["paths"].setdefault(PUBLIC_PREFIX + route.path, {})[route.method.lower()] = (
                public
            )
            named.append((service, public))
    _unique_operation_ids(named)
    document["paths"] = _renamed(document["paths"], forms)
    _drop_unreferenced_schemas(document)
    document["components"]["securitySchemes"] = {
        SECURITY_SCHEME: {
            "type": "oauth2",
            "flows": {"password": {"tokenUrl": f"{PUBLIC_PREFIX}/auth/token", "scopes": {}}},
        }
    }
    return document


def _own_operations(document: dict[str, Any]) -> tuple[list[tuple[str, Any]], dict[str, str]]:
    """The gateway's own operations, named by their functions, and the new names of FastAPI's
    form bodies (`TokenForm`, not `Body_token_api_v1_auth_token_post`), to put in their refs."""
    schemas = document["components"]["schemas"]
    named, forms = [], {}
    for path, method, operation in _operations(document):
        operation.setdefault("x-access", _access_of_own(operation))
        fastapi_id = operation["operationId"]
        operation["operationId"] = _function_name(fastapi_id, path, method)
        named.append(("gateway", operation))
        if f"Body_{fastapi_id}" in schemas:
            form = "".join(w.capitalize() for w in operation["operationId"].split("_")) + "Form"
            forms[f"Body_{fastapi_id}"] = form
            schemas[form] = schemas.pop(f"Body_{fastapi_id}") | {"title": form}
    return named, forms


def _drop_forwarded_routes(document: dict[str, Any]) -> None:
    """The gateway's own description of a forwarded route knows nothing of its body or answers."""
    for route in ROUTES:
        item = document["paths"].get(PUBLIC_PREFIX + route.path, {})
        item.pop(route.method.lower(), None)
        if not item:
            document["paths"].pop(PUBLIC_PREFIX + route.path, None)


def _service_operation(document: dict[str, Any], route: Route) -> dict[str, Any]:
    try:
        return document["paths"][route.upstream_path][route.method.lower()]
    except KeyError:
        raise LookupError(
            f"the {route.service} document has no {route.method} {route.upstream_path} "
            f"(for {route.method} {PUBLIC_PREFIX}{route.path}); run `{BUILD_COMMAND}`"
        ) from None


def _public_operation(route: Route, operation: dict[str, Any]) -> dict[str, Any]:
    public = {
        key: value
        for key, value in operation.items()
        if key in ("description", "parameters", "requestBody", "deprecated")
    }
    # A service's 401 is about the internal token, which the gateway always sends: the public's
    # 401 is the door's, on the routes that need an account.
    responses = {k: v for k, v in operation.get("responses", {}).items() if k != "401"}
    door = _door_responses(route.access) | (_BODY_RESPONSES if "requestBody" in operation else {})
    for status, response in door.items():
        responses.setdefault(status, response)
    return public | {
        "operationId": _function_name(
            operation.get("operationId", ""), route.upstream_path, route.method.lower()
        )
        or route.method.lower() + re.sub(r"\W+", "_", route.path),
        "summary": route.summary,
        "tags": [route.tag],
        "x-access": str(route.access),
        "security": _security(route.access),
        "responses": dict(sorted(responses.items())),
    }


def _door_responses(access: Access) -> dict[str, Any]:
    return dict(_DOOR_RESPONSES) | _refusals(access)


def _refusals(access: Access) -> dict[str, dict[str, Any]]:
    responses: dict[str, dict[str, Any]] = {}
    if access is not Access.ANYONE:
        responses |= _SIGNED_IN_RESPONSES
    if access not in (Access.ANYONE, Access.SIGNED_IN):
        responses |= _ROLE_RESPONSES
    return responses


def _security(access: Access) -> list[dict]:
    if access is Access.ANYONE:
        return [{}, {SECURITY_SCHEME: []}]  # a token is optional; with one, the owner sees more
    return [{SECURITY_SCHEME: []}]


def _access_of_own(operation: dict[str, Any]) -> str:
    """A route of the gateway's own without an access rule of the table's: signed in when it asks
    for a token, else open to anyone (sign-up, sign-in, the emailed links)."""
    required = operation.get("security") and {} not in operation["security"]
    return str(Access.SIGNED_IN if required else Access.ANYONE)


def _function_name(operation_id: str, path: str, method: str) -> str:
    """FastAPI names an operation `<function><path with _>_<method>`: the function's name is the
    one a client reads (`register_enterprise`, not `register_enterprise_enterprises_post`)."""
    suffix = re.sub(r"\W", "_", path) + f"_{method}"
    if operation_id.endswith(suffix) and len(operation_id) > len(suffix):
        return operation_id.removesuffix(suffix)
    return operation_id  # named by the application itself


def _unique_operation_ids(named: list[tuple[str, dict[str, Any]]]) -> None:
    """`named`: (the service's name or "gateway", operation). A name two operations share gets its
    owner's name in front, so each client function is one operation."""
    counts = Counter(operation["operationId"] for _, operation in named)
    for owner, operation in named:
        if counts[operation["operationId"]] > 1:
            operation["operationId"] = f"{owner}_{operation['operationId']}"


def _problem_schemas() -> dict[str, Any]:
    _, top = models_json_schema(
        [(ProblemDetails, "serialization")], ref_template=_SCHEMAS + "{model}"
    )
    return top["$defs"]


def _operations(document: dict[str, Any]):
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in _METHODS:
                yield path, method, operation


class _SchemaMerger:
    """Merges the services' component schemas into the public document's: a schema another
    document already holds under the same name is shared when it is the same, and renamed
    `<Service><Name>` when it differs, so no client type means two things."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas

    def add(self, service: str, theirs: dict[str, Any], operations: list[Any]) -> list[Any]:
        needed = _referenced(operations, theirs)
        names = {name: name for name in needed}
        while True:
            renamed = {name: _renamed(theirs[name], names) for name in needed}
            clashing = [
                name
                for name in needed
                if names[name] == name and self.schemas.get(name, renamed[name]) != renamed[name]
            ]
            if not clashing:
                break
            names |= {name: service.capitalize() + name for name in clashing}
        for name in needed:
            if names[name] != name and renamed[name].get("title") == name:
                renamed[name]["title"] = names[name]  # clients name their types by the title
            self.schemas[names[name]] = renamed[name]
        return [_renamed(operation, names) for operation in operations]


def _referenced(node: Any, schemas: dict[str, Any]) -> list[str]:
    """The schemas the node refers to, and those they refer to, in a stable order."""
    found: list[str] = []
    pending = list(_refs(node))
    while pending:
        name = pending.pop(0)
        if name not in found:
            found.append(name)
            pending += _refs(schemas[name])
    return sorted(found)


def _refs(node: Any) -> list[str]:
    if isinstance(node, list):
        return [name for item in node for name in _refs(item)]
    if not isinstance(node, dict):
        return []
    own = [node["$ref"].removeprefix(_SCHEMAS)] if isinstance(node.get("$ref"), str) else []
    return own + [name for value in node.values() for name in _refs(value)]


def _renamed(node: Any, names: dict[str, str]) -> Any:
    if isinstance(node, list):
        return [_renamed(item, names) for item in node]
    if not isinstance(node, dict):
        return node
    renamed = {key: _renamed(value, names) for key, value in node.items()}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_SCHEMAS):
        renamed["$ref"] = _SCHEMAS + names.get(ref.removeprefix(_SCHEMAS), ref[len(_SCHEMAS) :])
    return renamed


def _drop_unreferenced_schemas(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    used = set(_referenced(document["paths"], schemas))
    for name in list(schemas):
        if name not in used:
            del schemas[name]


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} is missing; run `{BUILD_COMMAND}`") from None
