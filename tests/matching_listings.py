"""The listings of the design's story as the matcher holds them (a Mogilev lift maker and a
Smolensk housing company's need), and a match proposed between two listings."""

from __future__ import annotations

import uuid
from dataclasses import replace

from matching.domain.listing import Listing
from matching.domain.match import Match


def lift_maker(**changes) -> Listing:
    listing = Listing(
        id=uuid.uuid4(),
        side="offer",
        enterprise_id=uuid.uuid4(),
        enterprise_name="ОАО «Могилёвлифтмаш»",
        country="BY",
        region="mogilev_oblast",
        city="Могилёв",
        legal_id="700068926",
        title="Пассажирские лифты грузоподъёмностью 400–1000 кг",
        description="Производим, поставляем и монтируем пассажирские лифты для жилых домов",
        sector="elevators",
        languages=("ru", "be"),
        product_codes=("8428101000",),
        quantity=200,
        unit="шт",
        certifications=("ТР ТС 011/2011",),
    )
    return replace(listing, **changes)


def housing_need(**changes) -> Listing:
    listing = Listing(
        id=uuid.uuid4(),
        side="need",
        enterprise_id=uuid.uuid4(),
        enterprise_name="Смоленская управляющая компания",
        country="RU",
        region="smolensk_oblast",
        city="Смоленск",
        legal_id="6731000007",
        title="Замена 120 пассажирских лифтов в многоквартирных домах",
        description="Требуются пассажирские лифты с монтажом",
        sector="elevators",
        languages=("ru",),
        product_codes=("842810",),
        quantity=120,
        unit="шт.",
        certifications=("ТР ТС 011/2011",),
    )
    return replace(listing, **changes)


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
