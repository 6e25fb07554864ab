"""The enterprises the registry's unit stories register: real legal ids with their check digits,
and the registration forms of a Smolensk lift factory and the Mogilev lift maker."""

from __future__ import annotations

from stdnum.ru import inn as ru_inn
from stdnum.ru import ogrn as ru_ogrn

from registry.domain.enterprise import Enterprise

# Sberbank: a real organisation's INN and OGRN.
ORGANISATION_INN = "7707083893"
ORGANISATION_OGRN = "1027700132195"
# An individual entrepreneur of the Smolensk region (tax office 6731), with computed check digits.
ENTREPRENEUR_INN = "6731000123" + ru_inn.calc_personal_check_digits("6731000123")
_OGRNIP_BODY = "3" + "04" + "67" + "012345679"  # IP, registered 2004, Smolensk region, record
ENTREPRENEUR_OGRNIP = _OGRNIP_BODY + ru_ogrn.calc_check_digit(_OGRNIP_BODY + "0")
BELARUSIAN_UNP = "100582333"


def smolensk_company(**changes) -> dict:
    """The registration form of a Russian organisation, with `changes` over it."""
    fields = dict(
        name="ООО «Смоленский лифтостроительный завод»",
        country="RU",
        region="smolensk_oblast",
        city="Смоленск",
        inn=ORGANISATION_INN,
        ogrn=ORGANISATION_OGRN,
        unp=None,
        sectors=["elevators"],
        description="Пассажирские лифты для жилых домов",
        languages=["ru"],
        size="medium",
        certifications=["ISO 9001"],
        contact_person="Анна Смирнова",
        email="sales@lift.example.ru",
        phone="+74812000000",
        personal_data_consent=True,
    )
    return fields | changes


def mogilev_company(**changes) -> dict:
    """The registration form of the Belarusian lift maker, with `changes` over it."""
    belarusian = dict(
        name="ОАО «Могилёвлифтмаш»",
        country="BY",
        region="mogilev_oblast",
        city="Могилёв",
        inn=None,
        ogrn=None,
        unp=BELARUSIAN_UNP,
        languages=["be", "ru"],
        email="sales@liftmash.example.by",
    )
    return smolensk_company(**belarusian | changes)


def registered_lift_maker(reference) -> Enterprise:
    """The Mogilev lift maker registered by its owner's account, still pending."""
    return Enterprise.register(
        reference,
        **mogilev_company(
            description="Лифты",
            languages=["ru", "be"],
            size="large",
            contact_person="Иван Петров",
            phone="+375222000000",
        ),
        owner_account_id="account-7",
    )
