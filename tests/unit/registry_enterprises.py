"""The enterprises the registry's unit stories register: real legal ids with their check digits,
and the registration forms of a Smolensk lift factory and of the Mogilev lift maker (over
tests/registration_forms.py)."""

from __future__ import annotations

from stdnum.ru import inn as ru_inn
from stdnum.ru import ogrn as ru_ogrn

from registry.domain.enterprise import Enterprise
from tests.registration_forms import mogilev_lift_maker, smolensk_housing_operator

# Sberbank: a real organisation's INN and OGRN.
ORGANISATION_INN = "7707083893"
ORGANISATION_OGRN = "1027700132195"
# An individual entrepreneur of the Smolensk region (tax office 6731), with computed check digits.
ENTREPRENEUR_INN = "6731000123" + ru_inn.calc_personal_check_digits("6731000123")
_OGRNIP_BODY = "3" + "04" + "67" + "012345679"  # IP, registered 2004, Smolensk region, record
ENTREPRENEUR_OGRNIP = _OGRNIP_BODY + ru_ogrn.calc_check_digit(_OGRNIP_BODY + "0")
BELARUSIAN_UNP = "100582333"


def smolensk_company(**changes) -> dict:
    """The registration form of a Russian lift factory, with `changes` over it."""
    lift_factory = dict(
        name="ООО «Смоленский лифтостроительный завод»",
        inn=ORGANISATION_INN,
        ogrn=ORGANISATION_OGRN,
        sectors=["elevators"],
        description="Пассажирские лифты для жилых домов",
        certifications=["ISO 9001"],
        contact_person="Анна Смирнова",
        email="sales@lift.example.ru",
    )
    return smolensk_housing_operator(**lift_factory | changes)


def mogilev_company(**changes) -> dict:
    """The lift factory's form filled in by the Belarusian lift maker (its name, place, UNP and
    e-mail), with `changes` over it."""
    maker = mogilev_lift_maker(unp=BELARUSIAN_UNP, languages=["be", "ru"])
    belarusian = {field: maker[field] for field in _WHO_AND_WHERE}
    return smolensk_company(**belarusian | changes)


_WHO_AND_WHERE = ("name", "country", "region", "city", "inn", "ogrn", "unp", "languages", "email")


def registered_lift_maker(reference) -> Enterprise:
    """The Mogilev lift maker registered by its owner's account, still pending."""
    form = mogilev_lift_maker(unp=BELARUSIAN_UNP, description="Лифты", certifications=["ISO 9001"])
    return Enterprise.register(reference, **form, owner_account_id="account-7")
