"""After registering, a company keeps its profile current; the agency may suspend it; the company
may leave. Who may do what is decided by the caller's token."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from registry.domain.actors import Caller
from registry.domain.enterprise import Enterprise, EnterpriseStatus
from registry.domain.errors import (
    Forbidden,
    InvalidInput,
    InvalidTransition,
    StaleVersion,
    check_version,
)
from tests.unit.registry_enterprises import registered_lift_maker


@pytest.fixture
def lift_maker(reference) -> Enterprise:
    return registered_lift_maker(reference)


def test_the_owner_changes_its_description_and_the_version_moves_on(reference, lift_maker):
    assert lift_maker.change(
        reference, {"description": "Лифты и эскалаторы", "certifications": ["ISO 9001", "EAC"]}
    )

    assert lift_maker.description == "Лифты и эскалаторы"
    assert lift_maker.version == 2


def test_a_change_to_what_is_already_there_is_no_new_version(reference, lift_maker):
    assert not lift_maker.change(reference, {"city": "Могилёв"})
    assert lift_maker.version == 1


def test_a_change_to_a_region_of_the_other_country_is_refused_and_leaves_the_profile_as_it_was(
    reference, lift_maker
):
    with pytest.raises(InvalidInput) as refused:
        lift_maker.change(reference, {"region": "smolensk_oblast", "city": "Смоленск"})

    assert [e.field for e in refused.value.errors] == ["region"]
    assert (
        lift_maker.region == "mogilev_oblast"
        and lift_maker.city == "Могилёв"
        and lift_maker.version == 1
    )


@pytest.mark.parametrize("name", ["status", "verified_by", "owner_account_id"])
def test_what_the_agency_or_the_platform_decides_cannot_be_changed_by_an_edit(
    reference, lift_maker, name
):
    with pytest.raises(InvalidInput) as refused:
        lift_maker.change(reference, {name: "RU"})
    assert [e.field for e in refused.value.errors] == [name]


def test_a_country_changed_without_its_legal_ids_and_region_is_refused(reference, lift_maker):
    with pytest.raises(InvalidInput) as refused:
        lift_maker.change(reference, {"country": "RU"})
    assert {e.field for e in refused.value.errors} >= {"region", "unp"}
    assert lift_maker.country == "BY" and lift_maker.version == 1


def test_the_agency_suspends_an_enterprise_once(lift_maker):
    lift_maker.suspend(by="reviewer-1", reason="документы не подтверждены")

    assert lift_maker.status is EnterpriseStatus.SUSPENDED
    assert lift_maker.extra["suspension_reason"] == "документы не подтверждены"
    with pytest.raises(InvalidTransition):
        lift_maker.suspend(by="reviewer-1", reason=None)
    with pytest.raises(InvalidTransition):
        lift_maker.may_publish()


def test_lifting_a_suspension_returns_the_enterprise_to_where_it_was(lift_maker):
    lift_maker.suspend(by="reviewer-1", reason="документы не подтверждены")
    lift_maker.reinstate(by="reviewer-2")

    assert lift_maker.status is EnterpriseStatus.PENDING
    lift_maker.may_publish()
    with pytest.raises(InvalidTransition, match="only a suspended"):
        lift_maker.reinstate(by="reviewer-2")


def test_a_verified_enterprise_is_verified_again_once_its_suspension_is_lifted(lift_maker):
    lift_maker.verify(by="reviewer-1", at=datetime.now(UTC))
    lift_maker.suspend(by="reviewer-1", reason=None)

    lift_maker.reinstate(by="reviewer-1")

    assert lift_maker.status is EnterpriseStatus.VERIFIED
    assert lift_maker.version == 4


def test_a_deleted_enterprise_keeps_no_contacts(lift_maker):
    lift_maker.delete(at=datetime.now(UTC))

    assert lift_maker.deleted_at is not None
    assert (lift_maker.contact_person, lift_maker.email, lift_maker.phone) == ("", "", None)


def test_a_stale_version_is_a_conflict():
    check_version("offer", expected=3, current=3)
    with pytest.raises(StaleVersion) as stale:
        check_version("offer", expected=2, current=3)
    assert stale.value.current == 3


@pytest.mark.parametrize(
    ("caller", "manages"),
    [
        (Caller(account_id="someone", role="company", enterprise_ids=frozenset()), False),
        (Caller(account_id=None, role="anonymous"), False),
        (Caller(account_id="account-7", role="company"), True),  # registered it
        (Caller(account_id="reviewer", role="agency"), True),
        (Caller(account_id="root", role="admin"), True),
    ],
)
def test_only_the_owner_and_the_agency_manage_an_enterprise(lift_maker, caller, manages):
    assert caller.manages(lift_maker) is manages
    if not manages:
        with pytest.raises(Forbidden):
            caller.require_manages(lift_maker)


def test_a_company_whose_token_lists_the_enterprise_manages_it(lift_maker):
    assert Caller(
        account_id="other", role="company", enterprise_ids=frozenset({str(lift_maker.id)})
    ).manages(lift_maker)
