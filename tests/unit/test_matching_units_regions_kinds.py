"""Capacity and volume compared across units (pint, with the project's pieces, sets and head), a
supplier that delivers to the buyer's region counted as near, and kinds that must go together,
each said in Russian, English and Belarusian."""

from __future__ import annotations

import uuid

import pytest

from devstack.stack import ROOT
from matching.adapters.reference_files import load_gazetteer, load_region_names, load_taxonomy
from matching.adapters.units import load_quantities
from matching.domain.index import MatchIndex
from matching.domain.kinds import compatible
from matching.domain.scoring import Scorer
from matching.domain.taxonomy import Lexicon
from tests.matching_listings import housing_need, lift_maker

QUANTITY, GEOGRAPHY = 4, 3


@pytest.fixture(scope="module")
def quantities():
    return load_quantities(ROOT / "data")


@pytest.fixture(scope="module")
def index(quantities):
    taxonomy = load_taxonomy(ROOT / "data")
    scorer = Scorer(
        taxonomy,
        load_gazetteer(ROOT / "data"),
        quantities=quantities,
        region_names=load_region_names(ROOT / "data"),
    )
    return MatchIndex(scorer, Lexicon.build(taxonomy))


def score(index, offer, need):
    return index.scorer.score(index.profile(offer), index.profile(need))


# --- quantities ---------------------------------------------------------------------------------


# (the offer's capacity, the need) as (quantity, unit), the quantity component's value, and the
# reasons given in each language.
QUANTITIES_COMPARED = [
    pytest.param(
        (2, "t"),
        (1500, "kg"),
        1.0,
        {
            "ru": "мощность 2 т покрывает потребность 1500 кг (в пересчёте 1.5 т)",
            "en": "a capacity of 2 t covers the need for 1500 kg (converted: 1.5 t)",
            "be": "магутнасць 2 т пакрывае патрэбу 1500 кг (у пераліку 1.5 т)",
        },
        id="a capacity in tonnes covers a need in kilograms",
    ),
    pytest.param(
        (30, "t/year"),
        (5, "t/month"),
        pytest.approx(0.5**2),
        {"ru": "мощность 30 т/год покрывает лишь 50% потребности 5 т/мес. (в пересчёте 60 т/год)"},
        id="tonnes a month are compared with tonnes a year",
    ),
    pytest.param(
        (3, "m3"),
        (500, "l"),
        1.0,
        {"en": "a capacity of 3 m³ covers the need for 500 l (converted: 0.5 m³)"},
        id="litres and cubic metres compare",
    ),
    pytest.param(
        (2500, "pcs/year"),
        (1500, "pcs"),
        1.0,
        {
            "ru": "мощность 2500 шт./год покрывает потребность 1500 шт. (за один год: 2500 шт. "
            "против 1500 шт.)",
            "en": "a capacity of 2500 pcs/year covers the need for 1500 pcs (over one year: "
            "2500 pcs against 1500 pcs)",
            "be": "магутнасць 2500 шт./год пакрывае патрэбу 1500 шт. (за адзін год: 2500 шт. "
            "супраць 1500 шт.)",
        },
        id="a yearly capacity against a plain amount is compared over one year",
    ),
    pytest.param(
        (1500, "pcs"),
        (200, "pcs/month"),
        pytest.approx((1500 / 2400) ** 2, abs=1e-4),
        {
            "ru": "мощность 1500 шт. покрывает лишь 62% потребности 200 шт./мес. (за один год: "
            "1500 шт. против 2400 шт.)"
        },
        id="a stock against a monthly need covers a year only in part",
    ),
    pytest.param(
        (5, "t"),
        (10, "pcs"),
        0.5,
        {
            "ru": "объёмы нельзя сравнить: мощность в т, потребность в шт.",
            "en": "the quantities cannot be compared: a capacity in t, a need in pcs",
            "be": "аб'ёмы нельга параўнаць: магутнасць у т, патрэба ў шт.",
        },
        id="units that measure different things stay neutral and say so",
    ),
]


@pytest.mark.parametrize("capacity, need, value, reasons", QUANTITIES_COMPARED)
def test_quantities_in_different_units_are_compared_and_said_in_each_language(
    index, capacity, need, value, reasons
):
    (offered, offer_unit), (needed, need_unit) = capacity, need
    result = score(
        index,
        lift_maker(quantity=offered, unit=offer_unit),
        housing_need(quantity=needed, unit=need_unit),
    )

    assert result.components[QUANTITY].value == value
    for language, reason in reasons.items():
        assert reason in getattr(result, f"reasons_{language}")


def test_head_of_cattle_a_year_against_head(index):
    result = score(
        index, lift_maker(quantity=10, unit="head/year"), housing_need(quantity=12, unit="head")
    )

    assert result.components[QUANTITY].value == pytest.approx((10 / 12) ** 2, abs=1e-4)
    assert any("гал./год" in reason and "за адзін год" in reason for reason in result.reasons_be)


def test_units_of_before_the_vocabulary_compare_only_when_equal_as_they_did(index):
    same = score(index, lift_maker(quantity=200, unit="шт"), housing_need(quantity=120, unit="шт."))
    different = score(
        index, lift_maker(quantity=200, unit="бочек"), housing_need(quantity=120, unit="pcs")
    )

    assert (
        same.components[QUANTITY].value == 1.0
        and "мощность 200 шт. покрывает потребность 120 шт." in same.reasons_ru
    )
    assert different.components[QUANTITY].value == 0.5 and not any(
        "мощность" in r or "объёмы" in r for r in different.reasons_ru
    )


def test_one_pair_of_units_is_converted_once(quantities):
    first = quantities.compare(2, "t", 1500, "kg")
    again = quantities.compare(4, "t", 1000, "kg")

    assert (first.coverage, again.coverage) == (pytest.approx(2 / 1.5), pytest.approx(4.0))
    assert quantities.compare(1, "t", 1, "pcs") is None


# --- regions ------------------------------------------------------------------------------------


def far_supplier(**changes):
    """A lift maker in Brest, about 580 km from Smolensk."""
    return lift_maker(region="brest_oblast", city="Брест", **changes)


def test_a_far_supplier_that_delivers_to_the_buyers_region_is_near(index):
    without = score(index, far_supplier(), housing_need())
    delivering = score(index, far_supplier(regions=("smolensk_oblast",)), housing_need())

    assert without.components[GEOGRAPHY].value < 0.8
    assert delivering.components[GEOGRAPHY].value == 1.0
    assert delivering.value > without.value
    [ru] = [r for r in delivering.reasons_ru if r.startswith("поставщик доставляет")]
    assert ru.startswith(
        "поставщик доставляет в регион покупателя: Смоленская область; Брест — Смоленск "
    )
    assert ru.endswith(" км (Беларусь — Россия)")
    assert any(
        r.startswith(
            "the supplier delivers to the buyer's region: Smolensk Oblast; Brest — Smolensk "
        )
        and r.endswith(" km (Belarus — Russia)")
        for r in delivering.reasons_en
    )
    assert any(
        r.startswith("пастаўшчык дастаўляе ў рэгіён пакупніка: ") and "; Брэст — Смаленск " in r
        for r in delivering.reasons_be
    )


def test_a_supplier_in_a_region_the_buyer_looks_in_is_near(index):
    result = score(index, far_supplier(), housing_need(regions=("brest_oblast",)))

    assert result.components[GEOGRAPHY].value == 1.0
    assert any(
        r.startswith("the buyer looks for suppliers in the supplier's region: Brest Region")
        for r in result.reasons_en
    )
    assert any(
        r.startswith("пакупнік шукае пастаўшчыкоў у рэгіёне пастаўшчыка: Брэсцкая вобласць")
        for r in result.reasons_be
    )


def test_delivering_elsewhere_changes_nothing(index):
    assert (
        score(index, far_supplier(regions=("moscow",)), housing_need()).components[GEOGRAPHY].value
        == score(index, far_supplier(), housing_need()).components[GEOGRAPHY].value
    )


# --- kinds --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offer_kind", "need_kind", "pairs"),
    [
        ("goods", "goods", True),
        ("services", "services", True),
        ("goods", "services", False),
        ("services", "goods", False),
        ("investment", "investment", True),
        ("investment", "joint_venture", True),
        ("joint_venture", "investment", True),
        ("technology", "technology", True),
        ("technology", "joint_venture", True),
        ("joint_venture", "technology", True),
        ("joint_venture", "joint_venture", True),
        ("technology", "investment", False),
        ("goods", "technology", False),
        ("investment", "goods", False),
    ],
)
def test_only_compatible_kinds_pair(offer_kind, need_kind, pairs):
    offer, need = lift_maker(kind=offer_kind), housing_need(kind=need_kind)
    assert compatible(offer_kind, need_kind) is pairs
    assert offer.may_pair_with(need) is pairs and need.may_pair_with(offer) is pairs


def test_a_goods_offer_is_never_proposed_for_a_services_need(index):
    index.put(lift_maker(id=uuid.uuid4()))
    assert index.match(housing_need(kind="services"), threshold=0.0, limit=5) == []
    assert len(index.match(housing_need(), threshold=0.0, limit=5)) >= 1


def test_a_technology_for_a_joint_venture_says_the_kinds_are_compatible(index):
    result = score(index, lift_maker(kind="technology"), housing_need(kind="joint_venture"))

    assert "совместимые виды: технологии — совместное предприятие" in result.reasons_ru
    assert "compatible kinds: technology — joint venture" in result.reasons_en
    assert "сумяшчальныя віды: тэхналогіі — сумеснае прадпрыемства" in result.reasons_be
    assert not any("виды" in r for r in score(index, lift_maker(), housing_need()).reasons_ru)
