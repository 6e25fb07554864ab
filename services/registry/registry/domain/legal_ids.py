"""Legal identifiers of Russian and Belarusian enterprises, checked by their real check digits."""

from stdnum.by import unp as by_unp
from stdnum.exceptions import InvalidChecksum, InvalidFormat, ValidationError
from stdnum.ru import inn as ru_inn
from stdnum.ru import ogrn as ru_ogrn

from registry.domain.errors import FieldError


def check_russian_ids(inn: str | None, ogrn: str | None) -> list[FieldError]:
    if not inn:
        return [FieldError("inn", "a Russian enterprise needs its INN (10 digits, or 12 for an individual entrepreneur)")]
    errors = _check("inn", inn, ru_inn.validate, "INN")
    if ogrn:
        errors += _check("ogrn", ogrn, _validate_ogrn, "OGRN/OGRNIP")
        if not errors and len(inn) == 12 and len(ogrn) != 15:
            errors.append(FieldError("ogrn", "an individual entrepreneur (12-digit INN) has a 15-digit OGRNIP"))
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
