"""The platform's reference lists (sectors, regions) as the console shows them: read from the
public API and kept for a few minutes, since they change with a new taxonomy version, not per
request."""

from __future__ import annotations

import time

from fastapi import Request

from web.adapters.gateway_client import ApiProblem
from web.entrypoints.i18n import current_language
from web.entrypoints.rendering import api

_KEEP_SECONDS = 300.0


async def _cached(request: Request, path: str) -> dict:
    cache = request.app.state.__dict__.setdefault("reference_cache", {})
    kept = cache.get(path)
    if kept and time.monotonic() - kept[0] < _KEEP_SECONDS:
        return kept[1]
    try:
        value = await api(request, "GET", path)
    except ApiProblem:
        if kept:
            return kept[1]
        value = {"items": []}
    cache[path] = (time.monotonic(), value)
    return value


def _name(names: dict, fallback: str) -> str:
    language = current_language()
    return names.get(language) or names.get("ru") or names.get("en") or fallback


async def sector_names(request: Request) -> dict[str, str]:
    sectors = await _cached(request, "/sectors")
    return {
        s["id"]: _name(s.get("names") or s.get("name") or {}, s["id"])
        for s in sectors.get("items", [])
    }


async def region_names(request: Request) -> dict[str, str]:
    regions = await _cached(request, "/regions")
    return {r["id"]: _name(r.get("name") or {}, r["id"]) for r in regions.get("items", [])}


async def region_names_in(request: Request, country: str | None) -> dict[str, str]:
    """The regions of one country (all of them without a country), by name."""
    regions = await _cached(request, "/regions")
    return {
        r["id"]: _name(r.get("name") or {}, r["id"])
        for r in regions.get("items", [])
        if country in (None, r.get("country"))
    }


async def city_names_in(request: Request, country: str | None) -> list[str]:
    """The cities the platform knows in one country, named in the page's language, for a picker."""
    cities = await _cached(request, "/cities")
    return sorted(
        _name(c.get("name") or {}, "")
        for c in cities.get("items", [])
        if country in (None, c.get("country"))
    )
