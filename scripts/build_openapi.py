"""Writes the OpenAPI documents the gateway is built from: each service's own document, generated
from its application in this process (no server, no database), and the public document the
gateway serves, built from
them and the gateway's own routes (gateway/gateway/entrypoints/openapi.py).

    python scripts/build_openapi.py          # write gateway/gateway/openapi/*.json
    python scripts/build_openapi.py --check  # exit 1, naming the stale files, if any differs

This is tooling, not a service: it imports every application, which no service may do."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

from gateway.entrypoints import openapi

# Placeholders for the settings every application requires; no document depends on them.
_SECRET = "openapi-document-build-placeholder-secret"


def service_documents() -> dict[str, dict[str, Any]]:
    return {name: _service_document(name) for name in openapi.SERVICES}


def public_document(services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from gateway.bootstrap import create_app
    from gateway.config import Settings

    app = create_app(Settings(internal_token_secret=_SECRET, jwt_secret=_SECRET, demo_mode=True))
    return openapi.public_document(openapi.own_document(app), services)


def documents() -> dict[Path, dict[str, Any]]:
    """Every committed document by its path."""
    services = service_documents()
    built = {openapi.DOCUMENTS / f"{name}.json": doc for name, doc in services.items()}
    return built | {openapi.PUBLIC_DOCUMENT: public_document(services)}


def stale(built: dict[Path, dict[str, Any]]) -> list[Path]:
    return [
        path
        for path, document in built.items()
        if not path.exists() or path.read_text(encoding="utf-8") != openapi.as_text(document)
    ]


def _service_document(name: str) -> dict[str, Any]:
    bootstrap = importlib.import_module(f"{name}.bootstrap")
    config = importlib.import_module(f"{name}.config")
    return bootstrap.create_app(config.Settings(internal_token_secret=_SECRET)).openapi()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python scripts/build_openapi.py")
    parser.add_argument("--check", action="store_true", help="only say which files are stale")
    args = parser.parse_args()
    built = documents()
    outdated = stale(built)
    if args.check:
        for path in outdated:
            print(f"stale: {path}", file=sys.stderr)
        return 1 if outdated else 0
    for path in outdated:
        openapi.write_document(path, built[path])
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
