"""Matches scored before matching wrote Belarusian get their Belarusian reasons from revision 0006:
each stored Russian reason said again in Belarusian, the cross-border countries in the match's own
order; a match written afterwards without them (a bulk load) reads as none."""

from __future__ import annotations

import json
import uuid

from alembic import command

from matching.__main__ import alembic_config
from tests.integration.scratch_sql import run_sql, value_of

REASONS_RU = [
    "Оба в секторе «Лифты и подъёмно-транспортное оборудование»",
    "коды ТН ВЭД совпадают до 8428.10",
    "Могилёв — Смоленск 148 км (Россия — Беларусь)",
    "мощность 200 шт. покрывает потребность 120 шт.",
    "общий язык: русский",
]


def _listing(listing_id: uuid.UUID, side: str, country: str, city: str) -> tuple[str, dict]:
    return (
        """INSERT INTO listings (id, side, enterprise_id, enterprise_name, country, region, city,
        languages,
               enterprise_certifications, kind, title, description, sector, product_codes, regions,
               certifications, status, version)
               VALUES (:id, :side, :enterprise, 'x', :country, 'r', :city, '{}', '{}', 'goods',
               't', '', 'elevators', '{}', '{}', '{}', 'active', 1)""",
        {
            "id": listing_id,
            "side": side,
            "enterprise": uuid.uuid4(),
            "country": country,
            "city": city,
        },
    )


def test_matches_scored_before_get_their_reasons_in_belarusian(scratch_database):
    config = alembic_config(scratch_database)
    command.upgrade(config, "0005")
    offer, need, match = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    run_sql(
        scratch_database,
        [
            _listing(offer, "offer", "BY", "Могилёв"),
            _listing(need, "need", "RU", "Смоленск"),
            (
                """INSERT INTO matches (id, offer_id, need_id, offer_enterprise_id,
                need_enterprise_id, sector, offer_country, need_country,
            offer_region, need_region, score, components, reasons_ru, reasons_en, status,
            created_at, updated_at)
            VALUES (:id, :offer, :need, :oe, :ne, 'elevators', 'BY', 'RU', 'mogilev_oblast',
            'smolensk_oblast', 0.87, '[]',
            CAST(:ru AS jsonb), '[]', 'approved', now(), now())""",
                {
                    "id": match,
                    "offer": offer,
                    "need": need,
                    "oe": uuid.uuid4(),
                    "ne": uuid.uuid4(),
                    "ru": json.dumps(REASONS_RU),
                },
            ),
        ],
    )

    command.upgrade(config, "head")

    reasons_be = value_of(scratch_database, "matches", "reasons_be", match)
    assert reasons_be == [
        "Абодва ў сектары «Ліфты і пад'ёмна-транспартнае абсталяванне»",
        "коды ТН ВЭД супадаюць да 8428.10",
        "Магілёў — Смаленск 148 км (Беларусь — Расія)",
        "магутнасць 200 шт. пакрывае патрэбу 120 шт.",
        "агульная мова: руская",
    ]
    command.downgrade(config, "0005")
    command.upgrade(config, "head")  # and back again, from Russian alone
    again = value_of(scratch_database, "matches", "reasons_be", match)
    assert again == reasons_be
