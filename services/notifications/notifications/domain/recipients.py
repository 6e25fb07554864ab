"""Who the emails go to: the enterprises as the registry's events describe them. Match events name
only enterprise ids, so the address, contact and language come from here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from notifications.domain.deliveries import preferred_language

DELETED = "deleted"
SUSPENDED = "suspended"


@dataclass
class Recipient:
    enterprise_id: uuid.UUID
    name: str
    email: str | None
    contact_person: str = ""
    phone: str | None = None
    languages: list[str] = field(default_factory=list)
    country: str = ""
    region: str = ""
    city: str = ""
    status: str = "pending"
    changed_at: datetime | None = None
    # The address whose owner followed a contact_confirmation link; None until then. Kept by the
    # repository across profile events while the address stays the same, forgotten when it changes.
    confirmed_email: str | None = None

    @classmethod
    def from_profile(cls, profile, *, at: datetime) -> Recipient:
        return cls(
            enterprise_id=profile.enterprise_id,
            name=profile.name,
            email=str(profile.email),
            contact_person=profile.contact_person,
            phone=profile.phone,
            languages=list(profile.languages),
            country=profile.country,
            region=profile.region,
            city=profile.city,
            status=profile.status,
            changed_at=at,
        )

    @classmethod
    def deleted(cls, enterprise_id: uuid.UUID, *, at: datetime) -> Recipient:
        """A deleted enterprise keeps no contact here; late emails to it are skipped, not sent."""
        return cls(enterprise_id=enterprise_id, name="", email=None, status=DELETED, changed_at=at)

    @property
    def language(self) -> str:
        return preferred_language(self.languages)

    @property
    def email_confirmed(self) -> bool:
        """Whether the enterprise's address has proven to be its own: until then the platform
        sends it nothing but the confirmation email, so it cannot be used to mail strangers."""
        return bool(self.email) and same_address(self.email, self.confirmed_email)

    def needs_confirmation_after(self, before: Recipient | None) -> bool:
        """A new enterprise, or a new address, that is not confirmed yet: it is sent a confirmation
        email."""
        if self.status == DELETED or not self.email or self.email_confirmed:
            return False
        return before is None or not same_address(before.email, self.email)

    def confirm(self, address: str) -> bool:
        """The owner of `address` followed the link; False when the enterprise's address is another
        one by now (the link was for an address it gave up)."""
        if self.status == DELETED or not self.email or not same_address(self.email, address):
            return False
        self.confirmed_email = self.email
        return True

    def refusal(self, *, transactional: bool) -> str | None:
        """Why this enterprise must not get an email now, or None."""
        if self.status == DELETED or not self.email:
            return "the enterprise was deleted"
        if self.status == SUSPENDED and not transactional:
            return "the enterprise is suspended"
        return None

    def public_profile(self) -> dict:
        return {"name": self.name, "city": self.city, "country": self.country}

    def contacts(self) -> dict:
        return {
            **self.public_profile(),
            "contact_person": self.contact_person,
            "email": self.email or "",
            "phone": self.phone or "",
        }


def same_address(one: str | None, other: str | None) -> bool:
    return bool(one) and bool(other) and one.strip().lower() == other.strip().lower()


LANGUAGES = ("ru", "be", "en")


class SuggestionMode(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"


@dataclass
class Preferences:
    enterprise_id: uuid.UUID
    suggestions: SuggestionMode = SuggestionMode.IMMEDIATE
    unsubscribed_at: datetime | None = None
    last_digest_on: date | None = None
    language: str | None = (
        None  # None: the enterprise's own first language, as the registry knows it
    )
    reminders: bool = True

    @property
    def unsubscribed(self) -> bool:
        return self.unsubscribed_at is not None

    def choose_language(self, language: str | None) -> None:
        """The language of every email to this enterprise; None goes back to the enterprise's
        own."""
        if language is not None and language not in LANGUAGES:
            raise ValueError(f"emails are written in {', '.join(LANGUAGES)}, not {language!r}")
        self.language = language

    def choose_reminders(self, reminders: bool) -> None:
        self.reminders = reminders

    def language_for(self, addressee: Recipient | None, *, planned: str | None) -> str:
        """The enterprise's chosen language wins; else the language the email was planned in; else
        the enterprise's own first language."""
        if self.language is not None:
            return self.language
        if planned is not None:
            return planned
        return addressee.language if addressee is not None else preferred_language([])

    def refusal(self, template: str, *, transactional: bool) -> str | None:
        """Why this enterprise's choices stop this email, or None."""
        if transactional:
            return None
        if self.unsubscribed:
            return "the enterprise unsubscribed"
        if template == "reminder" and not self.reminders:
            return "the enterprise turned reminders off"
        return None

    def choose(self, *, suggestions: str, unsubscribed: bool, at: datetime) -> None:
        self.suggestions = SuggestionMode(suggestions)
        if not unsubscribed:
            self.unsubscribed_at = None
        elif self.unsubscribed_at is None:
            self.unsubscribed_at = at

    def digest_due(self, *, now: datetime, hour: int) -> bool:
        """At most one digest a day, at or after the digest hour; at once when the enterprise went
        back to immediate suggestions with some still held."""
        if self.suggestions is SuggestionMode.IMMEDIATE:
            return True
        if self.last_digest_on is not None and self.last_digest_on >= now.date():
            return False
        return now.timetz().replace(tzinfo=None) >= time(hour)
