"""Hand-written product families for the evaluation set, kept as data in catalogue.json.

Each family is one product a buyer may need. Its need texts and offer texts were written by hand
(Russian mostly, some Belarusian and English) to say the same thing in different words, as real
listings do. `decoys` are offers from elsewhere that share a word with the family in another sense
("кран" a crane / "кран" a water tap). Which offer serves which need is decided by how the
generator builds it (same family, close enough, big enough), never by the matcher's score.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Family:
    id: str
    sector: str
    code: str  # the 10-digit TN VED line; empty for a service
    unit: str
    need_quantity: tuple[int, int]
    needs: tuple[tuple[str, str, str], ...]  # (language, title, description); {q} is the quantity
    offers: tuple[tuple[str, str, str], ...]
    # (sector, code, title, description[, family]): the family is given when the decoy is in fact a
    # genuine product of another family of this catalogue, so it is relevant to that family's needs.
    decoys: tuple[tuple[str, ...], ...] = field(default=())


def _tuples(value):
    """The JSON's lists as the tuples a frozen Family holds."""
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


FAMILIES: tuple[Family, ...] = tuple(
    Family(**{name: _tuples(value) for name, value in family.items()})
    for family in json.loads(Path(__file__).with_name("catalogue.json").read_text(encoding="utf-8"))
)
