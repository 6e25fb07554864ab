"""The query parameters of the forwarded routes (filters, limit, cursor, sort), as the services
behind them declare them, for the gateway's OpenAPI document.

They are copied into `query_parameters.json` from the services' own documents rather than fetched
at start-up, so the gateway's document does not depend on every service answering. Refresh the
copy with `python -m gateway refresh-query-parameters` against running services;
tests/e2e/test_gateway_openapi.py fails when it no longer matches them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gateway.entrypoints.routes import ROUTES

STORED = Path(__file__).with_name("query_parameters.json")


def collect(documents: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """`documents`: each service's OpenAPI document by service name. The query parameters of every
    route of the table, keyed `"<METHOD> <public path>"`, with their schemas spelled out."""
    collected = {}
    for route in ROUTES:
        document = documents[route.service]
        operation = document["paths"].get(route.upstream_path, {}).get(route.method.lower(), {})
        parameters = [
            _inlined(p, document) for p in operation.get("parameters", []) if p.get("in") == "query"
        ]
        if parameters:
            collected[f"{route.method} {route.path}"] = parameters
    return collected


def load() -> dict[str, list[dict[str, Any]]]:
    return json.loads(STORED.read_text(encoding="utf-8"))


def store(parameters: dict[str, list[dict[str, Any]]]) -> None:
    STORED.write_text(
        json.dumps(parameters, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )


def _inlined(node: Any, document: dict[str, Any]) -> Any:
    """The node with each `$ref` into the service's components replaced by what it points to: the
    gateway's document has no components of the services."""
    if isinstance(node, list):
        return [_inlined(item, document) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _inlined(target, document)
    return {key: _inlined(value, document) for key, value in node.items()}
