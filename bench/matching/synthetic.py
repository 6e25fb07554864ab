"""A seeded generator of realistic synthetic listings for the benchmark.

Products are built from the taxonomy's own keywords (in all three languages), each with a
qualifier and a model series drawn from a few thousand made-up series names, so terms follow a
long-tailed distribution like real catalogues; codes extend each sector's HS prefixes to 10
digits; enterprises sit in the real cities of Russia and Belarus.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

from matching.domain.listing import Listing

QUALIFIERS = {
    "ru": [
        "промышленный",
        "малогабаритный",
        "усиленный",
        "энергоэффективный",
        "модернизированный",
        "импортозамещающий",
        "серийный",
        "универсальный",
        "тяжёлый",
        "лёгкий",
        "для жилых домов",
        "для предприятий",
        "под заказ",
        "с монтажом",
        "с гарантией",
        "с сервисом",
        "для сельского хозяйства",
        "для водоканалов",
        "из нержавеющей стали",
    ],
    "be": [
        "прамысловы",
        "энергаэфектыўны",
        "мадэрнізаваны",
        "універсальны",
        "з мантажом",
        "з гарантыяй",
        "для прадпрыемстваў",
    ],
    "en": [
        "industrial",
        "compact",
        "heavy-duty",
        "energy-efficient",
        "modernised",
        "universal",
        "with installation",
        "with warranty",
        "stainless steel",
    ],
}
# Canonical codes of the units vocabulary (data/units/units.json), as the registry now stores them:
# some compare after conversion (t and kg, pcs and pcs/year over a year), others never (t and pcs).
UNITS = ["pcs", "pcs/year", "t", "kg", "t/month", "km", "m2", "head"]


class Generator:
    def __init__(self, taxonomy, cities: list[dict], *, seed: int = 7, series: int = 5000) -> None:
        self.random = random.Random(seed)
        self.sectors = list(taxonomy.sectors.values())
        self.cities = cities
        self.series = [self._series_name(i) for i in range(series)]
        self.regions = sorted({city["region_id"] for city in cities})

    def _series_name(self, number: int) -> str:
        syllables = [
            "ра",
            "ко",
            "ми",
            "зу",
            "те",
            "ла",
            "во",
            "ни",
            "ка",
            "сто",
            "гра",
            "мо",
            "be",
            "ta",
            "ro",
            "x",
        ]
        return "".join(self.random.choice(syllables) for _ in range(3)) + str(number % 97)

    def listing(self, side: str | None = None) -> Listing:
        r = self.random
        sector = r.choice(self.sectors)
        language = r.choices(["ru", "be", "en"], weights=[7, 2, 1])[0]
        keywords = sector.keywords.get(language) or sector.keywords["ru"]
        product = r.choice(keywords)
        series = r.choice(self.series)
        qualifier = r.choice(QUALIFIERS[language])
        extra = r.choice(keywords)
        city = r.choice(self.cities)
        side = side or r.choice(["offer", "need"])
        # A fifth of the offers deliver to a few regions beyond their own, a tenth of the needs look
        # in some.
        regions = (
            tuple(r.sample(self.regions, r.randint(1, 3)))
            if r.random() < (0.2 if side == "offer" else 0.1)
            else ()
        )
        prefix = r.choice(sector.hs_prefixes)
        code = (prefix + "".join(str(r.randint(0, 9)) for _ in range(10)))[:10]
        return Listing(
            id=uuid.UUID(int=r.getrandbits(128)),
            side=side,
            enterprise_id=uuid.UUID(int=r.getrandbits(128)),
            enterprise_name="Синтетическое предприятие",
            country=city["country"],
            region=city["region_id"],
            city=city["name"],
            legal_id=str(r.getrandbits(40)),
            languages=("ru", "be") if city["country"] == "BY" else ("ru",),
            title=f"{product} {qualifier} {series}",
            description=f"{extra}, {r.choice(keywords)}; серия {series}",
            sector=sector.id,
            product_codes=(code,) if r.random() < 0.7 else (),
            quantity=float(r.randint(1, 1000)),
            unit=r.choice(UNITS),
            regions=regions,
        )

    def listings(self, count: int) -> Iterator[Listing]:
        for _ in range(count):
            yield self.listing()


def load_cities(data_dir: Path) -> list[dict]:
    return json.loads((data_dir / "cities.json").read_text(encoding="utf-8"))
