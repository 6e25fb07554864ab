"""The shapes of the notifications API's requests and answers, with examples that it accepts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
)

from notifications.domain.recipients import Preferences

# --- the errors the routes answer, as problem details (servicekit.problems) ---------------------

UNAUTHORIZED = (401, "The call does not carry a valid internal token from the gateway")
INVALID = (422, "Invalid fields: `errors` names each one and why")
TOO_LARGE = (413, "The body is too large")
STAFF_ONLY = (403, "Only the investment agency may do this")
ADMIN_ONLY = (403, "Only an admin may do this")
GATEWAY_ONLY = (403, "Only the gateway, on its own behalf, may ask for this")
MANAGERS_ONLY = (403, "Only the enterprise's own company or the agency manages its preferences")
INVALID_LINK = (422, "Invalid fields, or a link's token that is invalid or expired")
ADDRESS_CHANGED = (409, "The enterprise's address is another one by now (or it was deleted)")


def _request_body(example: dict) -> ConfigDict:
    """The configuration of a request model: unknown fields are refused (a 422 naming them), and
    `example` is the one the documentation shows."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


def _within_the_calendar(moment: datetime) -> datetime:
    """A moment PostgreSQL takes: with its offset (UTC when it has none), its UTC day within the
    calendar, so an edge such as 0001-01-01T00:00+14:00 is a 422 rather than an overflow."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        year = moment.astimezone(UTC).year
    except OverflowError:
        year = None
    if year is None or not 1900 <= year <= 9998:
        raise ValueError("must be between the years 1900 and 9998")
    return moment


Moment = Annotated[datetime, AfterValidator(_within_the_calendar)]

Status = Literal[
    "queued", "sending", "sent", "failed", "dead", "held", "bundled", "skipped", "unconfirmed"
]
Language = Literal["ru", "be", "en"]


class DeliveryOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    enterprise_id: uuid.UUID | None
    recipient: str | None
    template: str
    language: str | None
    status: str
    attempts: int
    smtp_message_id: str | None
    last_error: str | None
    bundled_into: uuid.UUID | None
    created_at: datetime | None
    sent_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    total: int
    next_cursor: str | None


class ResendRequest(BaseModel):
    """Which dead emails to queue again; every field narrows the selection, none selects all."""

    model_config = _request_body({"template": "suggestion", "created_from": "2026-01-01T00:00:00Z"})

    template: str | None = None
    enterprise_id: uuid.UUID | None = None
    created_from: Moment | None = None
    created_until: Moment | None = None


class ResendOut(BaseModel):
    requeued: int = Field(description="how many dead emails were queued again")


class PreferencesIn(BaseModel):
    """The whole choice: `suggestions` and `unsubscribed` take their defaults when left out;
    `language` and `reminders` left out keep what they are."""

    model_config = _request_body(
        {"suggestions": "daily", "unsubscribed": False, "language": "en", "reminders": True}
    )

    suggestions: Literal["immediate", "daily"] = "immediate"
    unsubscribed: bool = False
    language: Language | None = Field(
        default=None,
        description="the emails' language; null goes back to the enterprise's own first language",
    )
    reminders: bool = True

    def changes(self) -> dict:
        """The optional choices this request actually made."""
        return {
            name: getattr(self, name)
            for name in ("language", "reminders")
            if name in self.model_fields_set
        }


class PreferencesOut(BaseModel):
    enterprise_id: uuid.UUID
    suggestions: Literal["immediate", "daily"]
    unsubscribed: bool
    unsubscribed_at: datetime | None
    language: Language | None
    reminders: bool

    @classmethod
    def of(cls, preference: Preferences) -> PreferencesOut:
        return cls(
            enterprise_id=preference.enterprise_id,
            suggestions=preference.suggestions.value,
            unsubscribed=preference.unsubscribed,
            unsubscribed_at=preference.unsubscribed_at,
            language=preference.language,
            reminders=preference.reminders,
        )


class PreferencesRead(PreferencesOut):
    address_confirmed: bool | None = Field(
        description="whether the enterprise's address is confirmed (until then it gets only the "
        "confirmation email); null while its registration is not known here yet"
    )


def _web_address(link: str) -> str:
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http or https address with a host")
    if any(ch.isspace() or ord(ch) < 32 or ch in '<>"' for ch in link):
        raise ValueError("must not contain spaces, control characters, quotes or angle brackets")
    return link


Link = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(_web_address),
]


class AccountInvitationIn(BaseModel):
    """The gateway's request to email a new staff account its invitation."""

    model_config = _request_body(
        {
            "invitation_id": "6f1c2a7e-3b8d-4f0a-9c55-0d2e8b7a4c11",
            "email": "reviewer@agency.example.ru",
            "name": "Анна Смирнова",
            "role": "agency",
            "link": "https://unionmatch.example.ru/invitations/6f1c2a7e",
            "language": "ru",
        }
    )

    invitation_id: uuid.UUID
    email: EmailStr
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    role: Literal["agency", "admin"]
    link: Link
    language: Language = "ru"


class AccountEmailIn(BaseModel):
    """The gateway's request to email an account its address confirmation or a password reset."""

    model_config = _request_body(
        {
            "request_id": "0b9f3c1e-5a2d-4e7f-8c61-2f4a9d3b7e20",
            "email": "lift@example.ru",
            "link": "https://unionmatch.example.ru/account/confirm?token=0b9f3c1e",
            "language": "ru",
        }
    )

    request_id: uuid.UUID = Field(
        description="the idempotency key: the same request twice is one email"
    )
    email: EmailStr
    link: Link
    language: Language = "ru"


class QueuedEmail(BaseModel):
    delivery_id: uuid.UUID
    status: str


class ContactConfirmationIn(BaseModel):
    # No example: only the token of a real link is accepted.
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(min_length=10, max_length=2000)] = Field(
        description="the token of the link in the contact_confirmation email, as given"
    )


class ContactConfirmationOut(BaseModel):
    enterprise_id: uuid.UUID
    email: str
    confirmed: bool


class OneClickUnsubscribeIn(BaseModel):
    """RFC 8058's body, sent as application/x-www-form-urlencoded."""

    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={"examples": [{"List-Unsubscribe": "One-Click"}]},
    )

    list_unsubscribe: Literal["One-Click"] = Field(alias="List-Unsubscribe")
