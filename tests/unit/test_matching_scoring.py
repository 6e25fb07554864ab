"""The matcher's score and its explanation, on the listings of the design's story."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matching.domain.geography import haversine_km
from matching.domain.index import MatchIndex
from matching.domain.scoring import Policy, Scorer, Weights, format_code
from matching.domain.text import stems
from tests.matching_listings import housing_need, lift_maker


@pytest.mark.parametrize(
    ("belarusian", "russian"),
    [
        ("ліфтаў", "лифтов"),
        ("ліфтаў", "лифты"),
        ("станцыі", "станции"),  # -цыі, -цыя are -ции, -ция
        ("селекцыя", "селекция"),
        ("вакуумныя", "вакуумные"),  # an adjective's plural -ыя is -ые
        ("пасажырскія", "пасажырскі"),
        ("аўтобусаў", "автобусов"),  # "ў" before a consonant is "в"
    ],
)
def test_belarusian_and_russian_word_forms_share_a_stem(belarusian: str, russian: str):
    assert stems(belarusian) == stems(russian)


def test_buses_are_a_bus_to_the_english_stemmer():
    assert stems("electric buses") == stems("electric bus")
    assert stems("trolleybuses") == stems("trolleybus")


@pytest.mark.parametrize(
    ("concept", "texts"),
    [
        ("lift", ("пассажирские лифты", "пасажырскія ліфты", "passenger elevators")),
        ("charging", ("зарядные станции", "зарадныя станцыі", "charging stations")),
        ("electric_bus", ("электробусы", "электробусаў", "electric buses")),
        ("flax_fibre", ("льняное волокно", "волокно льняное", "flax fibre")),  # either word order
        ("flax_oil", ("масло льняное", "ільняны алей", "linseed oil")),
        ("water_treatment", ("очистка воды", "очистка питьевой воды", "water treatment")),
    ],
)
def test_the_lexicon_finds_one_product_in_three_languages(lexicon, concept, texts):
    for text in texts:
        assert f"#product:{concept}" in lexicon.concepts(stems(text)), text


def test_a_mogilev_lift_maker_is_a_strong_match_for_a_smolensk_housing_need(index):
    index.put(lift_maker())

    [candidate] = index.match(housing_need(), threshold=0.5, limit=5)

    assert candidate.score.value > 0.75
    assert (
        candidate.score.reasons_ru[0]
        == "Оба в секторе «Лифты и подъёмно-транспортное оборудование»"
    )
    assert "коды ТН ВЭД совпадают до 8428.10" in candidate.score.reasons_ru
    assert "мощность 200 шт. покрывает потребность 120 шт." in candidate.score.reasons_ru
    assert any(
        r.startswith("Могилёв — Смоленск 1") and r.endswith("км (Беларусь — Россия)")
        for r in candidate.score.reasons_ru
    )
    assert any(r.startswith("Mogilev — Smolensk") for r in candidate.score.reasons_en)


def test_the_score_is_the_weighted_sum_of_its_components(taxonomy, places, lexicon):
    scorer = Scorer(taxonomy, places)
    score = scorer.score(
        lexicon and MatchIndex(scorer, lexicon).profile(lift_maker()),
        MatchIndex(scorer, lexicon).profile(housing_need()),
    )

    weighted = sum(c.value * c.weight for c in score.components) / sum(
        c.weight for c in score.components
    )
    assert score.value == pytest.approx(weighted, abs=1e-3)
    assert [c.name for c in score.components] == [
        "sector",
        "codes",
        "text",
        "geography",
        "quantity",
        "certifications",
        "language",
    ]
    assert all(0.0 <= c.value <= 1.0 for c in score.components)


def test_weights_come_from_the_policy(taxonomy, places, lexicon):
    only_geography = Weights(
        sector=0, codes=0, text=0, geography=1, quantity=0, certifications=0, language=0
    )
    scorer = Scorer(taxonomy, places, Policy(weights=only_geography, cross_border_bonus=0.0))
    index = MatchIndex(scorer, lexicon)

    score = scorer.score(index.profile(lift_maker()), index.profile(housing_need()))

    km = haversine_km(places.locate("Могилёв", ""), places.locate("Смоленск", ""))
    assert score.value == pytest.approx(1 - km / 1200, abs=1e-3)


def test_the_cross_border_preference_raises_a_ru_by_pair(taxonomy, places, lexicon):
    without = Scorer(taxonomy, places, Policy(cross_border_bonus=0.0))
    with_bonus = Scorer(taxonomy, places, Policy(cross_border_bonus=0.3))
    index = MatchIndex(without, lexicon)
    offer, need = index.profile(lift_maker()), index.profile(housing_need())

    assert with_bonus.score(offer, need).value > without.score(offer, need).value


def test_a_longer_shared_code_prefix_scores_higher(index):
    need = housing_need(product_codes=("8428101000",))
    scores = {}
    for code in ("8428900000", "8428109000", "8428101000", "8501000000"):
        scores[code] = (
            index.scorer.score(
                index.profile(lift_maker(product_codes=(code,))), index.profile(need)
            )
            .components[1]
            .value
        )
    assert (
        scores["8501000000"]
        < scores["8428900000"]
        < scores["8428109000"]
        < scores["8428101000"]
        == 1.0
    )
    assert format_code("8428101000") == "8428.10.100.0"
    assert format_code("842810") == "8428.10"


def test_a_supplier_too_small_covers_only_part_of_the_need(index):
    score = index.scorer.score(
        index.profile(lift_maker(quantity=30)), index.profile(housing_need())
    )

    assert score.components[4].value == pytest.approx(0.25**2)
    assert "мощность 30 шт. покрывает лишь 25% потребности 120 шт." in score.reasons_ru


def test_missing_certificates_are_named(index):
    score = index.scorer.score(
        index.profile(lift_maker(certifications=())), index.profile(housing_need())
    )

    assert score.components[5].value == 0.0
    assert "нет требуемых сертификатов: ТР ТС 011/2011" in score.reasons_ru


def test_a_far_partner_scores_lower_than_a_near_one(index):
    near = index.scorer.score(index.profile(lift_maker()), index.profile(housing_need()))
    far = index.scorer.score(
        index.profile(lift_maker(city="Брест", region="brest_oblast")),
        index.profile(housing_need(city="Нижний Новгород", region="nizhny_novgorod_oblast")),
    )

    assert far.components[3].value < near.components[3].value


def test_the_same_word_in_another_sense_is_not_a_match(index):
    water_taps = lift_maker(
        title="Краны шаровые латунные для водопровода",
        description="Запорная арматура, краны и задвижки",
        sector="water_treatment",
        product_codes=("8481805900",),
        unit="шт",
        quantity=5000,
    )
    crane_need = housing_need(
        title="Кран мостовой однобалочный 5 т",
        description="Нужен мостовой кран для цеха",
        product_codes=("842611",),
        unit="шт",
        quantity=1,
    )
    index.put(water_taps)
    index.put(
        lift_maker(
            title="Краны мостовые и кран-балки",
            description="Производим мостовые краны",
            product_codes=("8426110000",),
        )
    )

    ranked = index.match(crane_need, threshold=0.0, limit=5)

    assert ranked[0].listing.sector == "elevators"
    assert all(c.score.value < ranked[0].score.value - 0.2 for c in ranked[1:])


def test_never_the_same_enterprise_or_the_same_legal_person_on_both_sides(index):
    need = housing_need()
    index.put(lift_maker(enterprise_id=need.enterprise_id))
    index.put(lift_maker(legal_id=need.legal_id))
    index.put(lift_maker())

    ranked = index.match(need, threshold=0.0, limit=5)

    assert len(ranked) == 1
    assert ranked[0].listing.enterprise_id != need.enterprise_id


def test_the_index_finds_what_a_full_scan_finds(index):
    offers = [lift_maker(city=city) for city in ("Могилёв", "Минск", "Витебск", "Гомель", "Брест")]
    offers += [
        lift_maker(
            title="Льноволокно длинное", description="", sector="flax", product_codes=("5301",)
        )
    ]
    index.put_all(offers)
    need = housing_need()

    by_index = [c.listing.id for c in index.match(need, threshold=0.3, limit=3)]
    by_scan = [c.listing.id for c in index.match_by_scan(need, threshold=0.3, limit=3)]

    assert by_index == by_scan and len(by_index) == 3


def test_a_closed_listing_leaves_the_index(index):
    offer = lift_maker()
    index.put(offer)
    index.put(replace(offer, status="closed", version=2))

    assert offer.id not in index
    assert index.match(housing_need(), threshold=0.0, limit=5) == []
