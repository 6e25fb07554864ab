"""Builds the labelled evaluation set from the hand-written catalogue; seeded, so it is
reproducible.

    .venv/bin/python data/evaluation/build.py      # writes listings.jsonl and labels.json here

For every product family two buyers (needs) are made, each in a random city of Russia or Belarus.
Each need is given, by construction:
- five offers written to serve it: the same product, a supplier at most 550 km away, a capacity
  above the need;
- hard negatives: the same product from a supplier too small (5-30 % of the need), the same product
  from a supplier too far (850 km or more, where the map allows it), and the family's decoys (the
  same word in another sense, placed close and big enough).
The offers of the other families form the rest of the pool, so the sibling family of a sector is a
"right sector, wrong product" negative for free.

Relevance is a rule on the construction facts, never on a score: an offer serves a need when it
sells the need's product family, is at most 700 km away, and can deliver the whole quantity.
Grade 2 for the offers written for the need, 1 for other offers that meet the rule.
The first need of each family is the development split, the second the test split.
"""

from __future__ import annotations

import json
import math
import random
import sys
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from catalogue import FAMILIES, Family  # noqa: E402

SEED = 2026
NEAR_KM, RELEVANT_KM, FAR_KM = 550, 700, 850
NAMESPACE = uuid.UUID("6f1c2b9e-5d1a-4f3e-9a57-0c1d2e3f4a5b")


def haversine_km(a: dict, b: dict) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


class Builder:
    def __init__(self, cities: list[dict]) -> None:
        self.random = random.Random(SEED)
        self.cities = cities
        self.listings: list[dict] = []
        self.facts: dict[
            str, dict
        ] = {}  # listing id -> what it was built as (never shown to the matcher)
        self.counter = 0

    def new_id(self) -> str:
        self.counter += 1
        return str(uuid.uuid5(NAMESPACE, str(self.counter)))

    def city_within(self, origin: dict, low: float, high: float) -> dict | None:
        options = [c for c in self.cities if low <= haversine_km(origin, c) <= high]
        return self.random.choice(options) if options else None

    def codes(self, code: str, full: float) -> list[str]:
        if not code:
            return []
        roll = self.random.random()
        if roll < full:
            return [code]
        if roll < full + 0.3:
            return [code[:4]]
        return []

    def listing(
        self,
        *,
        side: str,
        sector: str,
        city: dict,
        text: tuple[str, str, str],
        codes: list[str],
        quantity: float,
        unit: str,
        **facts,
    ) -> dict:
        language, title, description = text
        languages = ["ru", "be"] if city["country"] == "BY" else ["ru"]
        if language == "en":
            languages.append("en")
        listing_id = self.new_id()
        record = {
            "listing_id": listing_id,
            "side": side,
            "enterprise_id": self.new_id(),
            "enterprise_name": f"Предприятие {self.counter}",
            "enterprise_country": city["country"],
            "enterprise_region": city["region_id"],
            "enterprise_city": city["name"],
            "enterprise_legal_id": str(self.counter),
            "enterprise_languages": languages,
            "kind": "services" if not codes and sector == "tourism" else "goods",
            "title": title,
            "description": description,
            "sector": sector,
            "product_codes": codes,
            "quantity": quantity,
            "unit": unit,
            "status": "active",
            "language": language,
        }
        self.listings.append(record)
        self.facts[listing_id] = {"side": side, "city": city, "quantity": quantity, **facts}
        return record

    def need(self, family: Family, text: tuple[str, str, str], split: str) -> dict:
        city = self.random.choice(self.cities)
        low, high = family.need_quantity
        quantity = self.random.randint(low, high)
        language, title, description = text
        return self.listing(
            side="need",
            sector=family.sector,
            city=city,
            text=(language, title.format(q=quantity), description),
            codes=self.codes(family.code, 0.4),
            quantity=quantity,
            unit=family.unit,
            family=family.id,
            split=split,
        )

    def offer(
        self,
        family: Family,
        near: dict,
        *,
        capacity: float,
        low: float,
        high: float,
        role: str,
        for_need: str,
    ) -> None:
        city = self.city_within(near, low, high)
        if city is None:
            return
        self.listing(
            side="offer",
            sector=family.sector,
            city=city,
            text=self.random.choice(family.offers),
            codes=self.codes(family.code, 0.4),
            quantity=round(capacity),
            unit=family.unit,
            family=family.id,
            role=role,
            for_need=for_need,
        )

    def decoy(
        self, family: Family, decoy: tuple[str, ...], near: dict, quantity: float, for_need: str
    ) -> None:
        sector, code, title, description = decoy[:4]
        true_family = decoy[4] if len(decoy) > 4 else f"decoy:{family.id}"
        city = self.city_within(near, 0, NEAR_KM)
        self.listing(
            side="offer",
            sector=sector,
            city=city,
            text=("ru", title, description),
            codes=self.codes(code, 0.5),
            quantity=round(quantity * 3),
            unit=family.unit,
            family=true_family,
            role="another_sense",
            for_need=for_need,
        )

    def offers_for(self, quantity: float) -> list[tuple]:
        """The offers built around a need of `quantity`, in the order they are drawn: (role, its
        capacity drawn when the offer is built, its distance band in km). Five written to serve
        it, then the hard negatives: too small, and too far."""
        serving = ("written_for", lambda: quantity * self.random.uniform(1.1, 4), 0, NEAR_KM)
        return [serving] * 5 + [
            ("too_small", lambda: max(1, quantity * self.random.uniform(0.05, 0.3)), 0, NEAR_KM),
            ("too_far", lambda: quantity * 3, FAR_KM, 10_000),
        ]

    def build(self) -> None:
        for family in FAMILIES:
            texts = list(family.needs)
            self.random.shuffle(texts)
            for split, text in zip(("dev", "test"), texts, strict=False):
                need = self.need(family, text, split)
                buyer, quantity = self.facts[need["listing_id"]]["city"], need["quantity"]
                for role, capacity, low, high in self.offers_for(quantity):
                    self.offer(
                        family,
                        buyer,
                        capacity=capacity(),
                        low=low,
                        high=high,
                        role=role,
                        for_need=need["listing_id"],
                    )
                for decoy in family.decoys:
                    self.decoy(family, decoy, buyer, quantity, need["listing_id"])

    def labels(self) -> dict:
        needs = {lid: f for lid, f in self.facts.items() if f["side"] == "need"}
        offers = {lid: f for lid, f in self.facts.items() if f["side"] == "offer"}
        result = {}
        for need_id, need in needs.items():
            graded = {}
            for offer_id, offer in offers.items():
                serves = (
                    offer["family"] == need["family"]
                    and haversine_km(offer["city"], need["city"]) <= RELEVANT_KM
                    and offer["quantity"] >= need["quantity"]
                )
                if serves:
                    graded[offer_id] = 2 if offer.get("for_need") == need_id else 1
            negatives = {
                offer_id: offer["role"]
                for offer_id, offer in offers.items()
                if offer.get("for_need") == need_id and offer["role"] != "written_for"
            }
            result[need_id] = {
                "split": need["split"],
                "family": need["family"],
                "relevant": graded,
                "hard_negatives": negatives,
            }
        return result


def main() -> None:
    data = HERE.parent
    cities = json.loads((data / "cities.json").read_text(encoding="utf-8"))
    builder = Builder(cities)
    builder.build()
    with (HERE / "listings.jsonl").open("w", encoding="utf-8") as out:
        for record in builder.listings:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    labels = builder.labels()
    (HERE / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    offers = sum(1 for r in builder.listings if r["side"] == "offer")
    print(
        f"{len(builder.listings)} listings ({offers} offers, {len(labels)} needs) in "
        f"{len({r['sector'] for r in builder.listings})} sectors"
    )


if __name__ == "__main__":
    main()
