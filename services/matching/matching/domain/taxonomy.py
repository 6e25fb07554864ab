"""The sector taxonomy as the matcher reads it, and the lexicon that turns words into concepts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from matching.domain.text import stems

SECTOR_CONCEPT = "#sector:"
PRODUCT_CONCEPT = "#product:"


@dataclass(frozen=True)
class Sector:
    id: str
    names: Mapping[str, str]
    hs_prefixes: tuple[str, ...] = ()
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.id


@dataclass(frozen=True)
class Taxonomy:
    """The sectors, and the glossary of products: the words, in any of the three languages, that
    name each product concept (so "ліфт", "лифт" and "elevator" meet as one)."""

    version: str
    sectors: Mapping[str, Sector]
    product_concepts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def sector_name(self, sector_id: str, language: str) -> str:
        sector = self.sectors.get(sector_id)
        return sector.name(language) if sector else sector_id


class Lexicon:
    """Recognises taxonomy keywords and glossary words (any of the three languages, any word form)
    in a list of stems and names the concepts they stand for."""

    MAX_PHRASE = 4

    def __init__(self, phrases: Mapping[tuple[str, ...], frozenset[str]]) -> None:
        self._phrases = phrases

    @classmethod
    def build(
        cls, taxonomy: Taxonomy, product_concepts: Mapping[str, Iterable[str]] | None = None
    ) -> Lexicon:
        """`product_concepts`: the taxonomy's own glossary unless given (an empty one leaves the
        products out)."""
        if product_concepts is None:
            product_concepts = taxonomy.product_concepts
        phrases: dict[tuple[str, ...], set[str]] = {}

        def add(text: str, concept: str) -> None:
            key = tuple(stems(text))
            if 0 < len(key) <= cls.MAX_PHRASE:
                phrases.setdefault(key, set()).add(concept)
            if len(key) == 2:  # "льняное волокно" is also written "волокно льняное"
                phrases.setdefault(key[::-1], set()).add(concept)

        for sector in taxonomy.sectors.values():
            for words in sector.keywords.values():
                for keyword in words:
                    add(keyword, SECTOR_CONCEPT + sector.id)
        for concept, words in product_concepts.items():
            for word in words:
                add(word, PRODUCT_CONCEPT + concept)
        return cls({key: frozenset(value) for key, value in phrases.items()})

    @classmethod
    def empty(cls) -> Lexicon:
        return cls({})

    def concepts(self, stemmed: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(len(stemmed)):
            for length in range(1, self.MAX_PHRASE + 1):
                key = tuple(stemmed[start : start + length])
                if len(key) < length:
                    break
                found |= self._phrases.get(key, frozenset())
            # A two-word phrase with one word between ("очистка питьевой воды").
            if start + 2 < len(stemmed):
                found |= self._phrases.get((stemmed[start], stemmed[start + 2]), frozenset())
        return found
