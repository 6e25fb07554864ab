"""Accounts: who may sign in, with which role, and which enterprises a company account holds.
Staff accounts (agency, admin) are opened by an admin without a password: the person sets one
through a one-time link. A disabled account cannot sign in or refresh its tokens."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from gateway.domain.errors import AccountConflict, InvalidInput, InvalidToken, WeakPassword

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = (
    128  # Argon2 would hash more, but nobody types that much; refuses body-stuffing
)
MAX_NAME_LENGTH = 200


class Role(StrEnum):
    COMPANY = "company"
    AGENCY = "agency"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.AGENCY, Role.ADMIN})


@dataclass
class Account:
    id: str
    email: str
    role: Role
    password_hash: str | None  # None: no password yet, so nobody can sign in with this account
    created_at: datetime
    confirmed_at: datetime | None = None
    enterprise_ids: frozenset[str] = field(default_factory=frozenset)
    name: str | None = None
    disabled_at: datetime | None = None
    # Opened while the platform ran in demo mode (the demo's companies and staff, whose password the
    # README publishes): such accounts are disabled when the gateway starts with demo mode off.
    opened_in_demo: bool = False

    @classmethod
    def open(
        cls,
        *,
        email: str,
        role: Role,
        password_hash: str | None,
        at: datetime,
        name: str | None = None,
        in_demo: bool = False,
    ) -> Account:
        return cls(
            id=str(uuid.uuid4()),
            email=normalize_email(email),
            role=Role(role),
            password_hash=password_hash,
            created_at=at,
            name=normalize_name(name, required=False),
            opened_in_demo=in_demo,
        )

    @classmethod
    def invite(cls, *, email: str, name: str, role: Role, at: datetime) -> Account:
        """A staff account an admin opens: named, without a password until its person sets one."""
        if Role(role) not in STAFF_ROLES:
            raise InvalidInput(
                "role", "an admin opens agency or admin accounts; companies register themselves"
            )
        named = normalize_name(name, required=True)
        return cls.open(email=email, role=role, password_hash=None, at=at, name=named)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    @property
    def password_set(self) -> bool:
        return self.password_hash is not None

    @property
    def password_stamp(self) -> str:
        """Changes whenever the password does: a set-password link carries the stamp of the
        moment it was made, so once a password is set with it (or otherwise) it stops working."""
        return hashlib.sha256(f"password:{self.password_hash or ''}".encode()).hexdigest()[:32]

    def check_password_link(self, stamp: str) -> None:
        if stamp != self.password_stamp:
            raise InvalidToken("the link was already used or a newer password was set")

    def rename(self, name: str | None) -> None:
        self.name = normalize_name(name, required=self.is_staff)

    def set_password(self, password_hash: str) -> None:
        self.password_hash = password_hash

    def check_invitable(self) -> None:
        if not self.is_staff:
            raise AccountConflict("a company account sets its own password when it registers")
        if self.disabled:
            raise AccountConflict("the account is disabled; enable it before sending a link")

    def disable(self, *, by: str, at: datetime) -> None:
        if by == self.id:
            raise AccountConflict("an admin cannot disable its own account")
        # Disabling twice keeps the first time.
        if self.disabled_at is None:
            self.disabled_at = at

    def enable(self) -> None:
        self.disabled_at = None

    def check_deletable(self) -> None:
        """A company deletes its own account; a staff account is the agency's and an admin disables
        it."""
        if self.is_staff:
            raise AccountConflict("a staff account is closed by an admin, who disables it")
        if self.disabled:
            raise AccountConflict("the account is disabled")

    def confirm(self, *, address: str, at: datetime) -> None:
        """Confirms the account's email by a link that reached `address`: only the account's own
        address confirms it (a link sent anywhere else proves somebody else's mailbox)."""
        if normalize_email(address) != normalize_email(self.email):
            raise InvalidToken("the link was sent to another address than the account's")
        # Following the link twice keeps the first confirmation's time.
        if self.confirmed_at is None:
            self.confirmed_at = at


def normalize_email(email: str) -> str:
    return email.strip().lower()


def normalize_name(name: str | None, *, required: bool) -> str | None:
    """A display name without surrounding or repeated spaces; blank counts as none."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        if required:
            raise InvalidInput("name", "a staff account needs the person's name")
        return None
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput("name", f"the name may have at most {MAX_NAME_LENGTH} characters")
    return cleaned


def check_password_strength(password: str, *, email: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"the password may have at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip().lower() == normalize_email(email):
        raise WeakPassword("the password may not be the email address")
