"""The units a quantity may carry (`data/units/units.json`), and reading what a company wrote
(«шт./год», «pcs per year», «т в месяц», «гол.») into the canonical code (pcs/year, t/month, head).

A canonical code is a base unit's code (pcs, set, head, t, kg, l, m3, m2, m, ...) or that code, a
slash and a period (day, week, month, year): `t/month`. A code is itself an accepted form, so a
listing written back as it was read parses to the same code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
_FOLD = str.maketrans({"ё": "е", "³": "3", "²": "2", "⋅": "·", "*": "·", "\u00a0": " "})


def normalised(text: str) -> str:
    """Lower case, ё as е, ³ and ² as digits, dots as spaces, one space between words."""
    folded = text.strip().lower().translate(_FOLD).replace(".", " ")
    folded = re.sub(r"\s*([/·])\s*", r"\1", folded)
    return _SPACES.sub(" ", folded).strip()


@dataclass(frozen=True)
class Unit:
    code: str
    names: Mapping[str, str]  # the short label by language: {"ru": "шт.", "be": "шт.", "en": "pcs"}
    words: Mapping[str, str]  # in plain words: {"ru": "штуки", "en": "pieces", ...}
    forms: tuple[str, ...]


class UnknownUnit(ValueError):
    def __init__(self, written: str, accepted: str) -> None:
        super().__init__(f"unknown unit {written!r}; accepted: {accepted}")
        self.written = written
        self.accepted = accepted


class UnitVocabulary:
    def __init__(
        self,
        units: Iterable[Unit],
        periods: Iterable[Unit],
        *,
        between: Iterable[str] = ("/",),
        alone: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.units = tuple(units)
        self.periods = tuple(periods)
        self._bases = _by_form(self.units)
        self._periods = _by_form(self.periods)
        self._between = tuple(
            sorted({normalised(word) or "/" for word in between}, key=len, reverse=True)
        )
        self._alone = {
            normalised(form): code for code, forms in (alone or {}).items() for form in forms
        }
        self.codes = frozenset(u.code for u in self.units) | frozenset(
            f"{u.code}/{p.code}" for u in self.units for p in self.periods
        )

    @classmethod
    def of(cls, raw: Mapping) -> UnitVocabulary:
        def unit(item: Mapping) -> Unit:
            return Unit(
                item["code"],
                item["names"],
                item.get("words", item["names"]),
                tuple(item.get("forms", ())),
            )

        rate_words = raw.get("rate_words", {})
        return cls(
            (unit(item) for item in raw["units"]),
            (unit(item) for item in raw["periods"]),
            between=rate_words.get("between", ("/",)),
            alone=rate_words.get("alone"),
        )

    def parse(self, written: str) -> str:
        """The canonical code of a unit as a company wrote it; UnknownUnit (with the accepted forms)
        if none."""
        text = normalised(written)
        if text in self.codes:
            return text
        if (base := self._bases.get(text)) is not None:
            return base
        for form, period in self._alone.items():
            if (
                text.endswith(" " + form)
                and (base := self._bases.get(text[: -len(form) - 1].strip())) is not None
            ):
                return f"{base}/{period}"
        for word in self._between:
            glue = "/" if word == "/" else f" {word} "
            head, found, tail = text.rpartition(glue)
            if not found:
                continue
            base, period = self._bases.get(head.strip()), self._periods.get(tail.strip())
            if base is not None and period is not None:
                return f"{base}/{period}"
        raise UnknownUnit(written, self.accepted())

    def is_canonical(self, code: str | None) -> bool:
        return code in self.codes

    def accepted(self) -> str:
        """The accepted forms in plain words, for a person who wrote one the vocabulary cannot
        read."""
        bases = "; ".join(
            f"{u.names['ru']} / {u.names['en']} ({u.words['en']})" for u in self.units
        )
        periods = ", ".join(p.words["en"] for p in self.periods)
        return (
            f"{bases}; each also as a rate {periods}, written like «шт./год», «т в месяц», «pcs "
            "per year», "
            f"«m3/day» (or the code: {', '.join(u.code for u in self.units)}, with /day, /week, "
            "/month, /year)"
        )

    def label(self, code: str, language: str = "ru") -> str:
        """A canonical code as the people of a language write it: pcs/year -> «шт./год»."""
        base, _, period = code.partition("/")
        unit = next((u for u in self.units if u.code == base), None)
        if unit is None:
            return code
        shown = unit.names.get(language) or unit.names["en"]
        if not period:
            return shown
        found = next((p for p in self.periods if p.code == period), None)
        return f"{shown}/{(found.names.get(language) or found.names['en']) if found else period}"


def _by_form(units: Iterable[Unit]) -> dict[str, str]:
    found: dict[str, str] = {}
    for unit in units:
        for form in (unit.code, *unit.forms, *unit.names.values()):
            found.setdefault(normalised(form), unit.code)
    return found
