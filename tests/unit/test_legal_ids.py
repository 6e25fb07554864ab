"""A company proves who it is by its legal ids: INN and OGRN/OGRNIP in Russia, UNP in Belarus.

The ids are checked by their real check digits, so a typo is caught at registration.
"""

import pytest
from stdnum.ru import inn as ru_inn
from stdnum.ru import ogrn as ru_ogrn

from registry.domain.legal_ids import check_belarusian_ids, check_russian_ids
from tests.unit.registry_enterprises import (
    BELARUSIAN_UNP,
    ENTREPRENEUR_INN,
    ENTREPRENEUR_OGRNIP,
    ORGANISATION_INN,
    ORGANISATION_OGRN,
)


def _wrong_last_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def fields(errors) -> list[str]:
    return [error.field for error in errors]


def test_the_sample_ids_used_by_these_tests_are_real_valid_numbers():
    assert len(ENTREPRENEUR_INN) == 12 and ru_inn.is_valid(ENTREPRENEUR_INN)
    assert len(ENTREPRENEUR_OGRNIP) == 15 and ru_ogrn.is_valid(ENTREPRENEUR_OGRNIP)


@pytest.mark.parametrize("missing", [None, ""])
def test_a_russian_enterprise_needs_its_inn(missing):
    errors = check_russian_ids(missing, ORGANISATION_OGRN)

    assert fields(errors) == ["inn"]
    assert "INN" in errors[0].reason


def test_a_russian_organisation_with_a_10_digit_inn_and_13_digit_ogrn_is_accepted():
    assert check_russian_ids(ORGANISATION_INN, ORGANISATION_OGRN) == []


def test_an_individual_entrepreneur_with_a_12_digit_inn_and_15_digit_ogrnip_is_accepted():
    assert check_russian_ids(ENTREPRENEUR_INN, ENTREPRENEUR_OGRNIP) == []


def test_an_individual_entrepreneur_cannot_present_an_organisations_13_digit_ogrn():
    errors = check_russian_ids(ENTREPRENEUR_INN, ORGANISATION_OGRN)

    assert fields(errors) == ["ogrn"]
    assert "15-digit OGRNIP" in errors[0].reason


def test_an_organisation_cannot_present_an_entrepreneurs_15_digit_ogrnip():
    errors = check_russian_ids(ORGANISATION_INN, ENTREPRENEUR_OGRNIP)

    assert fields(errors) == ["ogrn"]
    assert "13-digit OGRN" in errors[0].reason


@pytest.mark.parametrize(
    ("inn", "ogrn", "wrong_field"),
    [
        (_wrong_last_digit(ORGANISATION_INN), ORGANISATION_OGRN, "inn"),
        (_wrong_last_digit(ENTREPRENEUR_INN), ENTREPRENEUR_OGRNIP, "inn"),
        (ORGANISATION_INN, _wrong_last_digit(ORGANISATION_OGRN), "ogrn"),
        (ENTREPRENEUR_INN, _wrong_last_digit(ENTREPRENEUR_OGRNIP), "ogrn"),
    ],
    ids=["organisation-inn", "entrepreneur-inn", "ogrn", "ogrnip"],
)
def test_a_mistyped_russian_id_is_refused_naming_the_wrong_field(inn, ogrn, wrong_field):
    errors = check_russian_ids(inn, ogrn)

    assert fields(errors) == [wrong_field]
    assert "not a valid" in errors[0].reason


def test_a_russian_inn_of_the_wrong_length_is_refused():
    errors = check_russian_ids("77070838931", ORGANISATION_OGRN)  # 11 digits

    assert fields(errors) == ["inn"]


def test_a_wrong_inn_and_a_wrong_ogrn_are_both_reported():
    errors = check_russian_ids(
        _wrong_last_digit(ORGANISATION_INN), _wrong_last_digit(ORGANISATION_OGRN)
    )

    assert fields(errors) == ["inn", "ogrn"]


def test_an_entrepreneur_whose_ogrnip_body_leaves_a_two_digit_remainder_can_register():
    body = "30467012345678"
    assert int(body) % 13 == 12  # the official check digit is the last digit of the remainder: 2
    ogrnip = body + "2"

    assert check_russian_ids(ENTREPRENEUR_INN, ogrnip) == []


def test_a_belarusian_enterprise_with_a_valid_unp_is_accepted():
    assert check_belarusian_ids(BELARUSIAN_UNP) == []


@pytest.mark.parametrize("missing", [None, ""])
def test_a_belarusian_enterprise_needs_its_unp(missing):
    errors = check_belarusian_ids(missing)

    assert fields(errors) == ["unp"]
    assert "UNP" in errors[0].reason


@pytest.mark.parametrize(
    "unp",
    [_wrong_last_digit(BELARUSIAN_UNP), "10058233", "1005823331"],
    ids=["checksum", "short", "long"],
)
def test_a_mistyped_belarusian_unp_is_refused(unp):
    errors = check_belarusian_ids(unp)

    assert fields(errors) == ["unp"]
    assert "not a valid UNP" in errors[0].reason
