"""The listings of the design's story as the matcher holds them: a Mogilev lift maker and a
Smolensk housing company's need."""

from __future__ import annotations

import uuid
from dataclasses import replace

from matching.domain.listing import Listing


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
