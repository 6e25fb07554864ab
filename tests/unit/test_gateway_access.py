"""The door's decision for each access rule and kind of caller, without any server."""

import pytest

from gateway.domain.access import Access, Verdict, authorize
from servicekit.internal_token import ANONYMOUS, Caller

OWN = "3f2b8c1e-8d4a-4f7e-9a51-6b0d2c9e7a10"
OTHER = "9c4e2a77-1b3d-4c5e-8f60-2a7b9d1e4c33"

owner = Caller(account_id="a1", role="company", enterprise_ids=frozenset({OWN}))
newcomer = Caller(account_id="a2", role="company")
reviewer = Caller(account_id="a3", role="agency")
admin = Caller(account_id="a4", role="admin")


@pytest.mark.parametrize("caller", [ANONYMOUS, owner, reviewer, admin])
def test_anyone_may_read_the_public_catalogue(caller):
    assert authorize(Access.ANYONE, caller) is Verdict.ALLOW


@pytest.mark.parametrize("access", [Access.SIGNED_IN, Access.COMPANY, Access.STAFF, Access.ADMIN])
def test_a_visitor_without_an_account_is_asked_to_sign_in_everywhere_else(access):
    assert authorize(access, ANONYMOUS, enterprise_id=OWN) is Verdict.SIGN_IN


def test_a_company_changes_its_own_enterprise_but_not_anothers():
    assert authorize(Access.COMPANY, owner, enterprise_id=OWN) is Verdict.ALLOW
    assert authorize(Access.COMPANY, owner, enterprise_id=OTHER) is Verdict.FORBIDDEN
    assert authorize(Access.COMPANY, newcomer, enterprise_id=OWN) is Verdict.FORBIDDEN


def test_an_enterprise_id_written_in_capitals_is_still_the_companys_own():
    assert authorize(Access.COMPANY, owner, enterprise_id=OWN.upper()) is Verdict.ALLOW


def test_a_company_may_register_its_first_enterprise_and_answer_suggestions_the_service_scopes():
    assert authorize(Access.COMPANY, newcomer) is Verdict.ALLOW


@pytest.mark.parametrize("staff", [reviewer, admin])
def test_the_agency_and_admins_may_act_on_any_enterprise(staff):
    assert authorize(Access.COMPANY, staff, enterprise_id=OTHER) is Verdict.ALLOW
    assert authorize(Access.STAFF, staff) is Verdict.ALLOW


def test_a_company_may_not_review_matches():
    assert authorize(Access.STAFF, owner) is Verdict.FORBIDDEN


def test_only_an_admin_resends_dead_emails():
    assert authorize(Access.ADMIN, admin) is Verdict.ALLOW
    assert authorize(Access.ADMIN, reviewer) is Verdict.FORBIDDEN
    assert authorize(Access.ADMIN, owner) is Verdict.FORBIDDEN


@pytest.mark.parametrize("caller", [owner, newcomer, reviewer, admin])
def test_any_account_may_read_what_is_scoped_to_it(caller):
    assert authorize(Access.SIGNED_IN, caller) is Verdict.ALLOW


def test_an_unknown_role_in_a_token_is_refused_anything_beyond_signed_in():
    stranger = Caller(account_id="a9", role="auditor", enterprise_ids=frozenset({OWN}))

    assert authorize(Access.COMPANY, stranger, enterprise_id=OWN) is Verdict.FORBIDDEN
    assert authorize(Access.STAFF, stranger) is Verdict.FORBIDDEN
