"""The listings of the design's story as the matcher holds them (a Mogilev lift maker and a
Smolensk housing company's need), and a match proposed between two listings."""

from __future__ import annotations

import uuid

from matching.domain.listing import Listing
from matching.domain.match import Match

# The story's two listings side by side: (the lift maker's offer, the housing company's need); the
# enterprise's facts first, then the listing's.
LIFT_STORY = {
    "enterprise_name": ("ОАО «Могилёвлифтмаш»", "ООО «Смоленская управляющая компания»"),
    "country": ("BY", "RU"),
    "region": ("mogilev_oblast", "smolensk_oblast"),
    "city": ("Могилёв", "Смоленск"),
    "languages": (("ru", "be"), ("ru",)),
    "legal_id": ("700068926", "6731000007"),
    "side": ("offer", "need"),
    "title": (
        "Пассажирские лифты грузоподъёмностью 400–1000 кг",
        "Замена 120 пассажирских лифтов в многоквартирных домах",
    ),
    "description": (
        "Производим, поставляем и монтируем пассажирские лифты для жилых домов",
        "Требуются пассажирские лифты с монтажом",
    ),
    "sector": ("elevators", "elevators"),
    "product_codes": (("8428101000",), ("842810",)),
    "quantity": (200, 120),
    "unit": ("шт", "шт."),
    "certifications": (("ТР ТС 011/2011",), ("ТР ТС 011/2011",)),
}


def _story_listing(column: int, changes: dict) -> Listing:
    values = {field: sides[column] for field, sides in LIFT_STORY.items()}
    return Listing(**dict(id=uuid.uuid4(), enterprise_id=uuid.uuid4()) | values | changes)


def lift_maker(**changes) -> Listing:
    return _story_listing(0, changes)


def housing_need(**changes) -> Listing:
    return _story_listing(1, changes)


def proposed_match(offer: Listing | None = None, need: Listing | None = None, **changes) -> Match:
    """A match proposed between `offer` and `need` (listings of their own, without them), scored
    0.8 with no reasons unless `changes` say otherwise."""
    values = dict(
        offer_id=offer.id if offer else uuid.uuid4(),
        need_id=need.id if need else uuid.uuid4(),
        offer_enterprise_id=offer.enterprise_id if offer else uuid.uuid4(),
        need_enterprise_id=need.enterprise_id if need else uuid.uuid4(),
        score=0.8,
        components=[],
        reasons_ru=[],
        reasons_en=[],
    )
    return Match.propose(**values | changes)
