"""A Belarusian company reads why it was matched in Belarusian: every reason the matcher gives in
Russian and English it also gives in Belarusian, one for one, in the modern official orthography;
and a reason stored in Russian before Belarusian was written is said again in Belarusian."""

from __future__ import annotations

from functools import partial

import pytest

from matching.domain import belarusian
from tests.matching_listings import housing_need, lift_maker, proposed_match

# The design's lift maker and housing operator, the housing operator reading Belarusian too.
mogilev_lift_maker = lift_maker
smolensk_housing_need = partial(housing_need, languages=("ru", "be"))


def test_a_mogilev_lift_maker_is_explained_to_a_belarusian_reader_in_belarusian(index):
    index.put(mogilev_lift_maker())

    [candidate] = index.match(smolensk_housing_need(), threshold=0.5, limit=5)
    reasons = candidate.score.reasons_be

    assert reasons[0] == "Абодва ў сектары «Ліфты і пад'ёмна-транспартнае абсталяванне»"
    assert "коды ТН ВЭД супадаюць да 8428.10" in reasons
    assert "магутнасць 200 шт. пакрывае патрэбу 120 шт." in reasons
    assert "у пастаўшчыка ёсць патрэбныя сертыфікаты: ТР ТС 011/2011" in reasons
    assert "агульная мова: руская" in reasons
    [distance] = [r for r in reasons if " км" in r]
    assert distance.startswith("Магілёў — Смаленск 1") and distance.endswith(
        " км (Беларусь — Расія)"
    )


def test_every_reason_has_its_belarusian_one_in_the_same_place(index):
    index.put(mogilev_lift_maker(quantity=30, certifications=()))

    [candidate] = index.match(smolensk_housing_need(), threshold=0.3, limit=5)
    score = candidate.score

    assert len(score.reasons_be) == len(score.reasons_ru) == len(score.reasons_en)
    assert "магутнасць 30 шт. пакрывае толькі 25% патрэбы 120 шт." in score.reasons_be
    assert "няма патрэбных сертыфікатаў: ТР ТС 011/2011" in score.reasons_be
    assert not set(score.reasons_be) & set(score.reasons_ru)


def test_the_countries_of_a_cross_border_distance_follow_the_cities(index):
    smolensk_offer = mogilev_lift_maker(country="RU", region="smolensk_oblast", city="Смоленск")
    minsk_need = smolensk_housing_need(country="BY", region="minsk_oblast", city="Минск")
    index.put(smolensk_offer)

    [candidate] = index.match(minsk_need, threshold=0.3, limit=5)

    [distance] = [r for r in candidate.score.reasons_be if " км" in r]
    assert distance.startswith("Смаленск — Мінск ") and distance.endswith(" (Расія — Беларусь)")


def test_a_city_the_platform_does_not_know_is_written_as_the_company_wrote_it():
    assert belarusian.city("Магілёў") == "Магілёў"
    assert belarusian.city("Марьина Горка") == "Мар'іна Горка"
    assert belarusian.city("Новая Деревня") == "Новая Деревня"


@pytest.mark.parametrize(
    ("russian", "offer_country", "need_country", "expected"),
    [
        (
            "Оба в секторе «Лифты и подъёмно-транспортное оборудование»",
            "BY",
            "RU",
            "Абодва ў сектары «Ліфты і пад'ёмна-транспартнае абсталяванне»",
        ),
        ("коды ТН ВЭД совпадают до 8428.10", "BY", "RU", "коды ТН ВЭД супадаюць да 8428.10"),
        (
            "Могилёв — Смоленск 148 км (Россия — Беларусь)",
            "BY",
            "RU",
            "Магілёў — Смаленск 148 км (Беларусь — Расія)",
        ),
        ("Минск — Гомель 280 км", "BY", "BY", "Мінск — Гомель 280 км"),
        (
            "мощность 200 шт. покрывает потребность 120 шт.",
            "BY",
            "RU",
            "магутнасць 200 шт. пакрывае патрэбу 120 шт.",
        ),
        (
            "мощность 30 гол. покрывает лишь 25% потребности 120 гол.",
            "BY",
            "RU",
            "магутнасць 30 гал. пакрывае толькі 25% патрэбы 120 гал.",
        ),
        (
            "в описаниях общие слова: лифт, пассажирск",
            "BY",
            "RU",
            "у апісаннях агульныя словы: лифт, пассажирск",
        ),
        (
            "описания говорят об одном товаре на разных языках",
            "BY",
            "RU",
            "апісанні называюць адзін тавар на розных мовах",
        ),
        (
            "у поставщика есть требуемые сертификаты: ISO 9001",
            "BY",
            "RU",
            "у пастаўшчыка ёсць патрэбныя сертыфікаты: ISO 9001",
        ),
        (
            "нет требуемых сертификатов: ISO 9001",
            "BY",
            "RU",
            "няма патрэбных сертыфікатаў: ISO 9001",
        ),
        ("общий язык: белорусский", "BY", "RU", "агульная мова: беларуская"),
        ("Причина, написанная рукой", "BY", "RU", "Причина, написанная рукой"),
    ],
)
def test_a_stored_russian_reason_is_said_again_in_belarusian(
    taxonomy, russian, offer_country, need_country, expected
):
    sectors = {sector.name("ru"): sector.name("be") for sector in taxonomy.sectors.values()}

    assert (
        belarusian.from_russian(
            russian, sector_names=sectors, offer_country=offer_country, need_country=need_country
        )
        == expected
    )


def test_the_belarusian_said_again_is_what_the_scorer_writes_itself(taxonomy, index):
    index.put(mogilev_lift_maker())
    [candidate] = index.match(smolensk_housing_need(), threshold=0.5, limit=5)
    sectors = {sector.name("ru"): sector.name("be") for sector in taxonomy.sectors.values()}

    said_again = [
        belarusian.from_russian(r, sector_names=sectors, offer_country="BY", need_country="RU")
        for r in candidate.score.reasons_ru
    ]

    assert said_again == candidate.score.reasons_be


def test_a_match_keeps_its_belarusian_reasons_through_a_rescore():
    match = proposed_match(reasons_ru=["Оба"], reasons_en=["Both"], reasons_be=["Абодва"])
    assert match.reasons_be == ["Абодва"]

    match.rescore(
        score=0.7,
        components=[],
        reasons_ru=["коды"],
        reasons_en=["codes"],
        reasons_be=["коды ТН ВЭД"],
    )

    assert match.reasons_be == ["коды ТН ВЭД"]
