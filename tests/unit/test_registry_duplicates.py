"""Before verifying an enterprise, a reviewer checks that it is who it says it is: its legal ids are
checked again and explained in plain words, and other enterprises that may be the same company
(the same legal id, mail domain or phone) are pointed out with the reason why."""

import uuid

import pytest

from eventkit.contracts import EnterpriseSuspended, decode
from registry.domain.duplicates import Fingerprint, duplicate_reasons, email_domain, phone_key
from registry.domain.enterprise import Enterprise
from registry.domain.legal_ids import legal_id_checks
from registry.service_layer.events import enterprise_suspended
from tests.unit.registry_enterprises import (
    BELARUSIAN_UNP,
    ENTREPRENEUR_INN,
    ENTREPRENEUR_OGRNIP,
    ORGANISATION_INN,
    ORGANISATION_OGRN,
    smolensk_company,
)


def enterprise(**changes) -> Enterprise:
    known_by = dict(
        id=uuid.uuid4(),
        description="",
        certifications=[],
        email="sales@smolift.example.ru",
        phone="+7 (4812) 20-30-40",
    )
    return Enterprise(**smolensk_company(**known_by | changes))


# --- legal id checks ---------------------------------------------------------------------------


def test_an_organisations_inn_and_ogrn_are_each_explained_and_found_correct():
    inn, ogrn = legal_id_checks(inn=ORGANISATION_INN, ogrn=ORGANISATION_OGRN, unp=None)

    assert (inn.scheme, inn.value, inn.valid, inn.kind) == (
        "inn",
        ORGANISATION_INN,
        True,
        "legal entity (10 digits)",
    )
    assert inn.detail.startswith("checksum correct")
    assert "tax office 7707" in inn.detail
    assert (ogrn.scheme, ogrn.valid, ogrn.kind) == ("ogrn", True, "legal entity, OGRN (13 digits)")
    assert "2002" in ogrn.detail


def test_a_sole_traders_12_digit_inn_and_15_digit_ogrnip_are_named_as_such():
    inn, ogrnip = legal_id_checks(inn=ENTREPRENEUR_INN, ogrn=ENTREPRENEUR_OGRNIP, unp=None)

    assert inn.valid and inn.kind == "sole trader or individual (12 digits)"
    assert ogrnip.valid and ogrnip.kind == "sole trader, OGRNIP (15 digits)"


def test_a_belarusian_unp_is_checked_and_an_individuals_lettered_unp_is_named():
    [organisation] = legal_id_checks(inn=None, ogrn=None, unp=BELARUSIAN_UNP)
    [individual] = legal_id_checks(inn=None, ogrn=None, unp="MA1953684")

    assert (organisation.scheme, organisation.valid, organisation.detail) == (
        "unp",
        True,
        "checksum correct",
    )
    assert organisation.kind == "organisation or sole trader (9 digits)"
    assert individual.valid and "letters" in individual.kind


@pytest.mark.parametrize(
    ("inn", "says"),
    [("7707083894", "check digit does not match"), ("77070838", "wrong number of digits")],
    ids=["typo", "too-short"],
)
def test_a_wrong_id_is_reported_as_invalid_in_plain_words(inn, says):
    [check] = legal_id_checks(inn=inn, ogrn=None, unp=None)

    assert check.valid is False
    assert says in check.detail


def test_an_enterprise_without_ids_has_no_checks():
    assert legal_id_checks(inn=None, ogrn=None, unp=None) == []


# --- what is compared ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "domain"),
    [
        ("Sales@SmoLift.Example.RU", "smolift.example.ru"),
        ("director@smolift.example.ru.", "smolift.example.ru"),
        ("ivanov@mail.ru", None),
        ("ivanov@Yandex.ru", None),
        ("petrov@tut.by", None),
        ("owner@gmail.com", None),
        ("", None),
        (None, None),
    ],
)
def test_the_mail_domain_counts_unless_it_is_a_public_mail_provider(email, domain):
    assert email_domain(email) == domain


@pytest.mark.parametrize(
    ("phone", "key"),
    [
        ("+7 (4812) 20-30-40", "4812203040"),
        ("8 4812 203040", "4812203040"),
        ("+375 222 00-00-00", "5222000000"),
        ("20-30-400", "2030400"),
        ("12-34", None),
        (None, None),
    ],
)
def test_a_phone_is_compared_by_its_last_ten_digits(phone, key):
    assert phone_key(phone) == key


def test_the_same_russian_number_written_two_ways_is_one_phone():
    smolensk = enterprise(phone="+7 (4812) 20-30-40")
    same_office = enterprise(
        inn="6731000007", ogrn=None, email="office@other.example.ru", phone="8 4812 20 30 40"
    )

    assert duplicate_reasons(smolensk, same_office) == ["phone"]


def test_enterprises_sharing_a_company_mail_domain_may_be_one_company():
    head_office = enterprise()
    branch = enterprise(inn="6731000007", ogrn=None, email="branch@SMOLIFT.example.ru", phone=None)

    assert duplicate_reasons(head_office, branch) == ["email_domain"]


def test_two_unrelated_companies_writing_from_mail_ru_are_not_pointed_out():
    first = enterprise(email="ivanov@mail.ru", phone=None)
    second = enterprise(inn="6731000007", ogrn=None, email="petrov@mail.ru", phone=None)

    assert duplicate_reasons(first, second) == []


def test_the_same_ogrn_under_another_inn_is_the_same_legal_id_and_all_reasons_come_in_order():
    original = enterprise()
    suspicious = enterprise(inn="6731000007", email="new@smolift.example.ru", phone="84812203040")

    assert duplicate_reasons(original, suspicious) == ["legal_id", "email_domain", "phone"]


def test_a_belarusian_unp_is_compared_in_upper_case_and_never_with_a_russian_id():
    in_minsk = dict(country="BY", region="minsk", inn=None, ogrn=None, phone=None)
    minsk = enterprise(**in_minsk, unp="ma1953684", email="a@by.example")
    again = enterprise(**in_minsk, unp="MA1953684", email="b@other.example")
    russian = enterprise(email="c@third.example", phone=None)

    assert duplicate_reasons(minsk, again) == ["legal_id"]
    assert duplicate_reasons(minsk, russian) == []
    assert Fingerprint.of(minsk).inn is None and Fingerprint.of(russian).unp is None


def test_an_enterprise_with_only_public_mail_and_no_phone_is_compared_by_its_legal_ids_only():
    fingerprint = Fingerprint.of(enterprise(email="ivanov@mail.ru", phone=None))

    assert (fingerprint.email_domain, fingerprint.phone) == (None, None)
    assert fingerprint.inn == ORGANISATION_INN and fingerprint.comparable


# --- the suspension's reason travels with its event -----------------------------------------------


def test_the_suspension_event_carries_the_reviewers_reason_verbatim():
    suspended = enterprise()
    suspended.suspend(by="reviewer-1", reason="Документы не совпадают с ЕГРЮЛ: «Лифт» ≠ «Лифтмаш»")

    envelope, payload = decode(enterprise_suspended(suspended).to_bytes())

    assert envelope.type == "enterprise.suspended"
    assert isinstance(payload, EnterpriseSuspended)
    assert payload.reason == "Документы не совпадают с ЕГРЮЛ: «Лифт» ≠ «Лифтмаш»"
    assert payload.status == "suspended"


def test_a_suspension_event_from_before_reasons_travelled_still_reads():
    old = EnterpriseSuspended.model_validate(
        {
            "enterprise_id": str(uuid.uuid4()),
            "name": "X",
            "country": "RU",
            "region": "smolensk_oblast",
            "city": "Смоленск",
            "sectors": [],
            "languages": ["ru"],
            "contact_person": "",
            "email": "a@b.example",
            "status": "suspended",
        }
    )

    assert old.reason is None
