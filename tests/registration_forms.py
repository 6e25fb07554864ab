"""The forms of the design's two companies as their owners fill them in: the registration forms of
the Smolensk housing operator and the Mogilev lift maker (fresh legal ids unless a story names its
own, so registrations never collide) and the housing operator's lift need."""

from __future__ import annotations

import copy
from datetime import date

from tests.identifiers import fresh_inn, fresh_unp

# The two companies' forms side by side: (the Smolensk housing operator, the Mogilev lift maker);
# their legal ids are drawn afresh for each form.
_FORMS = {
    "name": ("МУП «Смоленскжилсервис»", "ОАО «Могилёвлифтмаш»"),
    "country": ("RU", "BY"),
    "region": ("smolensk_oblast", "mogilev_oblast"),
    "city": ("Смоленск", "Могилёв"),
    "sectors": (["construction"], ["elevators"]),
    "description": (
        "Управляем многоквартирными домами Смоленска.",
        "Пассажирские и грузовые лифты.",
    ),
    "languages": (["ru"], ["ru", "be"]),
    "size": ("medium", "large"),
    "certifications": ([], ["ISO 9001", "EAC"]),
    "contact_person": ("Мария Иванова", "Иван Петров"),
    "email": ("housing@example.ru", "sales@liftmash.example.by"),
    "phone": ("+74812000000", "+375222000000"),
}


def _form(column: int, **legal_ids) -> dict:
    fields = {field: copy.copy(sides[column]) for field, sides in _FORMS.items()}
    return fields | dict(inn=None, ogrn=None, unp=None, personal_data_consent=True) | legal_ids


def smolensk_housing_operator(**changes) -> dict:
    return _form(0, inn=fresh_inn()) | changes


def mogilev_lift_maker(**changes) -> dict:
    return _form(1, unp=fresh_unp()) | changes


def lift_need(**changes) -> dict:
    """The housing operator's need of 120 passenger lifts as it fills in the listing form."""
    fields = dict(
        kind="goods",
        title="Нужна замена 120 пассажирских лифтов",
        description="Замена лифтов в многоквартирных домах Смоленска в 2027 году; "
        "грузоподъёмность 400 и 630 кг.",
        sector="elevators",
        product_codes=["842810"],
        quantity=120,
        unit="шт.",
        regions=["smolensk_oblast"],
        certifications=["EAC"],
        valid_until=date(2030, 12, 31),
    )
    return fields | changes
