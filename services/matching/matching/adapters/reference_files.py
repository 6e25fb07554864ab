"""Reads the sector taxonomy and the cities from the repository's versioned data files."""

from __future__ import annotations

import json
from pathlib import Path

from matching.domain.geography import Gazetteer
from matching.domain.taxonomy import Sector, Taxonomy


def load_taxonomy(data_dir: Path) -> Taxonomy:
    """The sectors and the glossary of products (data/taxonomy/products.json)."""
    raw = json.loads((data_dir / "taxonomy" / "sectors.json").read_text(encoding="utf-8"))
    glossary = json.loads((data_dir / "taxonomy" / "products.json").read_text(encoding="utf-8"))
    sectors = {
        item["id"]: Sector(
            id=item["id"],
            names=item["name"],
            hs_prefixes=tuple(item.get("hs_prefixes", ())),
            keywords={
                language: tuple(words) for language, words in item.get("keywords", {}).items()
            },
        )
        for item in raw["sectors"]
    }
    product_concepts = {concept: tuple(words) for concept, words in glossary["concepts"].items()}
    return Taxonomy(version=raw["version"], sectors=sectors, product_concepts=product_concepts)


def load_gazetteer(data_dir: Path) -> Gazetteer:
    return Gazetteer.of(json.loads((data_dir / "cities.json").read_text(encoding="utf-8")))


def load_region_names(data_dir: Path) -> dict[str, dict[str, str]]:
    """Each region's names by language ({"ru", "en", "be"} as data/regions.json has them)."""
    regions = json.loads((data_dir / "regions.json").read_text(encoding="utf-8"))
    return {region["id"]: region["name"] for items in regions.values() for region in items}
