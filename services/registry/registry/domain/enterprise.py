"""The enterprise: who a company is, and its lifecycle pending -> verified -> suspended."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from registry.domain.errors import FieldError, InvalidInput, InvalidTransition
from registry.domain.legal_ids import check_belarusian_ids, check_russian_ids
from registry.domain.reference import Reference


class Country(StrEnum):
    RU = "RU"
    BY = "BY"


class EnterpriseStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    SUSPENDED = "suspended"


@dataclass
class Enterprise:
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
    version: int = 1
    created_at: datetime | None = None
    verified_by: str | None = None
    verified_at: datetime | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.country = Country(self.country)
        if self.unp:
            self.unp = self.unp.upper()  # "ma1953684" and "MA1953684" are one UNP
        self.status = EnterpriseStatus(self.status)

    @property
    def legal_id(self) -> str:
        """The identifier that makes an enterprise unique in its country: INN or UNP."""
        return self.inn if self.country is Country.RU else self.unp  # type: ignore[return-value]

    @classmethod
    def register(cls, reference: Reference, **fields) -> Enterprise:
        enterprise = cls(id=uuid.uuid4(), **fields)
        enterprise.check_rules(reference)
        return enterprise

    def check_rules(self, reference: Reference) -> None:
        errors: list[FieldError] = []
        if self.country is Country.RU:
            errors += check_russian_ids(self.inn, self.ogrn)
            if self.unp:
                errors.append(FieldError("unp", "a Russian enterprise has an INN and OGRN, not a UNP"))
        else:
            errors += check_belarusian_ids(self.unp)
            errors += [FieldError(f, "a Belarusian enterprise has a UNP, not an INN or OGRN") for f in ("inn", "ogrn") if getattr(self, f)]
        if not reference.region_in_country(self.region, self.country):
            errors.append(FieldError("region", f"unknown region {self.region!r} for country {self.country}"))
        errors += [FieldError("sectors", f"unknown sector {s!r}") for s in self.sectors if not reference.knows_sector(s)]
        if not self.personal_data_consent:
            errors.append(FieldError("personal_data_consent", "consent to personal-data processing is required to register"))
        if errors:
            raise InvalidInput(errors)

    def verify(self, *, by: str, at: datetime) -> None:
        if self.status is not EnterpriseStatus.PENDING:
            raise InvalidTransition(f"only a pending enterprise can be verified; this one is {self.status}")
        self.status = EnterpriseStatus.VERIFIED
        self.verified_by = by
        self.verified_at = at
        self.version += 1
