"""The agency verified who an enterprise is: editing its name, country or legal ids sends a verified
enterprise back to pending, for the agency to check again; any other edit keeps it verified."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from registry.domain.enterprise import Enterprise, EnterpriseStatus
from tests.registration_forms import smolensk_housing_operator
from tests.unit.registry_enterprises import registered_lift_maker

VERIFIED_AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def lift_maker(reference) -> Enterprise:
    return registered_lift_maker(reference)


@pytest.fixture
def verified(lift_maker: Enterprise) -> Enterprise:
    lift_maker.verify(by="reviewer-1", at=VERIFIED_AT)
    return lift_maker


@pytest.mark.parametrize(
    "changes, because",
    [
        ({"name": "ОАО «Новый Лифтмаш»"}, ["name"]),
        ({"unp": "790000003"}, ["unp"]),
        ({"name": "ОАО «Лифтмаш»", "unp": "790000003", "phone": "+375222111111"}, ["name", "unp"]),
    ],
)
def test_editing_what_identifies_a_verified_enterprise_sends_it_back_to_pending(
    reference, verified, changes, because
):
    assert verified.change(reference, changes)

    assert verified.status is EnterpriseStatus.PENDING
    assert verified.recheck_because == because and verified.sent_back_for_recheck
    assert verified.verified_by is None and verified.verified_at is None
    assert verified.extra["previously_verified_by"] == "reviewer-1"


def test_a_russian_enterprise_that_corrects_its_inn_is_checked_again(reference):
    form = smolensk_housing_operator(
        name="ООО «Смоленская УК»",
        inn="6731000007",
        description="",
        email="uk@example.ru",
        phone=None,
    )
    buyer = Enterprise.register(reference, **form)
    buyer.verify(by="reviewer-1", at=VERIFIED_AT)

    assert buyer.change(reference, {"inn": "7707083893"})

    assert buyer.status is EnterpriseStatus.PENDING and buyer.recheck_because == ["inn"]


@pytest.mark.parametrize(
    "changes",
    [
        {"phone": "+375222111111"},
        {"contact_person": "Ольга Сидорова"},
        {"sectors": ["elevators", "construction"]},
        {"description": "Лифты и эскалаторы"},
        {"email": "info@liftmash.example.by"},
        {"city": "Бобруйск"},
    ],
)
def test_other_edits_keep_a_verified_enterprise_verified(reference, verified, changes):
    assert verified.change(reference, changes)

    assert verified.status is EnterpriseStatus.VERIFIED and verified.verified_by == "reviewer-1"
    assert verified.recheck_because == []


def test_a_pending_enterprise_that_edits_its_name_simply_stays_pending(reference, lift_maker):
    assert lift_maker.change(reference, {"name": "ОАО «Лифтмаш»"})

    assert lift_maker.status is EnterpriseStatus.PENDING and lift_maker.recheck_because == []


def test_verifying_again_clears_the_reason_and_the_enterprise_is_verified(reference, verified):
    verified.change(reference, {"name": "ОАО «Новый Лифтмаш»"})

    verified.verify(by="reviewer-2", at=datetime(2026, 12, 1, tzinfo=UTC))

    assert verified.status is EnterpriseStatus.VERIFIED and verified.verified_by == "reviewer-2"
    assert verified.recheck_because == [] and "recheck_because" not in verified.extra


def test_a_suspended_enterprise_that_edits_its_name_is_pending_once_the_suspension_is_lifted(
    reference, verified
):
    verified.suspend(by="reviewer-1", reason="проверка документов")
    verified.change(reference, {"name": "ОАО «Другое имя»"})

    assert verified.status is EnterpriseStatus.SUSPENDED
    verified.reinstate(by="reviewer-1")

    assert verified.status is EnterpriseStatus.PENDING and verified.recheck_because == ["name"]
