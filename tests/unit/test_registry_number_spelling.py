"""A company may type its INN, OGRN, UNP, phone and product codes in any script's digits
(Arabic-Indic «٧٧٠٧٠٨٣٨٩٣», fullwidth, Devanagari...) and with the separators it prints them with:
the registry keeps each in one spelling, so one legal id is one enterprise however it was typed,
and refuses, naming the field, what is not such a number."""

import sys
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.domain.duplicates import phone_key
from registry.domain.enterprise import Enterprise
from registry.domain.errors import InvalidInput
from registry.domain.listing import Listing
from registry.domain.numbers import NotANumber, digits_only, e164_phone, unp_spelling
from tests.unit.registry_enterprises import smolensk_company

INN, OGRN, UNP = "7707083893", "1027700132195", "100582333"

# The zero of every script Unicode has decimal digits for; its nine successors are that script's
# 1..9.
ZEROS = [
    chr(code) for code in range(sys.maxunicode + 1) if unicodedata.decimal(chr(code), None) == 0
]
SEPARATORS = [" ", "-", ".", "\u00a0", "\u2009", "\u2011", "\u2013", "/", "\u3000"]


@st.composite
def typed(draw, number: str) -> str:
    """`number` as someone might type it: each digit in a script of its own, separators between."""
    out = []
    for position, digit in enumerate(number):
        zero = draw(st.sampled_from(ZEROS))
        out.append(chr(ord(zero) + int(digit)))
        if position < len(number) - 1 and draw(st.booleans()):
            out.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(out)


def test_unicode_knows_digits_in_many_scripts():
    assert len(ZEROS) > 50  # Arabic-Indic, Devanagari, fullwidth, Bengali, Thai, Mongolian, ...
    assert {"\u0660", "\u0966", "\uff10"} <= set(ZEROS)


@given(st.data())
def test_a_legal_id_typed_in_any_script_is_kept_in_ascii_digits(data):
    assert digits_only(data.draw(typed(INN))) == INN
    assert digits_only(data.draw(typed(OGRN))) == OGRN


@given(st.data())
def test_a_russian_enterprise_registered_in_any_script_holds_the_ascii_ids(reference, data):
    enterprise = Enterprise.register(
        reference, **company(inn=data.draw(typed(INN)), ogrn=data.draw(typed(OGRN)))
    )
    assert (enterprise.inn, enterprise.ogrn, enterprise.legal_id) == (INN, OGRN, INN)


@given(st.data())
def test_a_belarusian_unp_in_any_script_is_one_unp(reference, data):
    enterprise = Enterprise.register(
        reference,
        **company(
            country="BY", region="minsk_oblast", inn=None, ogrn=None, unp=data.draw(typed(UNP))
        ),
    )
    assert enterprise.legal_id == UNP


def test_a_unp_with_cyrillic_look_alike_letters_and_lower_case_is_the_latin_one():
    assert unp_spelling("ма 1953684") == unp_spelling("MA1953684") == "MA1953684"


_NOT_DIGITS = st.characters(exclude_categories=("Nd", "Zs", "Pd"), exclude_characters="./()_'\t")


@given(
    st.text(alphabet="0123456789", min_size=1, max_size=8),
    _NOT_DIGITS,
    st.text(alphabet="0123456789", max_size=8),
)
def test_a_legal_id_with_anything_but_digits_and_separators_is_refused_by_name(
    before, stray, after
):
    with pytest.raises(NotANumber):
        digits_only(before + stray + after)


@pytest.mark.parametrize("field", ["inn", "ogrn"])
@pytest.mark.parametrize(
    "typed_id", ["77070838\x0093", "7707O83893", "٧٧٠٧٠٨٣٨٩٣\n", "\ud800", "Ⅶ707083893"]
)
def test_registering_with_a_legal_id_that_is_not_digits_names_the_field(reference, field, typed_id):
    with pytest.raises(InvalidInput) as refused:
        Enterprise.register(reference, **company(**{field: typed_id}))
    assert [error.field for error in refused.value.errors] == [field]


# Each number as it is kept, from the spellings of it a company of the country may type.
SPELLINGS = {
    "+74812203040": {
        "RU": [
            "8 (4812) 20-30-40",
            "+7 4812 20 30 40",
            "٨ (٤٨١٢) ٢٠-٣٠-٤٠",
            "＋７ ４８１２ ２０３０４０",
            "+७४८१२२०३०४०",
        ],
        "BY": ["8 4812 20-30-40"],  # a Belarusian company's Smolensk number, as dialled in Russia
    },
    "+375171234567": {"BY": ["8 017 123-45-67"]},
    "+375222123456": {"RU": ["+375 (222) 12-34-56"]},
}


@pytest.mark.parametrize(
    ("typed_phone", "country", "e164"),
    [
        (typed, country, e164)
        for e164, by_country in SPELLINGS.items()
        for country, spellings in by_country.items()
        for typed in spellings
    ],
)
def test_a_phone_is_kept_in_e164_whatever_its_spelling(typed_phone, country, e164):
    assert e164_phone(typed_phone, country=country) == e164


@pytest.mark.parametrize(
    "typed_phone", ["12", "+7 12", "call me", "+7 4812\x00203040", "+7 4812 20-30-40 ext\u202e"]
)
def test_a_phone_that_is_no_number_is_refused_naming_the_phone(reference, typed_phone):
    with pytest.raises(InvalidInput) as refused:
        Enterprise.register(reference, **company(phone=typed_phone))
    assert [error.field for error in refused.value.errors] == ["phone"]


def test_an_edit_that_respells_the_same_ids_and_phone_is_no_change(reference):
    enterprise = Enterprise.register(reference, **company(phone="+7 4812 20-30-40"))
    assert enterprise.phone == "+74812203040"
    assert not enterprise.change(reference, {"inn": "٧٧٠٧ ٠٨٣ ٨٩٣", "phone": "8 (4812) 203040"})
    assert enterprise.version == 1


def test_two_spellings_of_one_phone_are_one_possible_duplicate_key():
    assert phone_key("٨ (٤٨١٢) ٢٠-٣٠-٤٠") == phone_key("+74812203040") == "4812203040"


@given(st.data())
def test_product_codes_in_any_script_and_with_dots_are_kept_as_digits(reference, data):
    listing = lift_offer(reference, product_codes=[data.draw(typed("842810")), "8428.10.000"])
    assert listing.product_codes == ["842810", "842810000"]


@pytest.mark.parametrize("code", ["8428\n", "84 28x", "\x008428"])
def test_a_product_code_with_anything_but_digits_is_refused(reference, code):
    with pytest.raises(InvalidInput) as refused:
        lift_offer(reference, product_codes=[code])
    assert [error.field for error in refused.value.errors] == ["product_codes"]


def lift_offer(reference, *, product_codes: list[str]) -> Listing:
    """A lift offer of a newly registered company, with product codes as typed."""
    return Listing.publish(
        reference,
        today=date(2026, 12, 2),
        enterprise_id=Enterprise.register(reference, **company()).id,
        side="offer",
        kind="goods",
        title="Лифты",
        sector="elevators",
        product_codes=product_codes,
    )


def company(**changes) -> dict:
    as_typed = dict(
        inn=INN,
        ogrn=OGRN,
        description="",
        certifications=[],
        contact_person="Иван Петров",
        email="sales@liftmash.example.ru",
        phone=None,
    )
    return smolensk_company(**as_typed | changes)
