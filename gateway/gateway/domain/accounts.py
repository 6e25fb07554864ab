"""Accounts: who may sign in, with which role, and which enterprises a company account holds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from gateway.domain.errors import WeakPassword

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128  # Argon2 would hash more, but nobody types that much; refuses body-stuffing


class Role(StrEnum):
    COMPANY = "company"
    AGENCY = "agency"
    ADMIN = "admin"


@dataclass
class Account:
    id: str
    email: str
    role: Role
    password_hash: str
    created_at: datetime
    confirmed_at: datetime | None = None
    enterprise_ids: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def open(cls, *, email: str, role: Role, password_hash: str, at: datetime) -> Account:
        return cls(id=str(uuid.uuid4()), email=normalize_email(email), role=Role(role), password_hash=password_hash, created_at=at)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    def confirm(self, *, at: datetime) -> None:
        # Following the link twice keeps the first confirmation's time.
        if self.confirmed_at is None:
            self.confirmed_at = at


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str, *, email: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"the password may have at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip().lower() == normalize_email(email):
        raise WeakPassword("the password may not be the email address")
