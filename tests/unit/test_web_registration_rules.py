"""The registration wizard's own rules: a registration number checked with the reason in plain
words, digits of any script folded, each step's answers checked, and all the answers of the
longest allowed registration still fitting in the one cookie that carries them between steps. The
profile page's edits are checked by the same rules, and what the registry still refuses is said in
the person's words."""

from __future__ import annotations

import random

from web.adapters.gateway_client import ApiProblem
from web.domain.registration import (
    MAX_WIZARD_DESCRIPTION,
    REFUSED_PROFILE_FIELD,
    check_legal_id,
    first_unanswered,
    folded_digits,
    profile_errors,
    registration_body,
    step_errors,
)
from web.entrypoints.forms import field_errors
from web.entrypoints.session import CookieSigner

REGIONS, SECTORS = {"smolensk_oblast", "mogilev_oblast"}, {"elevators", "flax"}


def test_a_registration_number_is_checked_with_the_reason():
    assert check_legal_id(country="RU", scheme="inn", value="6731000007").valid
    assert "check digit" in check_legal_id(country="RU", scheme="inn", value="6731000008").message
    assert "10 digits" in check_legal_id(country="RU", scheme="inn", value="67310000").message
    assert check_legal_id(country="BY", scheme="unp", value="").message == "Enter the number"
    assert check_legal_id(country="RU", scheme="ogrn", value="1027700132195").valid


def test_digits_of_any_script_and_the_spaces_people_type_are_folded():
    assert folded_digits("٦٧٣١ ٠٠٠ ٠٠٧") == "6731000007"
    assert folded_digits(" 6731-000-007 ") == "6731000007"
    assert check_legal_id(
        country="RU", scheme="inn", value="６７３１０００００７"
    ).valid  # full-width digits


def test_the_wizard_asks_the_first_question_not_yet_answered_and_checks_each_step():
    answers = {"country": "RU", "inn": "6731000007"}
    assert first_unanswered({}, regions=REGIONS, sectors=SECTORS) == "country"
    assert first_unanswered(answers, regions=REGIONS, sectors=SECTORS) == "name"
    assert step_errors(
        "place", {"region": "moscow", "city": ""}, regions=REGIONS, sectors=SECTORS
    ).keys() == {"region", "city"}
    assert step_errors(
        "sectors", {"sectors": ["elevators", "flax", "x"]}, regions=REGIONS, sectors=SECTORS
    )
    assert step_errors("consent", {}, regions=REGIONS, sectors=SECTORS) == {
        "personal_data_consent": "Agree to the processing of personal data to register"
    }
    assert step_errors(
        "contact",
        {"contact_person": "И. И.", "email": "not an address"},
        regions=REGIONS,
        sectors=SECTORS,
    ) == {"email": "Enter an email address like name@example.ru"}


def test_the_answers_become_the_apis_registration_body():
    body = registration_body(
        {
            "country": "BY",
            "unp": "1900 00009",
            "name": " ОАО «Лифт» ",
            "region": "mogilev_oblast",
            "city": "Могилёв",
            "sectors": ["elevators"],
            "languages": ["ru"],
            "size": "large",
            "certifications": "ISO 9001, , EAC",
            "contact_person": "Иван",
            "email": "a@b.by",
            "phone": "",
        }
    )
    assert (
        body["unp"] == "190000009"
        and body["name"] == "ОАО «Лифт»"
        and body["certifications"] == ["ISO 9001", "EAC"]
    )
    assert "phone" not in body and body["personal_data_consent"] is True


def test_the_longest_allowed_answers_still_fit_in_one_cookie():
    letters = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя ,.«»"
    noise = random.Random(7)
    answers = {
        "country": "RU",
        "inn": "6731000007",
        "ogrn": "1027700132195",
        "region": "smolensk_oblast",
        "name": "".join(noise.choice(letters) for _ in range(300)),
        "city": "".join(noise.choice(letters) for _ in range(100)),
        "sectors": ["elevators", "flax", "construction", "breeding", "tourism"],
        "languages": ["ru", "be", "en"],
        "size": "medium",
        "description": "".join(noise.choice(letters) for _ in range(MAX_WIZARD_DESCRIPTION)),
        "certifications": "ISO 9001, ТР ТС 011/2011, EAC",
        "contact_person": "Мария Иванова",
        "email": "m@example.ru",
        "phone": "+7 481 200-00-00",
        "personal_data_consent": True,
    }
    cookie = CookieSigner("s" * 40).sign(answers)
    assert len("um_wizard=" + cookie) < 4096  # what every browser keeps
    assert CookieSigner("s" * 40).unsign(cookie) == answers


PROFILE = {
    "name": "ОАО «Могилёвлифтмаш»",
    "region": "mogilev_oblast",
    "city": "Могилёв",
    "description": "Лифты",
    "size": "large",
    "contact_person": "Иван Петров",
    "email": "sales@liftmash.example.by",
    "phone": "",
    "sectors": ["elevators"],
    "languages": ["ru", "be"],
    "certifications": ["ТР ТС 011/2011"],
}


def test_an_edited_profile_is_checked_field_by_field_and_nothing_too_long_is_cut_short():
    assert profile_errors(PROFILE) == {}
    wrong = PROFILE | {
        "name": "",
        "email": "sales-at-liftmash",
        "sectors": [],
        "languages": [],
        "description": "л" * 5001,
        "certifications": ["EAC"] * 31,
    }
    assert list(profile_errors(wrong)) == [  # in the page's order, as its error summary lists them
        "name",
        "email",
        "sectors",
        "description",
        "languages",
        "certifications",
    ]
    assert profile_errors(PROFILE | {"description": "л" * 5000}) == {}  # the registry's limit
    assert "at most 5" in profile_errors(PROFILE | {"sectors": ["a"] * 6})["sectors"]


def test_the_registrys_refusals_are_said_by_the_rule_of_their_field():
    problem = ApiProblem(
        status=422,
        errors=[
            {"field": "email", "message": "value is not a valid email address: no @-sign"},
            {"field": "ogrn", "message": "an organisation (10-digit INN) has a 13-digit OGRN"},
            {"field": "website", "message": "not a field a person fills in here"},
        ],
    )
    refused = field_errors(problem, default_field="name", said=REFUSED_PROFILE_FIELD)
    assert refused == {
        "email": "Enter an email address like name@example.ru",
        "ogrn": "An OGRN has 13 digits (an organisation), an OGRNIP 15 (a sole trader)",
        "website": "not a field a person fills in here",
    }
