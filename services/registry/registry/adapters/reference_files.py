"""Reads the sector taxonomy and the regions from the repository's versioned data files."""

import json
from pathlib import Path

from registry.domain.reference import Reference, Sector
from registry.domain.units import UnitVocabulary


def load_reference(data_dir: Path) -> Reference:
    taxonomy = json.loads((data_dir / "taxonomy" / "sectors.json").read_text(encoding="utf-8"))
    regions = json.loads((data_dir / "regions.json").read_text(encoding="utf-8"))
    cities = json.loads((data_dir / "cities.json").read_text(encoding="utf-8"))
    sectors = {
        raw["id"]: Sector(
            id=raw["id"],
            names=raw["name"],
            okved2=raw.get("okved2", []),
            oked=raw.get("oked", []),
            nace=raw.get("nace", []),
            hs_prefixes=raw.get("hs_prefixes", []),
            hs_names=raw.get("hs_names", {}),
            keywords=raw.get("keywords", {}),
        )
        for raw in taxonomy["sectors"]
    }
    return Reference(
        taxonomy_version=taxonomy["version"],
        sectors=sectors,
        regions={
            country: frozenset(region["id"] for region in items)
            for country, items in regions.items()
        },
        region_names=tuple(
            (country, region["id"], region["name"])
            for country, items in regions.items()
            for region in items
        ),
        cities=tuple(
            (
                city["country"],
                city["region_id"],
                {"ru": city["name"], "en": city.get("name_en", city["name"])},
            )
            for city in cities
        ),
        units=load_units(data_dir),
    )


def load_units(data_dir: Path) -> UnitVocabulary:
    return UnitVocabulary.of(
        json.loads((data_dir / "units" / "units.json").read_text(encoding="utf-8"))
    )
