"""The enterprises the end-to-end stories register: each call is a new enterprise, with its own
legal id and address, so stories never collide on the shared test platform."""

import uuid

from tests.identifiers import fresh_inn, fresh_unp


def housing_operator_profile(**changes) -> dict:
    """A Smolensk housing operator that needs lifts replaced; `changes` replace or add fields."""
    marker = uuid.uuid4().hex[:8]
    return {
        "name": f"МУП «Смоленскжилсервис» {marker}",
        "country": "RU",
        "region": "smolensk_oblast",
        "city": "Смоленск",
        "inn": fresh_inn(),
        "sectors": ["construction"],
        "description": "Управляем многоквартирными домами Смоленска; нужна замена 120 "
        "пассажирских лифтов.",
        "languages": ["ru"],
        "size": "medium",
        "certifications": [],
        "contact_person": "Мария Иванова",
        "email": f"housing-{marker}@example.ru",
        "phone": "+74812000000",
        "personal_data_consent": True,
    } | changes


def lift_maker_profile(**changes) -> dict:
    """A Mogilev lift maker; `changes` replace or add fields (languages, certifications...)."""
    marker = uuid.uuid4().hex[:8]
    return {
        "name": f"ОАО «Могилёвлифтмаш» {marker}",
        "country": "BY",
        "region": "mogilev_oblast",
        "city": "Могилёв",
        "unp": fresh_unp(),
        "sectors": ["elevators"],
        "languages": ["ru", "be"],
        "size": "large",
        "certifications": [],
        "contact_person": "Иван Петров",
        "email": f"lifts-{marker}@example.by",
        "phone": "+375222123456",
        "personal_data_consent": True,
    } | changes


def lift_offer(**changes) -> dict:
    """A lift maker's offer of passenger lifts, 200 a year; `changes` replace or add fields (the
    title, certifications...)."""
    return {
        "kind": "goods",
        "title": f"Пассажирские лифты {uuid.uuid4().hex[:6]}",
        "description": "Производим и монтируем пассажирские лифты для жилых домов, до 200 "
        "шт. в год",
        "sector": "elevators",
        "product_codes": ["8428101000"],
        "quantity": 200,
        "unit": "шт.",
    } | changes


def lift_need(**changes) -> dict:
    """A Smolensk housing operator's need of 120 passenger lifts; `changes` replace or add
    fields."""
    return {
        "kind": "goods",
        "title": f"Замена пассажирских лифтов {uuid.uuid4().hex[:6]}, 120 шт.",
        "description": "Нужна замена 120 пассажирских лифтов в многоквартирных домах Смоленска",
        "sector": "elevators",
        "product_codes": ["842810"],
        "quantity": 120,
        "unit": "шт.",
    } | changes
