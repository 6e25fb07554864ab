"""The registration forms of the design's two companies, the Smolensk housing operator and the
Mogilev lift maker, as their owners fill them in; fresh legal ids unless a story names its own, so
registrations never collide."""

from __future__ import annotations

from tests.identifiers import fresh_inn, fresh_unp


def smolensk_housing_operator(**changes) -> dict:
    fields = dict(
        name="МУП «Смоленскжилсервис»",
        country="RU",
        region="smolensk_oblast",
        city="Смоленск",
        inn=fresh_inn(),
        ogrn=None,
        unp=None,
        sectors=["construction"],
        description="Управляем многоквартирными домами Смоленска.",
        languages=["ru"],
        size="medium",
        certifications=[],
        contact_person="Мария Иванова",
        email="housing@example.ru",
        phone="+74812000000",
        personal_data_consent=True,
    )
    return fields | changes


def mogilev_lift_maker(**changes) -> dict:
    fields = dict(
        name="ОАО «Могилёвлифтмаш»",
        country="BY",
        region="mogilev_oblast",
        city="Могилёв",
        inn=None,
        ogrn=None,
        unp=fresh_unp(),
        sectors=["elevators"],
        description="Пассажирские и грузовые лифты.",
        languages=["ru", "be"],
        size="large",
        certifications=["ISO 9001", "EAC"],
        contact_person="Иван Петров",
        email="sales@liftmash.example.by",
        phone="+375222000000",
        personal_data_consent=True,
    )
    return fields | changes
