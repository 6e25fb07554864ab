"""Units a company writes in Russian, Belarusian or English, read into one canonical code by the
registry (data/units/units.json): «шт./год», «pcs per year» and «шт. у год» are all pcs/year."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest

from devstack.stack import ROOT
from registry.adapters.reference_files import load_units
from registry.domain.errors import InvalidInput
from registry.domain.listing import Listing
from registry.domain.units import UnknownUnit

TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def units():
    return load_units(ROOT / "data")


def _units_in(value) -> set[str]:
    found = set()
    if isinstance(value, dict):
        if value.get("unit"):
            found.add(value["unit"])
        for item in value.values():
            found |= _units_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= _units_in(item)
    return found


def test_every_unit_written_in_the_demo_data_and_the_evaluation_set_is_read(units):
    demo = _units_in(
        json.loads((ROOT / "data" / "demo" / "enterprises.json").read_text(encoding="utf-8"))
    )
    evaluation = _units_in(
        [
            json.loads(line)
            for line in (ROOT / "data" / "evaluation" / "listings.jsonl")
            .read_text(encoding="utf-8")
            .splitlines()
        ]
    )
    assert len(demo) > 20 and len(evaluation) > 5
    unread = {}
    for written in sorted(demo | evaluation):
        try:
            units.parse(written)
        except UnknownUnit:
            unread[written] = "unknown"
    assert unread == {}


@pytest.mark.parametrize(
    ("written", "code"),
    [
        # Russian
        ("шт.", "pcs"),
        ("шт./год", "pcs/year"),
        ("шт. в год", "pcs/year"),
        ("т в месяц", "t/month"),
        ("тонн в год", "t/year"),
        ("гол.", "head"),
        ("компл.", "set"),
        ("м³", "m3"),
        ("куб. м", "m3"),
        ("кг/сут", "kg/day"),
        ("пог. м", "m"),
        ("кв. м", "m2"),
        ("л", "l"),
        ("т/мес.", "t/month"),
        ("ШТ", "pcs"),
        ("рейсов/нед.", "trip/week"),
        ("тыс. шт", "kpcs"),
        ("МВт·ч/год", "MWh/year"),
        ("т ежегодно", "t/year"),
        # Belarusian
        ("шт. у год", "pcs/year"),
        ("тон за месяц", "t/month"),
        ("гал.", "head"),
        ("кампл.", "set"),
        ("літраў за суткі", "l/day"),
        ("кг за тыдзень", "kg/week"),
        # English
        ("pcs per year", "pcs/year"),
        ("m3", "m3"),
        ("litres/month", "l/month"),
        ("tonnes a month", "t/month"),
        ("head of cattle", "head"),
        ("sets per annum", "set/year"),
        ("kg/day", "kg/day"),
        ("square metres", "m2"),
        ("running metres per month", "m/month"),
        ("t yearly", "t/year"),
        # the codes themselves
        ("pcs/year", "pcs/year"),
        ("t/month", "t/month"),
        ("MWh", "MWh"),
    ],
)
def test_a_unit_written_in_any_of_the_three_languages_is_read_into_its_code(units, written, code):
    assert units.parse(written) == code


def test_a_unit_the_vocabulary_cannot_read_is_refused_with_the_accepted_forms(units):
    with pytest.raises(UnknownUnit) as refused:
        units.parse("бочек")
    message = str(refused.value)
    assert "'бочек'" in message
    for shown in (
        "шт.",
        "pcs",
        "гол.",
        "head of cattle",
        "т",
        "tonnes",
        "м³",
        "cubic metres",
        "per year",
        "pcs per year",
    ):
        assert shown in message


def test_a_code_is_shown_to_people_in_their_language(units):
    assert units.label("pcs/year", "ru") == "шт./год"
    assert units.label("head", "be") == "гал."
    assert units.label("t/month", "en") == "t/month"


def _publish(reference, **fields):
    return Listing.publish(
        reference,
        today=TODAY,
        enterprise_id=uuid.uuid4(),
        side="offer",
        kind="goods",
        title="Лифты",
        sector="elevators",
        **fields,
    )


def test_a_published_listing_keeps_the_code_of_the_unit_its_company_wrote(reference):
    assert _publish(reference, quantity=2500, unit="шт./год").unit == "pcs/year"
    assert _publish(reference, quantity=12, unit="т в месяц").unit == "t/month"


def test_publishing_with_an_unreadable_unit_names_the_field_unit(reference):
    with pytest.raises(InvalidInput) as refused:
        _publish(reference, quantity=3, unit="бочек")
    [error] = refused.value.errors
    assert error.field == "unit" and "accepted" in error.reason and "шт./год" in error.reason


def test_a_unit_written_again_another_way_is_no_change_and_an_old_unit_does_not_block_closing(
    reference,
):
    listing = _publish(reference, quantity=2500, unit="шт./год")
    assert listing.change(reference, today=TODAY, changes={"unit": "pcs per year"}) is None
    assert listing.version == 1
    assert (
        listing.change(reference, today=TODAY, changes={"unit": "шт./мес."}) == "changed"
        and listing.unit == "pcs/month"
    )
    with pytest.raises(InvalidInput) as refused:
        listing.change(reference, today=TODAY, changes={"unit": "USD"})
    assert [e.field for e in refused.value.errors] == ["unit"] and listing.unit == "pcs/month"
    listing.unit = "бочек"  # kept from before the vocabulary
    assert listing.change(reference, today=TODAY, changes={"status": "closed"}) == "closed"


def test_the_web_forms_units_are_codes_of_the_vocabulary_shown_as_the_vocabulary_writes_them(units):
    from web.domain.units import BASES, PERIODS, unit_label
    from web.entrypoints.portal.listings import UNITS

    for code, _words in UNITS:
        assert units.parse(code) == code, code
    every_code = [*BASES, *(f"{base}/{period}" for base in BASES for period in PERIODS)]
    assert sorted(every_code) == sorted(units.codes)
    for code in every_code:
        for language in ("ru", "be", "en"):
            assert unit_label(code, language) == units.label(code, language), (code, language)
    assert unit_label("бочек", "ru") == "бочек"  # kept from before the vocabulary, shown as written
