"""What the pages' forms share: each field's bound, written once, the password rules people see
before the API is asked, and the API's refusals as messages next to the fields they name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Form, Query
from pydantic import BaseModel, Field

from web.adapters.gateway_client import ApiProblem, ApiUnavailable
from web.entrypoints.i18n import N_

# The bounds are generous (the API has its own); they keep a page from handling megabytes.
EmailField = Annotated[str, Form(max_length=320)]
PasswordField = Annotated[str, Form(max_length=200)]
NameField = Annotated[str, Form(max_length=200)]
TextField = Annotated[str, Form(max_length=2000)]  # a reason, a link's token, a path to return to
TokenQuery = Annotated[str, Query(max_length=2000)]  # the token of an email's link
# A company's answer to a partner suggestion, and the side of the pair it answers for.
AnswerField = Annotated[str, Form(pattern="^(interested|declined)$")]
SideField = Annotated[str, Form(pattern="^(offer|need)$")]

MIN_PASSWORD = 8


class NewPassword(BaseModel):
    """A new password typed twice, as every form that chooses one sends it."""

    password: str = Field("", max_length=200)
    repeated: str = Field("", max_length=200)

    def errors(self) -> dict:
        """What is wrong before the API is asked (the API checks the rest)."""
        if len(self.password) < MIN_PASSWORD:
            return {"password": N_("Use at least 8 characters")}
        if self.password != self.repeated:
            return {"repeated": N_("The two passwords are not the same")}
        return {}


class SignUpForm(NewPassword):
    email: str = Field("", max_length=320)


class PasswordChangeForm(NewPassword):
    current_password: str = Field("", max_length=200)


class PasswordLinkForm(NewPassword):
    """A password chosen through an emailed link, whose token the form carries on."""

    token: str = Field("", max_length=2000)


# What a person is told when the API refuses a field of an account form: the field's rule in their
# words (the API's own reason is English, for integrators).
_ANOTHER_PASSWORD = N_("Choose another password: at least 8 characters, and not the email address")
REFUSED_ACCOUNT_FIELD = {
    "email": N_("Enter an email address like name@example.ru"),
    "password": _ANOTHER_PASSWORD,
    "new_password": _ANOTHER_PASSWORD,
    "current_password": N_("The password is wrong"),
    "name": N_("Enter the person's name"),  # a staff account's
}


def field_errors(
    problem: ApiProblem, *, default_field: str, said: Mapping[str, str] = REFUSED_ACCOUNT_FIELD
) -> dict:
    """The API's problem details as messages next to the fields they name: in the person's words
    for the fields `said` knows (the account forms' by default), the API's reason for others."""
    if problem.errors:
        return {
            (e["field"] or default_field): said.get(e["field"], e["message"])
            for e in problem.errors
        }
    return {default_field: problem.detail or N_("This cannot be done now")}


def answered_by_the_page(problem: ApiProblem, statuses: tuple[int, ...] = ()) -> ApiProblem:
    """The API's refusal, when the page answers it itself: any refusal, or one of `statuses`.
    Anything else (the API out of reach above all) is raised again for the error page."""
    if isinstance(problem, ApiUnavailable) or (statuses and problem.status not in statuses):
        raise problem
    return problem
