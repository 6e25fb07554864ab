"""Numbers people type — legal ids, product codes, phones — brought to the one spelling that is
checked, compared and kept, whatever script their digits were typed in («٧٧٠٧٠٨٣٨٩٣», «７７０７…»)
and whatever separators they were printed with («7707 083 893», «8428.10»). One spelling is what
makes "one legal id, one enterprise" hold: the uniqueness index compares stored strings."""

from __future__ import annotations

import unicodedata

import phonenumbers
from stdnum.by import unp as by_unp

from registry.domain.errors import FieldError

# Dots, slashes and parentheses as printed in «8428.10.000», «23.11/2», «(4812)»; every kind of
# space (category Zs, incl. no-break and thin) and dash (category Pd) is a separator too.
_SEPARATOR_MARKS = frozenset("./()_'")
PHONE_REGIONS = {"RU": "RU", "BY": "BY"}


class NotANumber(ValueError):
    """The text holds something that is neither a digit nor a separator; `reason` says what."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def ascii_digits(text: str) -> str:
    """Every decimal digit of any script as its ASCII digit; other characters stay as they are."""
    return "".join(_ascii_digit(ch) for ch in text)


def _ascii_digit(ch: str) -> str:
    if ch.isascii():
        return ch
    value = unicodedata.decimal(ch, None)
    return str(value) if value is not None else ch


def _is_separator(ch: str) -> bool:
    return ch in _SEPARATOR_MARKS or unicodedata.category(ch) in ("Zs", "Pd") or ch in "\t"


def digits_only(text: str) -> str:
    """ASCII digits of `text` without separators; NotANumber when anything else is left."""
    kept = "".join(ch for ch in ascii_digits(text) if not _is_separator(ch))
    stray = next((ch for ch in kept if not ("0" <= ch <= "9")), None)
    if stray is not None:
        raise NotANumber(f"only digits are allowed here, not {_shown(stray)}")
    if not kept:
        raise NotANumber("no digits")
    return kept


def _shown(ch: str) -> str:
    # A control character or a lone surrogate is named by its code point, never echoed raw.
    return repr(ch) if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else f"U+{ord(ch):04X}"


def unp_spelling(text: str) -> str:
    """A UNP as stdnum compacts it (upper case, Cyrillic look-alike letters in Latin), digits folded
    to ASCII and separators removed; NotANumber on anything but letters and digits."""
    kept = "".join(ch for ch in ascii_digits(text) if not _is_separator(ch))
    compact = by_unp.compact(kept) if kept else kept
    if not compact or not all(ch.isascii() and ch.isalnum() for ch in compact):
        raise NotANumber("a UNP has 9 digits, or 2 letters and 7 digits")
    return compact


def e164_phone(text: str, *, country: str) -> str:
    """The phone in E.164 («+74812203040»). A number without its country code is read as one of
    `country` («8 (4812) 20-30-40» in Russia) or, failing that, of the other country of the platform
    (a Belarusian company may give its Smolensk office's number). A number whose length fits is kept
    even when its range is not in phonenumbers' tables (new ranges appear before the tables know
    them); NotANumber when it cannot be a phone number at all."""
    folded = ascii_digits(text).strip()
    if any(not ch.isprintable() for ch in folded):
        raise NotANumber("a phone number holds digits, spaces, dashes, parentheses and a leading +")
    readings = [
        reading
        for region in _regions_first(country)
        if (reading := _parsed(folded, region)) is not None
    ]
    chosen = next((n for n in readings if phonenumbers.is_valid_number(n)), None) or next(
        (n for n in readings if phonenumbers.is_possible_number(n)), None
    )
    if chosen is None:
        raise NotANumber(
            "not a phone number (write it with its country code, e.g. +7 4812 20-30-40)"
        )
    return phonenumbers.format_number(chosen, phonenumbers.PhoneNumberFormat.E164)


def _regions_first(country: str) -> list[str]:
    own = PHONE_REGIONS.get(country, "RU")
    return [own] + [region for region in PHONE_REGIONS.values() if region != own]


def _parsed(text: str, region: str):
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def normalised(field: str, value: str | None, spelling, errors: list[FieldError]) -> str | None:
    """`spelling(value)`, or the value as it was with a FieldError naming `field` added to
    `errors`."""
    if value is None:
        return None
    try:
        return spelling(value)
    except NotANumber as refused:
        errors.append(FieldError(field, refused.reason))
        return value
