"""The account forms tell a person why the API refused a field in their own words: the API's
reasons are English, for integrators ("the password may not be the email address")."""

from __future__ import annotations

from web.adapters.gateway_client import ApiProblem
from web.entrypoints.forms import field_errors


def test_a_refused_field_of_an_account_form_is_said_by_its_rule():
    problem = ApiProblem(
        status=422,
        errors=[
            {"field": "password", "message": "the password may not be the email address"},
            {"field": "email", "message": "value is not a valid email address: no @-sign"},
        ],
    )

    assert field_errors(problem, default_field="email") == {
        "password": "Choose another password: at least 8 characters, and not the email address",
        "email": "Enter an email address like name@example.ru",
    }


def test_a_refusal_naming_no_field_is_shown_at_the_forms_first_field():
    problem = ApiProblem(status=422, errors=[{"field": "", "message": "the body is not JSON"}])

    assert field_errors(problem, default_field="email") == {"email": "the body is not JSON"}
