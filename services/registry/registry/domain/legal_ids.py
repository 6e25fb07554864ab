"""Legal identifiers of Russian and Belarusian enterprises, checked by their real check digits."""

from dataclasses import dataclass

from stdnum.by import unp as by_unp
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.ru import inn as ru_inn
from stdnum.ru import ogrn as ru_ogrn

from registry.domain.errors import FieldError


def check_russian_ids(inn: str | None, ogrn: str | None) -> list[FieldError]:
    if not inn:
        return [
            FieldError(
                "inn",
                "a Russian enterprise needs its INN (10 digits, or 12 for an individual "
                "entrepreneur)",
            )
        ]
    errors = _check("inn", inn, ru_inn.validate, "INN")
    if ogrn:
        errors += _check("ogrn", ogrn, _validate_ogrn, "OGRN/OGRNIP")
        if not errors and len(inn) == 12 and len(ogrn) != 15:
            errors.append(
                FieldError(
                    "ogrn", "an individual entrepreneur (12-digit INN) has a 15-digit OGRNIP"
                )
            )
        if not errors and len(inn) == 10 and len(ogrn) != 13:
            errors.append(FieldError("ogrn", "an organisation (10-digit INN) has a 13-digit OGRN"))
    return errors


def check_belarusian_ids(unp: str | None) -> list[FieldError]:
    if not unp:
        return [FieldError("unp", "a Belarusian enterprise needs its UNP (9 characters)")]
    return _check("unp", unp, by_unp.validate, "UNP")


def _validate_ogrn(number: str) -> str:
    """stdnum checks a 15-digit OGRNIP against `body % 13` whole, but the rule takes the last digit
    of that remainder, so stdnum refuses real OGRNIPs whose remainder is 10, 11 or 12."""
    if len(number) != 15:
        return ru_ogrn.validate(number)
    if not number.isdigit() or number[0] not in "34":
        raise InvalidFormat()
    if int(number[:-1]) % 13 % 10 != int(number[-1]):
        raise InvalidChecksum()
    return number


def _check(field: str, value: str, validate, label: str) -> list[FieldError]:
    try:
        validate(value)
    except ValidationError as error:
        return [FieldError(field, f"not a valid {label}: {error}")]
    return []


# --- what a reviewer is shown about each legal id ----------------------------------------------


@dataclass(frozen=True)
class LegalIdCheck:
    """One legal id held by an enterprise, checked again for the reviewer, in plain English."""

    scheme: str  # inn | ogrn | unp
    value: str
    valid: bool
    kind: str
    detail: str


_PROBLEMS = {
    InvalidLength: "wrong number of digits",
    InvalidFormat: "wrong characters for this kind of number",
    InvalidChecksum: "check digit does not match: probably a typo",
    InvalidComponent: "a part of the number is not one that is issued",
}


def legal_id_checks(*, inn: str | None, ogrn: str | None, unp: str | None) -> list[LegalIdCheck]:
    """Each legal id held, in the order inn, ogrn, unp, with what kind of id it is and whether its
    check digits are right."""
    checks = []
    if inn:
        checks.append(_checked("inn", inn, ru_inn.validate, _inn_kind(inn), _inn_note))
    if ogrn:
        checks.append(_checked("ogrn", ogrn, _validate_ogrn, _ogrn_kind(ogrn), _ogrn_note))
    if unp:
        checks.append(_checked("unp", unp, by_unp.validate, _unp_kind(unp), lambda _: ""))
    return checks


def _checked(scheme: str, value: str, validate, kind: str, note) -> LegalIdCheck:
    try:
        validate(value)
    except ValidationError as error:
        problem = next(
            (text for cls, text in _PROBLEMS.items() if isinstance(error, cls)),
            "not a valid number",
        )
        return LegalIdCheck(scheme, value, False, kind, problem)
    extra = note(value)
    return LegalIdCheck(
        scheme, value, True, kind, "checksum correct" + (f"; {extra}" if extra else "")
    )


def _inn_kind(inn: str) -> str:
    return {10: "legal entity (10 digits)", 12: "sole trader or individual (12 digits)"}.get(
        len(inn), f"unexpected length ({len(inn)} characters)"
    )


def _inn_note(inn: str) -> str:
    return f"tax office {inn[:4]}, region code {inn[:2]}"


def _ogrn_kind(ogrn: str) -> str:
    return {13: "legal entity, OGRN (13 digits)", 15: "sole trader, OGRNIP (15 digits)"}.get(
        len(ogrn), f"unexpected length ({len(ogrn)} characters)"
    )


def _ogrn_note(ogrn: str) -> str:
    # Digit 1 is the kind of record, 2-3 the year it was made (OGRNs exist since 2002), 4-5 the
    # region.
    return f"entered in the state register in 20{ogrn[1:3]}, region code {ogrn[3:5]}"


def _unp_kind(unp: str) -> str:
    if unp[:2].isdigit():
        return "organisation or sole trader (9 digits)"
    return "individual (9 characters, begins with letters)"
