"""Languages: gettext catalogs (Babel) for every word on the pages, Babel for dates and numbers.

The catalogs are the .po files under translations/; they are compiled in memory when the
application starts, so there is no build step and no compiled file to forget. The language of
a request is set once in a context variable, which the templates' gettext reads."""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from web.config import LANGUAGES

TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
LANGUAGE_COOKIE = "um_lang"
LANGUAGE_NAMES = {"ru": "Русский", "be": "Беларуская", "en": "English"}

# Smolensk and all of Belarus keep the same clock (UTC+3) all year.
PLATFORM_TIME_ZONE = ZoneInfo("Europe/Moscow")

_language: ContextVar[str] = ContextVar("language", default="ru")


class Catalogs:
    def __init__(self, directory: Path = TRANSLATIONS_DIR) -> None:
        self._translations: dict[str, NullTranslations] = {"en": NullTranslations()}
        for language in LANGUAGES:
            po = directory / language / "LC_MESSAGES" / "messages.po"
            if po.exists():
                self._translations[language] = _compiled(po, language)

    def of(self, language: str) -> NullTranslations:
        return self._translations.get(language) or self._translations["en"]


def _compiled(po: Path, language: str) -> Translations:
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def N_(message: str) -> str:
    """Marks a message for the catalogs where it is written; it is translated where it is shown."""
    return message


def current_language() -> str:
    return _language.get()


def use_language(language: str):
    return _language.set(language)


def choose_language(*, cookie: str | None, accept_language: str | None, default: str) -> str:
    """The remembered choice first; else Russian (the platform's default), never a guess that
    would surprise a Smolensk user whose browser happens to say English."""
    if cookie in LANGUAGES:
        return cookie
    return default


class Texts:
    """gettext for the current request's language, as the templates and pages call it."""

    def __init__(self, catalogs: Catalogs) -> None:
        self._catalogs = catalogs

    def gettext(self, message: str, **variables) -> str:
        text = self._catalogs.of(current_language()).gettext(message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, n: int, **variables) -> str:
        text = self._catalogs.of(current_language()).ngettext(singular, plural, n)
        return text % ({"num": n} | variables)


def _locale() -> Locale:
    return Locale.parse(current_language())


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" if digits == 0 else "#,##0." + "0" * digits
    return format_decimal(value, format=pattern, locale=_locale())


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, format="#,##0%", locale=_locale())


def when(value: str | datetime | date | None, style: str = "medium") -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = (
                datetime.fromisoformat(value.replace("Z", "+00:00"))
                if "T" in value
                else date.fromisoformat(value)
            )
        except ValueError:
            return value
    if isinstance(value, datetime):
        return format_datetime(value, format=style, locale=_locale(), tzinfo=PLATFORM_TIME_ZONE)
    return format_date(value, format=style, locale=_locale())


def day(value: str | datetime | date | None) -> str:
    if isinstance(value, str) and "T" in value:
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    return when(value, "medium")
