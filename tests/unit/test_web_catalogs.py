"""Every word the web application shows is there in Russian and in Belarusian.

The messages are extracted from the sources at test time, exactly as `make messages` extracts them
(web/babel.cfg: the same files, methods and keywords), so a string added to a template or marked
with N_() in Python fails here until it is translated in both catalogs."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from web.entrypoints.i18n import Catalogs, Texts, use_language

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = ROOT / "web" / "babel.cfg"
SOURCES = ROOT / "web" / "web"
TRANSLATIONS = SOURCES / "translations"
LANGUAGES = ("ru", "be")
# Russian and Belarusian: one (1, 21, 101), few (2-4, 22-24), many (5-20, 11-14, 25...).
PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
HOW_TO_FIX = (
    "run `make messages`, then translate them in "
    "web/web/translations/{lang}/LC_MESSAGES/messages.po"
)

# The Russian wording the browser tests find on the pages.
FIXED_RUSSIAN = {
    "Email address": "Электронная почта",
    "Password": "Пароль",
    "Sign in": "Войти",
    "Sign out": "Выйти",
    "Interested": "Интересно",
    "Not interested": "Не интересно",
    "Your answer «Interested» is recorded.": "Ваш ответ «Интересно» записан.",
    "Review queue": "Очередь на рассмотрение",
    "Verification": "Проверка",
    "Dashboard": "Сводка",
    "Emails": "Письма",
    "Accounts": "Учётные записи",
    "Approve": "Одобрить",
    "Reject": "Отклонить",
    "Verify": "Подтвердить",
    "Suspend": "Приостановить",
    "Show": "Показать",
    "Download as CSV": "Скачать CSV",
    "Sector": "Отрасль",
    "Countries (supplier → buyer)": "Страны (поставщик → покупатель)",
    "Approved": "Одобрено",
    "Rejected": "Отклонено",
    "Proposed": "Предложено",
    "Your email address is confirmed. Thank you!": "Ваш адрес электронной почты подтверждён. "
    "Спасибо!",
    "Unsubscribe": "Отписаться",
    "This link is not valid or has expired.": "Ссылка недействительна или устарела.",
    "No access": "Нет доступа",
    "Partner suggestion": "Предложение о партнёрстве",
    "Reason for suspending (the company receives it by email)": "Причина приостановки (компания "
    "получит её по почте)",
    "Reason (the reviewers see it in the match's history)": "Причина (видна в истории пары)",
    "Set your password": "Задайте пароль",
    "New password": "Новый пароль",
    "The same password again": "Пароль ещё раз",
    "Set the password": "Задать пароль",
    "Name": "Имя",
    "Open the account": "Открыть учётную запись",
    "Disable": "Отключить",
    "Enable": "Включить",
}


@cache
def messages_in_the_sources() -> dict[str, str | tuple[str, ...]]:
    """msgid (the singular for plurals) -> the message as written: a str, or (singular, plural)."""
    with BABEL_CFG.open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(BABEL_CFG))
    found = {}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(SOURCES), method_map, options_map
    ):
        found[message[0] if isinstance(message, tuple) else message] = message
    return found


@cache
def catalog(lang: str) -> Catalog:
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_the_sources_have_messages_to_translate():
    found = messages_in_the_sources()
    assert "Sign in" in found
    assert ("%(num)s match", "%(num)s matches") in found.values(), (
        "ngettext() in the templates is extracted"
    )
    assert any(not isinstance(m, tuple) and m == "Enter your password" for m in found.values()), (
        "N_() in Python is extracted"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_on_the_pages_is_translated(lang):
    po = catalog(lang)
    untranslated, fuzzy, forms_missing = [], [], []
    for msgid, message in sorted(messages_in_the_sources().items()):
        entry = po.get(msgid)
        if (
            entry is None
            or not entry.string
            or (isinstance(entry.string, tuple) and not any(entry.string))
        ):
            untranslated.append(msgid)
        elif entry.fuzzy:
            fuzzy.append(msgid)
        elif isinstance(message, tuple) and (
            not isinstance(entry.string, tuple)
            or len(entry.string) != po.num_plurals
            or not all(entry.string)
        ):
            forms_missing.append(msgid)
    problems = []
    if untranslated:
        problems.append(
            f"{len(untranslated)} messages have no {lang} translation "
            f"({HOW_TO_FIX.format(lang=lang)}): {untranslated}"
        )
    if fuzzy:
        problems.append(
            f"{len(fuzzy)} {lang} translations are only guesses marked fuzzy "
            f"(check them, then drop the flag): {fuzzy}"
        )
    if forms_missing:
        problems.append(
            f"{len(forms_missing)} {lang} plural messages lack some of their {po.num_plurals} "
            "forms: "
            f"{forms_missing}"
        )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_english_text(lang):
    po = catalog(lang)
    wrong = []
    for msgid, message in sorted(messages_in_the_sources().items()):
        entry = po.get(msgid)
        if entry is None or not entry.string:
            continue
        english = message if isinstance(message, tuple) else (message,)
        expected = set().union(*(placeholders(text) for text in english))
        for text in entry.string if isinstance(entry.string, tuple) else (entry.string,):
            if placeholders(text) != expected:
                wrong.append((msgid, text))
            elif expected:
                try:
                    text % {name: "x" for name in expected}
                except (KeyError, ValueError, TypeError):
                    wrong.append((msgid, text))
    assert not wrong, (
        f"{lang} translations whose %(name)s placeholders differ from the English: {wrong}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalog_counts_in_three_forms_as_the_language_does(lang):
    po = catalog(lang)
    assert po.plural_forms == PLURAL_FORMS
    plural = Catalogs().of(lang).plural
    assert [plural(n) for n in (1, 21, 101)] == [0, 0, 0]
    assert [plural(n) for n in (2, 3, 4, 22, 104)] == [1, 1, 1, 1, 1]
    assert [plural(n) for n in (0, 5, 11, 12, 14, 25, 111)] == [2, 2, 2, 2, 2, 2, 2]


def test_the_application_speaks_russian_belarusian_and_english():
    catalogs = Catalogs()
    assert catalogs.of("ru").gettext("Sign in") == "Войти"
    assert catalogs.of("be").gettext("Sign in") == "Увайсці"
    assert catalogs.of("en").gettext("Sign in") == "Sign in"


def test_a_page_in_belarusian_counts_matches_in_the_right_form():
    texts = Texts(Catalogs())
    token = use_language("be")
    try:
        counted = [texts.ngettext("%(num)s match", "%(num)s matches", n) for n in (1, 3, 5)]
    finally:
        token.var.reset(token)
    assert counted == ["1 пара", "3 пары", "5 пар"]


def test_the_russian_words_the_browser_tests_look_for_are_unchanged():
    russian = Catalogs().of("ru")
    in_the_sources = messages_in_the_sources()
    changed = {
        msgid: russian.gettext(msgid)
        for msgid, wanted in FIXED_RUSSIAN.items()
        if msgid in in_the_sources and russian.gettext(msgid) != wanted
    }
    assert not changed, (
        f"these Russian translations differ from what the browser tests expect: {changed}"
    )


# `_(` applied to anything but a string literal: Jinja reads its result as a format string.
TRANSLATED_NON_LITERAL = re.compile(r"(?<![\w.])_\(\s*(?![\"'])")


def test_templates_give_gettext_only_words_written_in_them():
    """A message made elsewhere (a field's error quoting what the user typed) goes through the
    `translated` filter, which never formats it: `_()` would read "%FF" as a format and fail."""
    misuses = [
        f"{template.relative_to(SOURCES)}:{number}"
        for template in sorted((SOURCES / "templates").rglob("*.html"))
        for number, line in enumerate(template.read_text().splitlines(), start=1)
        if TRANSLATED_NON_LITERAL.search(line)
    ]
    assert not misuses, f"use `message | translated` for a message that is not a literal: {misuses}"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_an_error_quoting_what_was_typed_is_shown_as_it_is(lang):
    from web.entrypoints.rendering import environment

    templates = environment(Texts(Catalogs()))
    token = use_language(lang)
    try:
        summary = templates.from_string(
            '{% from "_forms.html" import error_summary, field_error %}'
            "{{ error_summary(errors) }}{{ field_error(errors, 'product_codes') }}"
        ).render(errors={"product_codes": "'%FF %s %(x)s' is not a product code"})
    finally:
        token.var.reset(token)
    assert summary.count("&#39;%FF %s %(x)s&#39; is not a product code") == 2
