"""The enterprises the end-to-end stories register: each call is a new enterprise, with its own
legal id and address, so stories never collide on the shared test platform."""

import uuid

from tests.identifiers import fresh_inn, fresh_marker, fresh_unp

# The cities the stories' enterprises stand in, by region: Smolensk's is in Russia, the others
# in Belarus.
CITIES_BY_REGION = {
    "smolensk_oblast": ("Смоленск", "Вязьма", "Рославль", "Сафоново", "Угра"),
    "mogilev_oblast": ("Могилёв",),
    "gomel_oblast": ("Гомель",),
    "vitebsk_oblast": ("Орша",),
    "brest_oblast": ("Пинск",),
}


def enterprise_profile(marker: str, *, name: str, city: str, sectors: list[str], **fields) -> dict:
    """An enterprise of `city` (one of CITIES_BY_REGION) named `name` and `marker`, with a fresh
    legal id of its country and an email of its own; `fields` replace or add fields."""
    [region] = [region for region, cities in CITIES_BY_REGION.items() if city in cities]
    country = "RU" if region == "smolensk_oblast" else "BY"
    legal_id = {"unp": fresh_unp()} if country == "BY" else {"inn": fresh_inn()}
    return {
        "name": f"{name} {marker}",
        "country": country,
        "region": region,
        "city": city,
        **legal_id,
        "sectors": sectors,
        "languages": ["ru"],
        "size": "medium",
        "certifications": [],
        "contact_person": "Ирина Ковалёва",
        "email": f"contact-{marker}-{uuid.uuid4().hex[:6]}@example.{country.lower()}",
        "phone": "+375172000000",
        "personal_data_consent": True,
        "description": "Работаем с партнёрами по обе стороны границы.",
    } | fields


def housing_operator_profile(**changes) -> dict:
    """A Smolensk housing operator that needs lifts replaced; `changes` replace or add fields."""
    marker = fresh_marker(8)
    housing = enterprise_profile(
        marker, name="МУП «Смоленскжилсервис»", city="Смоленск", sectors=["construction"]
    )
    return housing | {
        "description": "Управляем многоквартирными домами Смоленска; нужна замена 120 "
        "пассажирских лифтов.",
        "contact_person": "Мария Иванова",
        "email": f"housing-{marker}@example.ru",
        "phone": "+74812000000",
        **changes,
    }


def lift_maker_profile(**changes) -> dict:
    """A Mogilev lift maker that says nothing of itself; `changes` replace or add fields
    (a description, languages, certifications...)."""
    marker = fresh_marker(8)
    maker = enterprise_profile(
        marker, name="ОАО «Могилёвлифтмаш»", city="Могилёв", sectors=["elevators"], size="large"
    )
    del maker["description"]
    contact = {"contact_person": "Иван Петров", "email": f"lifts-{marker}@example.by"}
    return maker | contact | {"languages": ["ru", "be"], "phone": "+375222123456", **changes}


def lift_offer(**changes) -> dict:
    """A lift maker's offer of passenger lifts, 200 a year; `changes` replace or add fields (the
    title, certifications...)."""
    return {
        "kind": "goods",
        "title": f"Пассажирские лифты {fresh_marker(6)}",
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
        "title": f"Замена пассажирских лифтов {fresh_marker(6)}, 120 шт.",
        "description": "Нужна замена 120 пассажирских лифтов в многоквартирных домах Смоленска",
        "sector": "elevators",
        "product_codes": ["842810"],
        "quantity": 120,
        "unit": "шт.",
    } | changes


# The need the registry's stories and the gateway's benchmark publish: whole, with its regions,
# certifications and validity, the same every time (a story that needs its own title makes one).
LIFT_NEED = lift_need(
    title="Нужна замена 120 пассажирских лифтов",
    description="Замена лифтов в многоквартирных домах Смоленска в 2027 году; "
    "грузоподъёмность 400 и 630 кг.",
    regions=["smolensk_oblast"],
    certifications=["EAC"],
    valid_until="2030-12-31",
)
