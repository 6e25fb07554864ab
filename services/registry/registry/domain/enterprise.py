"""The enterprise: who a company is, and its lifecycle pending -> verified -> suspended."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from registry.domain.errors import FieldError, InvalidInput, InvalidTransition, check_changeable
from registry.domain.legal_ids import check_belarusian_ids, check_russian_ids
from registry.domain.numbers import digits_only, e164_phone, normalised, unp_spelling
from registry.domain.records import Record
from registry.domain.reference import Reference


class Country(StrEnum):
    RU = "RU"
    BY = "BY"


# What identifies the enterprise: editing any of it sends a verified enterprise back to the
# agency's verification queue (pending), since the agency verified who it was.
IDENTIFYING = frozenset({"name", "country", "inn", "ogrn", "unp"})
# What the owner may change.
CHANGEABLE = (
    frozenset(
        {
            "region",
            "city",
            "sectors",
            "description",
            "languages",
            "size",
            "certifications",
            "contact_person",
            "email",
            "phone",
            "personal_data_consent",
        }
    )
    | IDENTIFYING
)
_NOT_NULL = CHANGEABLE - {"phone", "inn", "ogrn", "unp"}


class EnterpriseStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    SUSPENDED = "suspended"


@dataclass
class Enterprise(Record):
    id: uuid.UUID
    name: str
    country: Country
    region: str
    city: str
    inn: str | None
    ogrn: str | None
    unp: str | None
    sectors: list[str]
    description: str
    languages: list[str]
    size: str
    certifications: list[str]
    contact_person: str
    email: str
    phone: str | None
    personal_data_consent: bool
    owner_account_id: str | None = None
    status: EnterpriseStatus = EnterpriseStatus.PENDING
    verified_by: str | None = None
    verified_at: datetime | None = None
    extra: dict = field(default_factory=dict)
    deleted_at: datetime | None = None

    def __post_init__(self) -> None:
        self.country = Country(self.country)
        if self.unp:
            self.unp = self.unp.upper()  # "ma1953684" and "MA1953684" are one UNP
        self.status = EnterpriseStatus(self.status)

    @property
    def legal_id(self) -> str:
        """The identifier that makes an enterprise unique in its country: INN or UNP."""
        return self.inn if self.country is Country.RU else self.unp  # type: ignore[return-value]

    @property
    def suspension_reason(self) -> str | None:
        """The reviewer's reason while the enterprise is suspended."""
        return (
            self.extra.get("suspension_reason")
            if self.status is EnterpriseStatus.SUSPENDED
            else None
        )

    @classmethod
    def register(cls, reference: Reference, **fields) -> Enterprise:
        enterprise = cls(
            id=uuid.uuid4(), **normalised_numbers(fields, country=fields.get("country"))
        )
        enterprise.check_rules(reference)
        return enterprise

    def check_rules(self, reference: Reference) -> None:
        errors: list[FieldError] = []
        if self.country is Country.RU:
            errors += check_russian_ids(self.inn, self.ogrn)
            if self.unp:
                errors.append(
                    FieldError("unp", "a Russian enterprise has an INN and OGRN, not a UNP")
                )
        else:
            errors += check_belarusian_ids(self.unp)
            errors += [
                FieldError(f, "a Belarusian enterprise has a UNP, not an INN or OGRN")
                for f in ("inn", "ogrn")
                if getattr(self, f)
            ]
        if not reference.region_in_country(self.region, self.country):
            errors.append(
                FieldError("region", f"unknown region {self.region!r} for country {self.country}")
            )
        errors += [
            FieldError("sectors", f"unknown sector {s!r}")
            for s in self.sectors
            if not reference.knows_sector(s)
        ]
        if not self.personal_data_consent:
            errors.append(
                FieldError(
                    "personal_data_consent",
                    "consent to personal-data processing is required to register",
                )
            )
        if errors:
            raise InvalidInput(errors)

    def verify(self, *, by: str, at: datetime) -> None:
        if self.status is not EnterpriseStatus.PENDING:
            raise InvalidTransition(
                f"only a pending enterprise can be verified; this one is {self.status}"
            )
        self.status = EnterpriseStatus.VERIFIED
        self.verified_by = by
        self.verified_at = at
        self.extra = {k: v for k, v in self.extra.items() if k != "recheck_because"}
        self.version += 1

    def change(self, reference: Reference, changes: dict) -> bool:
        """Applies the owner's changes; False when nothing differs (no new version, no event). A
        change to what identifies the enterprise (name, country, legal ids) sends a verified one
        back to pending, for the agency to check again (`recheck_because` names the fields); a
        suspended one then returns to pending, not verified, when its suspension is lifted."""
        check_changeable(changes, changeable=CHANGEABLE, not_null=_NOT_NULL)
        changes = normalised_numbers(changes, country=changes.get("country") or self.country)
        differing = {name: value for name, value in changes.items() if getattr(self, name) != value}
        if not differing:
            return False
        candidate = replace(self, **differing)  # a refused change leaves this enterprise as it was
        candidate.check_rules(reference)
        self.__dict__.update(candidate.__dict__)
        self.version += 1
        identity = sorted(IDENTIFYING & differing.keys())
        if identity and self.verified_at is not None:
            self._unverify(because=identity)
        return True

    def _unverify(self, *, because: list[str]) -> None:
        self.extra = self.extra | {
            "recheck_because": because,
            "previously_verified_by": self.verified_by,
            "previously_verified_at": self.verified_at.isoformat() if self.verified_at else None,
        }
        self.verified_by = self.verified_at = None
        if self.status is EnterpriseStatus.VERIFIED:
            self.status = EnterpriseStatus.PENDING

    @property
    def recheck_because(self) -> list[str]:
        """While pending: the identifying fields whose edit sent it back from verified (empty for a
        new one)."""
        return (
            list(self.extra.get("recheck_because") or [])
            if self.status is EnterpriseStatus.PENDING
            else []
        )

    @property
    def sent_back_for_recheck(self) -> bool:
        return bool(self.recheck_because)

    def suspend(self, *, by: str, reason: str | None) -> None:
        if self.status is EnterpriseStatus.SUSPENDED:
            raise InvalidTransition("the enterprise is suspended already")
        self.status = EnterpriseStatus.SUSPENDED
        self.extra = self.extra | {"suspended_by": by, "suspension_reason": reason}
        self.version += 1

    def reinstate(self, *, by: str) -> None:
        """Lifts a suspension: back to verified if the agency had verified it, else pending."""
        if self.status is not EnterpriseStatus.SUSPENDED:
            raise InvalidTransition(
                f"only a suspended enterprise can be reinstated; this one is {self.status}"
            )
        self.status = EnterpriseStatus.VERIFIED if self.verified_at else EnterpriseStatus.PENDING
        self.extra = self.extra | {"reinstated_by": by}
        self.version += 1

    def delete(self, *, at: datetime) -> None:
        """Keeps the record for the audit trail, without the personal data it was given for."""
        self.deleted_at = at
        self.contact_person, self.email, self.phone = "", "", None
        self.description = ""  # free text, where people write names and numbers too
        self.version += 1

    def may_publish(self) -> None:
        if self.status is EnterpriseStatus.SUSPENDED:
            raise InvalidTransition(
                "a suspended enterprise cannot publish or reopen offers and needs"
            )


def normalised_numbers(fields: dict, *, country: str | None) -> dict:
    """`fields` with the legal ids and the phone in the one spelling that is checked and kept: any
    script's digits in ASCII, separators gone, the UNP in stdnum's compact form, the phone in E.164.
    Refuses, naming each field, what is not such a number."""
    errors: list[FieldError] = []
    spelled = dict(fields)
    for name, spelling in (("inn", digits_only), ("ogrn", digits_only), ("unp", unp_spelling)):
        if name in fields:
            spelled[name] = normalised(name, fields[name], spelling, errors)
    if fields.get("phone"):
        spelled["phone"] = normalised(
            "phone", fields["phone"], lambda phone: e164_phone(phone, country=str(country)), errors
        )
    if errors:
        raise InvalidInput(errors)
    return spelled
