"""Partner suggestions, introductions, reminders and digests as the recipient reads them: the
partner's name, the listing pair, the reasons in the recipient's language, the link to answer,
Russian and Belarusian word forms and dates from babel."""

import pytest

from tests.email_samples import SUBJECT_SAYS

ANSWER_URL = "https://unionmatch.example/suggestions/0d8f9a3e-3f1c-4c55-9a87-3b0c0d0e0f10"
UNSUBSCRIBE_URL = "https://unionmatch.example/unsubscribe?token=abc.def.ghi"
REASONS_RU = [
    "Совпадает отрасль: лифты и подъёмное оборудование",
    "Граница рядом: Могилёв — Смоленск, 190 км",
]
REASONS_EN = [
    "Same sector: elevators and lifting equipment",
    "Close across the border: Mogilev — Smolensk, 190 km",
]
LANGUAGES = ["ru", "be", "en"]


def suggestion(language: str, **changes) -> dict:
    values = {
        "match_id": "0d8f9a3e-3f1c-4c55-9a87-3b0c0d0e0f10",
        "own_side": "need",
        "own_title": "Замена 120 пассажирских лифтов",
        "partner_title": "Пассажирские лифты ПП-0411",
        "partner_name": "ОАО «Могилёвлифтмаш»",
        "score": 0.87,
        "reasons_ru": REASONS_RU,
        "reasons_en": REASONS_EN,
        "reasons": REASONS_EN if language == "en" else REASONS_RU,
        "approved_at": "2026-03-02T10:00:00+00:00",
        "recipient_name": "МУП «Смоленскжилсервис»",
        "contact_person": "Мария Иванова",
        "partner": {"name": "ОАО «Могилёвлифтмаш»", "city": "Могилёв", "country": "BY"},
        "answer_url": ANSWER_URL,
        "unsubscribe_url": UNSUBSCRIBE_URL,
    }
    return values | changes


def introduction(language: str) -> dict:
    return suggestion(language) | {
        "partner": {
            "name": "ОАО «Могилёвлифтмаш»",
            "city": "Могилёв",
            "country": "BY",
            "contact_person": "Иван Петров",
            "email": "sales@liftmash.example.by",
            "phone": "+375222000000",
        },
        "own": {
            "name": "МУП «Смоленскжилсервис»",
            "city": "Смоленск",
            "country": "RU",
            "contact_person": "Мария Иванова",
            "email": "housing@example.ru",
            "phone": "+74812000000",
        },
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", ["suggestion", "reminder"])
def test_a_suggestion_names_the_partner_gives_reasons_in_the_recipients_language_and_links(
    renderer, template, language
):
    email = renderer.render(template, language, suggestion(language))

    assert SUBJECT_SAYS[(template, language)] in email.subject
    assert "Могилёвлифтмаш" in email.subject
    for body in (email.text, email.html):
        assert "Могилёвлифтмаш" in body
        assert "Могилёв" in body
        assert "Пассажирские лифты ПП-0411" in body
        assert "Замена 120 пассажирских лифтов" in body
    assert ANSWER_URL in email.text
    assert f'href="{ANSWER_URL}"' in email.html
    assert f'href="{UNSUBSCRIBE_URL}"' in email.html
    assert UNSUBSCRIBE_URL in email.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_suggestion_lists_every_reason_of_the_explanation_in_the_recipients_language(
    renderer, language
):
    email = renderer.render("suggestion", language, suggestion(language))

    expected, other = (REASONS_EN, REASONS_RU) if language == "en" else (REASONS_RU, REASONS_EN)
    for reason in expected:
        assert f"- {reason}" in email.text
        assert f"<li>{reason}</li>" in email.html
    assert not any(reason in email.text for reason in other)


@pytest.mark.parametrize(
    ("language", "count_phrase", "date_phrase", "country_name"),
    [
        ("ru", "2 причины", "2 марта 2026\u202fг.", "Беларусь"),
        ("be", "2 прычыны", "2 сакавіка 2026\u202fг.", "Беларусь"),
        ("en", "2 reasons", "March 2, 2026", "Belarus"),
    ],
)
def test_counts_dates_and_countries_are_written_as_the_recipients_language_writes_them(
    renderer, language, count_phrase, date_phrase, country_name
):
    email = renderer.render("suggestion", language, suggestion(language))

    assert count_phrase in email.text
    assert date_phrase in email.text
    assert country_name in email.text


@pytest.mark.parametrize(
    ("reasons", "phrase"),
    [(1, "1 причина"), (3, "3 причины"), (5, "5 причин"), (21, "21 причина"), (120, "120 причин")],
)
def test_russian_word_forms_follow_the_number(renderer, reasons, phrase):
    email = renderer.render(
        "suggestion", "ru", suggestion("ru", reasons=[f"причина {i}" for i in range(reasons)])
    )

    assert f"Почему мы предлагаем — {phrase}:" in email.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_introduction_gives_both_contacts(renderer, language):
    email = renderer.render("introduction", language, introduction(language))

    assert SUBJECT_SAYS[("introduction", language)] in email.subject
    for body in (email.text, email.html):
        for value in (
            "Иван Петров",
            "sales@liftmash.example.by",
            "+375222000000",
            "Мария Иванова",
            "housing@example.ru",
            "+74812000000",
        ):
            assert value in body


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("ru", "3 новых предложения"), ("be", "3 новыя прапановы"), ("en", "3 new suggestions")],
)
def test_the_daily_digest_counts_its_suggestions_and_links_each(renderer, language, phrase):
    items = [
        suggestion(language, partner_title=f"Лифты серии {i}", answer_url=f"{ANSWER_URL}{i}")
        for i in range(3)
    ]
    context = {
        "suggestions": items,
        "digest_on": "2026-03-02",
        "recipient_name": "МУП «Смоленскжилсервис»",
        "contact_person": "Мария Иванова",
        "unsubscribe_url": UNSUBSCRIBE_URL,
    }

    email = renderer.render("digest", language, context)

    assert phrase in email.subject
    for i in range(3):
        assert f"Лифты серии {i}" in email.text
        assert f'href="{ANSWER_URL}{i}"' in email.html
