"""The reference data the rules check against: the sector taxonomy and the regions of both
countries."""

from dataclasses import dataclass, field

from registry.domain.units import UnitVocabulary


@dataclass(frozen=True)
class Sector:
    id: str
    names: dict[str, str]
    okved2: list[str] = field(default_factory=list)
    oked: list[str] = field(default_factory=list)
    nace: list[str] = field(default_factory=list)
    hs_prefixes: list[str] = field(default_factory=list)
    # The name of each product-code prefix by language: {"842810": {"ru": ..., "be": ..., "en":
    # ...}}.
    hs_names: dict[str, dict[str, str]] = field(default_factory=dict)
    keywords: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Reference:
    taxonomy_version: str
    sectors: dict[str, Sector]
    regions: dict[str, frozenset[str]]  # country -> region ids
    # Every region with its names by language, in the data file's order, for pickers and labels.
    region_names: tuple[tuple[str, str, dict[str, str]], ...] = ()  # (country, region id, names)
    # The cities the platform knows, for pickers: (country, region id, names by language).
    cities: tuple[tuple[str, str, dict[str, str]], ...] = ()
    # The units a quantity may carry (data/units/units.json); None accepts any short text (the old
    # rule).
    units: UnitVocabulary | None = None

    def knows_sector(self, sector_id: str) -> bool:
        return sector_id in self.sectors

    def region_in_country(self, region_id: str, country: str) -> bool:
        return region_id in self.regions.get(country, frozenset())

    def knows_region(self, region_id: str) -> bool:
        """A region of either country: a listing may deliver to, or look for partners in, both."""
        return any(region_id in regions for regions in self.regions.values())
