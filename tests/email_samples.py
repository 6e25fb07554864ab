"""Every email template with a context a real delivery could have, with long Russian, Belarusian
and English names (folded subjects, long lines), for the tests that read the emails as the
recipients' mail software does (tests/unit/test_email_subject_folding.py,
tests/integration/test_emails_pass_spam_filters.py)."""

from __future__ import annotations

from pathlib import Path

from notifications.adapters.links import SignedLinks

TEMPLATES_DIR = (
    Path(__file__).resolve().parents[1]
    / "services"
    / "notifications"
    / "notifications"
    / "templates"
)
LANGUAGES = ("ru", "be", "en")
BULK = frozenset({"suggestion", "reminder", "digest", "suggestion_ended"})

# What the subject of each template must tell the recipient, in each language.
SUBJECT_SAYS = {
    ("welcome", "ru"): "зарегистрировано",
    ("welcome", "be"): "зарэгістравана",
    ("welcome", "en"): "is registered",
    ("verified", "ru"): "прошло проверку",
    ("verified", "be"): "прайшло праверку",
    ("verified", "en"): "has been verified",
    ("suggestion", "ru"): "Предложение о партнёрстве",
    ("suggestion", "be"): "Прапанова аб партнёрстве",
    ("suggestion", "en"): "Partner suggestion",
    ("reminder", "ru"): "Напоминание",
    ("reminder", "be"): "Напамін",
    ("reminder", "en"): "Reminder",
    ("introduction", "ru"): "Знакомство с партнёром",
    ("introduction", "be"): "Знаёмства з партнёрам",
    ("introduction", "en"): "Introduction",
}


LINKS = SignedLinks(
    public_base_url="https://unionmatch.example.org", secret="sample-links-secret-" * 2
)
ENTERPRISE_ID = "5b0f3a52-5f0e-4c43-8d59-1c7c2f6a4e11"
MATCH_ID = "0d8f9a3e-3f1c-4c55-9a87-3b0c0d0e0f10"

# Names long enough that every subject is folded, with spaces at the places a folder may choose.
LONG_ENTERPRISE = (
    "Открытое акционерное общество «Смоленский завод червячных редукторов и "
    "мотор-редукторов имени Ленина»"
)
LONG_PARTNER = (
    "ОАО «Могилёвский завод лифтового машиностроения и пассажирских подъёмников «Могилёвлифтмаш»"
)
LONG_OWN_TITLE = (
    "Червячные редукторы для пассажирских и грузовых лифтов жилых домов Смоленской области, 400 кг"
)
LONG_PARTNER_TITLE = (
    "Пассажирские лифты ПП-0411 грузоподъёмностью 400 кг с червячными "
    "редукторами и частотным приводом"
)
REASONS_RU = [
    "Коды ТН ВЭД совпадают до 6 знаков (8428 10)",
    "Доставка в Смоленскую область",
    "Брест — Смоленск 580 км (Беларусь — Россия)",
]
REASONS_EN = [
    "HS codes match to 6 digits (8428 10)",
    "Delivers to Smolensk Oblast",
    "Brest — Smolensk 580 km (Belarus — Russia)",
]
REASONS_BE = [
    "Коды ТН ВЭД супадаюць да 6 знакаў (8428 10)",
    "Дастаўка ў Смаленскую вобласць",
    "Брэст — Смаленск 580 км (Беларусь — Расія)",
]


def _match() -> dict:
    unsubscribe = LINKS.unsubscribe(ENTERPRISE_ID)
    return {
        "match_id": MATCH_ID,
        "own_side": "need",
        "own_title": LONG_OWN_TITLE,
        "partner_title": LONG_PARTNER_TITLE,
        "partner_name": LONG_PARTNER,
        "score": 0.87,
        "reasons_ru": REASONS_RU,
        "reasons_en": REASONS_EN,
        "reasons_be": REASONS_BE,
        "approved_at": "2026-03-02T10:00:00+00:00",
        "recipient_name": LONG_ENTERPRISE,
        "contact_person": "Мария Ивановна Кузнецова-Сидоренко",
        "partner": {"name": LONG_PARTNER, "city": "Могилёв", "country": "BY"},
        "answer_url": LINKS.answer(MATCH_ID),
        "unsubscribe_url": unsubscribe,
        "one_click_unsubscribe_url": LINKS.one_click_unsubscribe(ENTERPRISE_ID),
    }


def _transactional(values: dict) -> dict:
    """compose() gives only bulk mail its unsubscribe links."""
    return {
        key: value
        for key, value in values.items()
        if key not in ("unsubscribe_url", "one_click_unsubscribe_url")
    }


def _reasons(language: str) -> list[str]:
    return {"en": REASONS_EN, "be": REASONS_BE}.get(language, REASONS_RU)


def _enterprise() -> dict:
    return {
        "enterprise_name": LONG_ENTERPRISE,
        "contact_person": "Мария Ивановна Кузнецова-Сидоренко",
        "profile_url": f"https://unionmatch.example.org/enterprises/{ENTERPRISE_ID}",
    }


def _account() -> dict:
    return {
        "link": "https://unionmatch.example.org/confirm?token=eyJhbGciOiJIUzI1NiJ9.sample.signature",
        "valid_hours": 24,
        "valid_days": 7,
        "name": "Мария Ивановна Кузнецова-Сидоренко",
        "role": "agency",
        "email": "maria@example.ru",
    }


def context(template: str, language: str) -> dict:
    """The template's context as composing.compose leaves it for a recipient reading `language`."""
    match = _match() | {"reasons": _reasons(language)}
    contacts = {
        "contact_person": "Иван Петров",
        "email": "sales@liftmash.example.by",
        "phone": "+375 222 00-00-00",
    }
    samples = {
        "welcome": _enterprise(),
        "verified": _enterprise(),
        "recheck": _enterprise() | {"changed": ["name", "inn"]},
        "suspended": _enterprise()
        | {
            "reason": "Документы не подтверждают регистрацию предприятия",
            "agency_email": "agency@unionmatch.example.org",
            "agency_phone": "+7 4812 00-00-00",
        },
        "suggestion": match,
        "reminder": match,
        "suggestion_ended": match | {"ending": "declined", "ended_at": "2026-03-09T10:00:00+00:00"},
        "introduction": _transactional(match)
        | {
            "partner": {"name": LONG_PARTNER, "city": "Могилёв", "country": "BY"} | contacts,
            "own": {
                "name": LONG_ENTERPRISE,
                "city": "Смоленск",
                "country": "RU",
                "contact_person": "Мария Кузнецова",
                "email": "housing@example.ru",
                "phone": "+7 4812 00-00-00",
            },
        },
        "listing_expiring": _enterprise()
        | {
            "recipient_name": LONG_ENTERPRISE,
            "side": "offer",
            "title": LONG_OWN_TITLE,
            "valid_until": "2026-04-01",
            "extend_url": "https://unionmatch.example.org/my/offers/1",
        },
        "digest": {
            "recipient_name": LONG_ENTERPRISE,
            "contact_person": "Мария Ивановна Кузнецова-Сидоренко",
            "digest_on": "2026-03-03",
            "suggestions": [match, match | {"partner_title": "Грузовые лифты ГП-1000"}],
            "unsubscribe_url": match["unsubscribe_url"],
            "one_click_unsubscribe_url": match["one_click_unsubscribe_url"],
        },
    }
    # A template without its own sample (a new one) is tried with what account emails carry.
    return samples.get(template, _enterprise() | _account())


def templates() -> list[str]:
    return sorted({path.name.split(".")[0] for path in TEMPLATES_DIR.glob("*.*.j2")} - {"base"})


def every_email() -> list[tuple[str, str]]:
    return [
        (template, language)
        for template in templates()
        for language in LANGUAGES
        if (TEMPLATES_DIR / f"{template}.{language}.j2").exists()
    ]
