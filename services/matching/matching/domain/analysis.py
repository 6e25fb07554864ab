"""The terms of a listing as `Profile.of` finds them, computed faster for filing a million listings.

`Profile.of` folds, splits and stems the whole text, then looks every window of up to four stems
up in the lexicon. Both steps are local: folding and word splitting never cross whitespace, so the
stems of a text are the stems of its whitespace-separated chunks in order (memoised per chunk), and
a lexicon phrase can only start at a stem that begins some phrase (looked up by its first stem).
The result is the same frozenset of terms (tests/unit/test_matching_index.py checks it against
`Profile.of`).
"""

from __future__ import annotations

from collections.abc import Iterable

from matching.domain.listing import Listing
from matching.domain.taxonomy import Lexicon
from matching.domain.text import stems


class Analyser:
    CHUNK_CACHE = 400_000  # distinct chunks remembered before the memo starts afresh

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._chunks: dict[str, tuple[str, ...]] = {}
        phrases = getattr(lexicon, "_phrases", None)
        limit = getattr(lexicon, "MAX_PHRASE", 4)
        self._by_first: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] | None = None
        if isinstance(phrases, dict):
            by_first: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] = {}
            for phrase, concepts in phrases.items():
                if 0 < len(phrase) <= limit and concepts:
                    by_first.setdefault(phrase[0], []).append((phrase, frozenset(concepts)))
            self._by_first = by_first

    def stems(self, text: str) -> list[str]:
        chunks = self._chunks
        if len(chunks) > self.CHUNK_CACHE:
            chunks.clear()
        found: list[str] = []
        for chunk in text.split():
            stemmed = chunks.get(chunk)
            if stemmed is None:
                stemmed = chunks[chunk] = tuple(stems(chunk))
            found.extend(stemmed)
        return found

    def concepts(self, stemmed: list[str]) -> set[str]:
        if self._by_first is None:
            return self.lexicon.concepts(stemmed)
        found: set[str] = set()
        by_first = self._by_first
        for start, first in enumerate(stemmed):
            phrases = by_first.get(first)
            if phrases:
                for phrase, concepts in phrases:
                    if len(phrase) == 1 or tuple(stemmed[start : start + len(phrase)]) == phrase:
                        found |= concepts
        return found

    def terms(self, listing: Listing) -> frozenset[str]:
        stemmed = self.stems(f"{listing.title} {listing.description}")
        return frozenset({s for s in stemmed if not s.isdigit()} | self.concepts(stemmed))


def codes_of(product_codes: Iterable[str]) -> tuple[str, ...]:
    """A listing's product codes as `Profile.of` keeps them: without dots and spaces, sorted, once
    each."""
    return tuple(sorted({c.replace(".", "").replace(" ", "") for c in product_codes if c}))
