"""Where enterprises are, and how far apart."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from matching.domain.text import fold

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Place:
    name_ru: str
    name_en: str
    country: str
    region: str
    lat: float
    lon: float


def haversine_km(a: Place, b: Place) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


class Gazetteer:
    """Finds a city by its Russian or English name; a region's first city stands in for an unknown
    one."""

    def __init__(self, places: Iterable[Place]) -> None:
        self._by_name: dict[str, Place] = {}
        self._found: dict[tuple[str, str], Place | None] = {}
        self._by_region: dict[str, Place] = {}
        for place in places:
            self._by_name.setdefault(fold(place.name_ru), place)
            self._by_name.setdefault(fold(place.name_en), place)
            self._by_region.setdefault(place.region, place)

    def locate(self, city: str, region: str) -> Place | None:
        key = (city, region)
        if key not in self._found:
            self._found[key] = self._by_name.get(fold(city.strip())) or self._by_region.get(region)
        return self._found[key]

    @classmethod
    def of(cls, rows: Iterable[Mapping]) -> Gazetteer:
        return cls(
            Place(
                r["name"],
                r.get("name_en", r["name"]),
                r["country"],
                r["region_id"],
                float(r["lat"]),
                float(r["lon"]),
            )
            for r in rows
        )
