"""The reference documents (sectors, regions, cities): encoded once at start-up, served as the same
bytes under a strong ETag, and answered 304 when the client already holds them."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

from fastapi import Response

from registry.domain.reference import Reference
from registry.entrypoints.schemas import (
    CitiesOut,
    CityOut,
    RegionOut,
    RegionsOut,
    SectorOut,
    SectorsOut,
)

# The taxonomy changes with a release, not within an hour; a client or proxy may keep it that long
# and then ask again with If-None-Match, which costs the registry no encoding.
CACHE_CONTROL = "public, max-age=3600"

_CACHING_HEADERS = {
    "ETag": {
        "description": "the document's strong tag, to send back as If-None-Match",
        "schema": {"type": "string"},
    },
    "Cache-Control": {"description": CACHE_CONTROL, "schema": {"type": "string"}},
}
# The If-None-Match header, documented: the routes read it raw, as any value is acceptable.
CONDITIONAL = {
    "parameters": [
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "the ETag of the copy held: 304, with no body, while it is current",
        }
    ]
}
REFERENCE_RESPONSES: dict[int | str, dict] = {
    200: {"description": "The document", "headers": _CACHING_HEADERS},
    304: {
        "description": "Not modified: the copy whose ETag was sent as If-None-Match is current",
        "headers": _CACHING_HEADERS,
    },
}


@dataclass(frozen=True)
class ReferenceDocument:
    body: bytes
    etag: str

    @classmethod
    def encoded(cls, body: bytes) -> ReferenceDocument:
        return cls(body=body, etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"')

    def held_by_client(self, if_none_match: str | None) -> bool:
        """RFC 9110 13.1.2: `*` or any listed tag matches, compared weakly (W/ ignored)."""
        if if_none_match is None:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or self.etag in tags

    def answer(self, if_none_match: str | None) -> Response:
        headers = {"ETag": self.etag, "Cache-Control": CACHE_CONTROL}
        if self.held_by_client(if_none_match):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type="application/json", headers=headers)


@dataclass(frozen=True)
class ReferenceDocuments:
    sectors: ReferenceDocument
    regions: ReferenceDocument
    cities_by_country: dict[str | None, ReferenceDocument]  # None: both countries

    @classmethod
    def of(cls, reference: Reference) -> ReferenceDocuments:
        sectors = SectorsOut(
            version=reference.taxonomy_version,
            items=[SectorOut(**asdict(sector)) for sector in reference.sectors.values()],
        )
        regions = RegionsOut(
            items=[
                RegionOut(id=region_id, country=country, name=names)
                for country, region_id, names in reference.region_names
            ]
        )
        return cls(
            sectors=ReferenceDocument.encoded(sectors.model_dump_json().encode()),
            regions=ReferenceDocument.encoded(regions.model_dump_json().encode()),
            cities_by_country={
                country: ReferenceDocument.encoded(_cities(reference, country))
                for country in (None, "RU", "BY")
            },
        )


def _cities(reference: Reference, country: str | None) -> bytes:
    cities = CitiesOut(
        items=[
            CityOut(country=code, region=region_id, name=names)
            for code, region_id, names in reference.cities
            if country in (None, code)
        ]
    )
    return cities.model_dump_json().encode()
