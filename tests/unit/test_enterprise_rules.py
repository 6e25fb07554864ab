"""A company registers its enterprise; an agency reviewer then verifies it.

Registration is checked against the real reference data of the repository: the regions of both
countries and the sector taxonomy.
"""

import uuid
from datetime import UTC, datetime

import pytest

from registry.domain.enterprise import Country, Enterprise, EnterpriseStatus
from registry.domain.errors import InvalidInput, InvalidTransition
from tests.unit.registry_enterprises import (
    BELARUSIAN_UNP,
    ENTREPRENEUR_INN,
    ENTREPRENEUR_OGRNIP,
    ORGANISATION_INN,
    ORGANISATION_OGRN,
    mogilev_company,
    smolensk_company,
)


def refusal(reference, fields: dict) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        Enterprise.register(reference, **fields)
    return refused.value


def refused_fields(error: InvalidInput) -> list[str]:
    return [e.field for e in error.errors]


# --- Russian enterprises ---------------------------------------------------------------------


def test_a_smolensk_organisation_with_valid_inn_and_ogrn_registers_and_awaits_verification(
    reference,
):
    enterprise = Enterprise.register(reference, **smolensk_company())

    assert isinstance(enterprise.id, uuid.UUID)
    assert enterprise.country is Country.RU
    assert enterprise.status is EnterpriseStatus.PENDING
    assert enterprise.version == 1
    assert enterprise.verified_by is None and enterprise.verified_at is None
    assert enterprise.legal_id == ORGANISATION_INN


def test_two_registrations_get_different_ids(reference):
    first = Enterprise.register(reference, **smolensk_company())
    second = Enterprise.register(reference, **smolensk_company())

    assert first.id != second.id


def test_an_individual_entrepreneur_registers_with_a_12_digit_inn_and_15_digit_ogrnip(reference):
    enterprise = Enterprise.register(
        reference, **smolensk_company(inn=ENTREPRENEUR_INN, ogrn=ENTREPRENEUR_OGRNIP)
    )

    assert enterprise.legal_id == ENTREPRENEUR_INN


def test_an_individual_entrepreneur_with_a_13_digit_ogrn_is_refused(reference):
    error = refusal(reference, smolensk_company(inn=ENTREPRENEUR_INN, ogrn=ORGANISATION_OGRN))

    assert refused_fields(error) == ["ogrn"]
    assert "OGRNIP" in error.errors[0].reason


def test_a_russian_enterprise_without_an_inn_is_refused(reference):
    error = refusal(reference, smolensk_company(inn=None))

    assert refused_fields(error) == ["inn"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"inn": "7707083894"}, "inn"),
        ({"ogrn": "1027700132196"}, "ogrn"),
    ],
)
def test_a_russian_id_with_a_bad_check_digit_is_refused_naming_the_field(reference, changes, field):
    error = refusal(reference, smolensk_company(**changes))

    assert refused_fields(error) == [field]
    assert field in str(error)


def test_a_russian_enterprise_presenting_a_belarusian_unp_is_refused(reference):
    error = refusal(reference, smolensk_company(unp=BELARUSIAN_UNP))

    assert refused_fields(error) == ["unp"]


# --- Belarusian enterprises ------------------------------------------------------------------


def test_a_mogilev_enterprise_with_a_valid_unp_registers(reference):
    enterprise = Enterprise.register(reference, **mogilev_company())

    assert enterprise.country is Country.BY
    assert enterprise.status is EnterpriseStatus.PENDING
    assert enterprise.legal_id == BELARUSIAN_UNP


def test_a_belarusian_enterprise_without_a_unp_is_refused(reference):
    error = refusal(reference, mogilev_company(unp=None))

    assert refused_fields(error) == ["unp"]


def test_a_belarusian_unp_with_a_bad_check_digit_is_refused(reference):
    error = refusal(reference, mogilev_company(unp="100582334"))

    assert refused_fields(error) == ["unp"]


@pytest.mark.parametrize(
    ("field", "value"), [("inn", ORGANISATION_INN), ("ogrn", ORGANISATION_OGRN)]
)
def test_a_belarusian_enterprise_presenting_a_russian_id_is_refused(reference, field, value):
    error = refusal(reference, mogilev_company(**{field: value}))

    assert refused_fields(error) == [field]
    assert "UNP" in error.errors[0].reason


def test_the_same_unp_typed_in_lower_case_is_recognised_as_the_same_enterprise(reference):
    upper = Enterprise.register(reference, **mogilev_company(unp="MA1953684"))
    lower = Enterprise.register(reference, **mogilev_company(unp="ma1953684"))

    assert lower.legal_id == upper.legal_id


# --- Region, sectors, consent ----------------------------------------------------------------


def test_an_unknown_region_is_refused(reference):
    error = refusal(reference, smolensk_company(region="atlantis"))

    assert refused_fields(error) == ["region"]
    assert "atlantis" in error.errors[0].reason


@pytest.mark.parametrize(
    "fields",
    [smolensk_company(region="mogilev_oblast"), mogilev_company(region="smolensk_oblast")],
    ids=["russian-in-mogilev", "belarusian-in-smolensk"],
)
def test_a_region_of_the_other_country_is_refused(reference, fields):
    error = refusal(reference, fields)

    assert refused_fields(error) == ["region"]


def test_an_enterprise_may_work_in_several_known_sectors(reference):
    enterprise = Enterprise.register(
        reference, **smolensk_company(sectors=["elevators", "construction"])
    )

    assert enterprise.sectors == ["elevators", "construction"]


def test_an_unknown_sector_is_refused_and_named(reference):
    error = refusal(reference, smolensk_company(sectors=["elevators", "space_tourism"]))

    assert refused_fields(error) == ["sectors"]
    assert "space_tourism" in error.errors[0].reason


def test_registration_without_personal_data_consent_is_refused(reference):
    error = refusal(reference, smolensk_company(personal_data_consent=False))

    assert refused_fields(error) == ["personal_data_consent"]


def test_every_mistake_is_reported_at_once_so_the_company_can_fix_the_form_in_one_go(reference):
    error = refusal(
        reference,
        smolensk_company(
            inn="7707083894",
            region="minsk",
            sectors=["construction", "alchemy", "teleportation"],
            personal_data_consent=False,
        ),
    )

    assert refused_fields(error) == ["inn", "region", "sectors", "sectors", "personal_data_consent"]
    message = str(error)
    for part in ("inn:", "region:", "alchemy", "teleportation", "personal_data_consent:"):
        assert part in message


def test_the_registration_example_shown_in_the_api_docs_is_accepted(reference):
    from registry.entrypoints.schemas import EnterpriseIn

    example = EnterpriseIn.model_config["json_schema_extra"]["examples"][0]
    body = EnterpriseIn.model_validate(example).model_dump()

    Enterprise.register(reference, **body)


# --- Verification by the agency --------------------------------------------------------------


def test_a_reviewer_verifies_a_pending_enterprise_and_it_is_recorded_who_and_when(reference):
    enterprise = Enterprise.register(reference, **smolensk_company())
    when = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)

    enterprise.verify(by="reviewer@agency.example", at=when)

    assert enterprise.status is EnterpriseStatus.VERIFIED
    assert enterprise.verified_by == "reviewer@agency.example"
    assert enterprise.verified_at == when
    assert enterprise.version == 2


def test_an_enterprise_cannot_be_verified_twice(reference):
    enterprise = Enterprise.register(reference, **mogilev_company())
    first = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    enterprise.verify(by="first@agency.example", at=first)

    with pytest.raises(InvalidTransition, match="verified"):
        enterprise.verify(by="second@agency.example", at=datetime(2026, 3, 3, tzinfo=UTC))

    assert enterprise.verified_by == "first@agency.example"
    assert enterprise.verified_at == first
    assert enterprise.version == 2


def test_a_suspended_enterprise_cannot_be_verified(reference):
    enterprise = Enterprise.register(reference, **smolensk_company())
    enterprise.status = EnterpriseStatus.SUSPENDED

    with pytest.raises(InvalidTransition, match="suspended"):
        enterprise.verify(by="reviewer@agency.example", at=datetime(2026, 3, 2, tzinfo=UTC))

    assert enterprise.status is EnterpriseStatus.SUSPENDED
    assert enterprise.verified_by is None
