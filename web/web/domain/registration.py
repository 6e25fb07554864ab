"""The registration wizard's rules: which question comes next, and what an answer must be.

The registry is the authority on every rule and refuses what breaks them; these checks run first
so that a company hears what is wrong while it types, one question at a time, in its own words.
Messages are English msgids, translated where they are shown."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from stdnum.by import unp as by_unp
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.ru import inn as ru_inn
from stdnum.ru import ogrn as ru_ogrn

STEPS = ("country", "legal-id", "name", "place", "sectors", "about", "contact", "consent", "check")
LANGUAGES = ("ru", "be", "en")
SIZES = ("micro", "small", "medium", "large")
MAX_SECTORS = 5
# The wizard's answers travel in a cookie (at most 4 KB); the profile page takes up to 5,000 later.
MAX_WIZARD_DESCRIPTION = 1500
MAX_DESCRIPTION = 5000  # the registry's limit
_PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def N_(message: str) -> str:  # marks a message for the catalogs (see web.entrypoints.i18n)
    return message


@dataclass(frozen=True)
class Check:
    valid: bool
    message: str  # an msgid: why not, or what was recognised


def folded_digits(value: str) -> str:
    """Digits of any script as ASCII; spaces and dashes people type between groups dropped."""
    kept = []
    for char in value.strip():
        if char in " -\u00a0":
            continue
        digit = unicodedata.digit(char, None)
        kept.append(str(digit) if digit is not None else char)
    return "".join(kept)


def check_legal_id(*, country: str, scheme: str, value: str) -> Check:
    number = folded_digits(value)
    if not number:
        return Check(False, N_("Enter the number"))
    if country == "BY":
        return _check(
            by_unp.validate, number.upper(), N_("A UNP has 9 characters"), N_("This UNP is correct")
        )
    if scheme == "inn":
        return _check(
            ru_inn.validate,
            number,
            N_("An INN has 10 digits (an organisation) or 12 (a person or sole trader)"),
            N_("This INN is correct"),
        )
    if len(number) == 15 and number.isdigit() and int(number[:14]) % 13 % 10 == int(number[14]):
        return Check(
            True, N_("This OGRNIP is correct")
        )  # the rule takes the remainder's last digit
    return _check(
        ru_ogrn.validate,
        number,
        N_("An OGRN has 13 digits (an organisation), an OGRNIP 15 (a sole trader)"),
        N_("This OGRN is correct"),
    )


def _check(validate, number: str, length_message: str, correct: str) -> Check:
    try:
        validate(number)
    except InvalidLength:
        return Check(False, length_message)
    except InvalidFormat:
        return Check(False, N_("Use digits only"))
    except InvalidChecksum:
        return Check(
            False, N_("The check digit does not match: one of the digits is probably mistyped")
        )
    except ValidationError:
        return Check(False, N_("This number is not valid"))
    return Check(True, correct)


def step_errors(
    step: str, answers: dict, *, regions: set[str], sectors: set[str]
) -> dict[str, str]:
    """What is wrong with the answers to one step, by field."""
    checks = {
        "country": _country,
        "legal-id": _legal_id,
        "name": _name,
        "place": lambda a: _place(a, regions),
        "sectors": lambda a: _sectors(a, sectors),
        "about": _about,
        "contact": _contact,
        "consent": _consent,
    }
    return checks[step](answers) if step in checks else {}


def first_unanswered(answers: dict, *, regions: set[str], sectors: set[str]) -> str:
    for step in STEPS[:-1]:
        if step_errors(step, answers, regions=regions, sectors=sectors):
            return step
    return "check"


def _country(a: dict) -> dict:
    return (
        {}
        if a.get("country") in ("RU", "BY")
        else {"country": N_("Choose the country where the enterprise is registered")}
    )


def _legal_id(a: dict) -> dict:
    errors = {}
    if a.get("country") == "BY":
        check = check_legal_id(country="BY", scheme="unp", value=a.get("unp", ""))
        if not check.valid:
            errors["unp"] = check.message
        return errors
    check = check_legal_id(country="RU", scheme="inn", value=a.get("inn", ""))
    if not check.valid:
        errors["inn"] = check.message
    if a.get("ogrn"):
        check = check_legal_id(country="RU", scheme="ogrn", value=a["ogrn"])
        if not check.valid:
            errors["ogrn"] = check.message
    return errors


def _name(a: dict) -> dict:
    name = a.get("name", "").strip()
    if len(name) < 2:
        return {"name": N_("Enter the enterprise's name as it is registered")}
    return {"name": N_("The name may have at most 300 characters")} if len(name) > 300 else {}


def _place(a: dict, regions: set[str]) -> dict:
    errors = {}
    if a.get("region") not in regions:
        errors["region"] = N_("Choose the region")
    if not a.get("city", "").strip():
        errors["city"] = N_("Enter the city or town")
    return errors


def _sectors(a: dict, sectors: set[str]) -> dict:
    chosen = a.get("sectors") or []
    if not chosen or not set(chosen) <= sectors:
        return {"sectors": N_("Choose at least one sector")}
    return {"sectors": N_("Choose at most 5 sectors")} if len(chosen) > MAX_SECTORS else {}


def _about(a: dict) -> dict:
    errors = {}
    if len(a.get("description", "")) > MAX_WIZARD_DESCRIPTION:
        errors["description"] = N_(
            "Here the description may have at most 1,500 characters; add the rest later on the "
            "enterprise's page"
        )
    if not a.get("languages") or not set(a["languages"]) <= set(LANGUAGES):
        errors["languages"] = N_("Choose at least one language you work in")
    if a.get("size") not in SIZES:
        errors["size"] = N_("Choose the size of the enterprise")
    return errors


def profile_errors(a: dict) -> dict[str, str]:
    """What is wrong with a profile as the enterprise's page edits it, in the page's order: the
    wizard's rules for the same fields, and the registry's limits for the description (which the
    wizard keeps shorter) and the certificates."""
    errors = _name(a)
    if not a.get("city", "").strip():
        errors["city"] = N_("Enter the city or town")
    errors |= _contact(a)
    if not a.get("sectors"):
        errors["sectors"] = N_("Choose at least one sector")
    elif len(a["sectors"]) > MAX_SECTORS:
        errors["sectors"] = N_("Choose at most 5 sectors")
    if len(a.get("description", "")) > MAX_DESCRIPTION:
        errors["description"] = REFUSED_PROFILE_FIELD["description"]
    errors |= {k: v for k, v in _about(a).items() if k != "description"}
    certifications = a.get("certifications") or []
    if len(certifications) > 30 or any(len(c) > 100 for c in certifications):
        errors["certifications"] = REFUSED_PROFILE_FIELD["certifications"]
    return errors


# What a person is told when the registry refuses a field of the enterprise's profile: the rule of
# the field in their words (the registry's own reason is English, for integrators).
REFUSED_PROFILE_FIELD = {
    "name": N_("Enter the enterprise's name as it is registered"),
    "region": N_("Choose the region"),
    "city": N_("Enter the city or town"),
    "sectors": N_("Choose at least one sector"),
    "description": N_("Make the description shorter: at most 5,000 characters"),
    "languages": N_("Choose at least one language you work in"),
    "size": N_("Choose the size of the enterprise"),
    "contact_person": N_("Enter the name of the person partners should contact"),
    "email": N_("Enter an email address like name@example.ru"),
    "phone": N_("Enter a phone number like +375 17 123-45-67"),
    "certifications": N_("Enter at most 30 certificates, each shorter than 100 characters"),
    "inn": N_("An INN has 10 digits (an organisation) or 12 (a person or sole trader)"),
    "ogrn": N_("An OGRN has 13 digits (an organisation), an OGRNIP 15 (a sole trader)"),
    "unp": N_("A UNP has 9 characters"),
}


def _contact(a: dict) -> dict:
    errors = {}
    if not a.get("contact_person", "").strip():
        errors["contact_person"] = N_("Enter the name of the person partners should contact")
    if not _EMAIL.match(a.get("email", "")):
        errors["email"] = N_("Enter an email address like name@example.ru")
    phone = a.get("phone", "").strip()
    if phone and not _PHONE.match(folded_digits(phone) if phone else phone):
        errors["phone"] = N_("Enter a phone number like +375 17 123-45-67")
    return errors


def _consent(a: dict) -> dict:
    return (
        {}
        if a.get("personal_data_consent")
        else {"personal_data_consent": N_("Agree to the processing of personal data to register")}
    )


def registration_body(a: dict) -> dict:
    """The answers as the API's POST /enterprises body."""
    ids = (
        {"unp": folded_digits(a["unp"]).upper()}
        if a["country"] == "BY"
        else {
            "inn": folded_digits(a["inn"]),
            **({"ogrn": folded_digits(a["ogrn"])} if a.get("ogrn") else {}),
        }
    )
    certifications = [c.strip() for c in a.get("certifications", "").split(",") if c.strip()]
    return {
        "name": a["name"].strip(),
        "country": a["country"],
        "region": a["region"],
        "city": a["city"].strip(),
        **ids,
        "sectors": a["sectors"],
        "description": a.get("description", "").strip(),
        "languages": a["languages"],
        "size": a["size"],
        "certifications": certifications,
        "contact_person": a["contact_person"].strip(),
        "email": a["email"].strip(),
        **({"phone": a["phone"].strip()} if a.get("phone", "").strip() else {}),
        "personal_data_consent": True,
    }
