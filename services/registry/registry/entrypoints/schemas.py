"""The registry's HTTP shapes: what a request may carry and what each audience may see."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from registry.domain.enterprise import Enterprise
from registry.domain.legal_ids import legal_id_checks
from registry.domain.listing import Listing, Side
from registry.domain.numbers import ascii_digits
from registry.domain.queries import EnterpriseFilters, ListingFilters, PageRequest, SortOrder
from registry.domain.reference import Reference

# --- the errors the routes answer, as problem details (servicekit.problems) ---------------------

UNAUTHORIZED = (401, "The call does not carry a valid internal token from the gateway")
INVALID = (422, "Invalid fields: `errors` names each one and why")
NOT_FOUND = (404, "No such enterprise or listing (or a deleted one)")
TOO_LARGE = (413, "The body is too large")
STAFF_ONLY = (403, "Only the investment agency may do this")
MANAGERS_ONLY = (403, "Only the enterprise's own company or the investment agency may do this")
ALREADY_REGISTERED = (409, "An enterprise with this legal id is registered already")
NOT_NOW = (409, "The enterprise's status does not allow this now")
STALE = (409, "The version sent is not the current one: `current_version` says which is")
VERSION_REQUIRED = (
    428,
    "No version sent: send the version read, as If-Match or as `version` in the body",
)
VERSIONED_WRITE_ERRORS = (
    MANAGERS_ONLY,
    NOT_FOUND,
    (409, "A stale version (`current_version` says the current one) or a legal id taken"),
    TOO_LARGE,
    INVALID,
    VERSION_REQUIRED,
)
_ETAG = {
    "ETag": {
        "description": 'The version, as "3": send it back as If-Match to change it',
        "schema": {"type": "string"},
    }
}
TAGGED: dict[int | str, dict] = {200: {"description": "Found", "headers": _ETAG}}
TAGGED_CREATED: dict[int | str, dict] = {201: {"description": "Created", "headers": _ETAG}}

# Each maximum is the length of the column that keeps the field (adapters/orm.py), so whatever the
# schema admits is stored, and whatever is longer is a 422 naming the field, not a database error.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Person = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Version = Annotated[
    int, Field(ge=-(2**31), le=2**31 - 1)
]  # as the INTEGER column it is compared with
Sectors = Annotated[
    list[Annotated[str, StringConstraints(max_length=64)]], Field(min_length=1, max_length=5)
]
# A legal id or a phone as typed: digits of any script, separators as printed. The domain
# (registry.domain.numbers) folds them to the one spelling it checks and keeps, or refuses by name.
Digits = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Language = Literal["ru", "be", "en"]
Languages = Annotated[list[Language], Field(min_length=1, max_length=3)]
Size = Literal["micro", "small", "medium", "large"]
CountryCode = Literal["RU", "BY"]
RegionId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
City = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Description = Annotated[str, StringConstraints(max_length=5000)]
EnterpriseCertifications = Annotated[
    list[Annotated[str, StringConstraints(max_length=100)]], Field(max_length=30)
]


def request_body(*, example: dict) -> ConfigDict:
    """A request body refuses fields it does not know, and its document shows one example."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


class EnterpriseIn(BaseModel):
    model_config = request_body(
        example={
            "name": "ОАО «Могилёвлифтмаш»",
            "country": "BY",
            "region": "mogilev_oblast",
            "city": "Могилёв",
            "unp": "700068951",
            "sectors": ["elevators"],
            "description": "Пассажирские и грузовые лифты, до 200 шт. в год для жилищного фонда.",
            "languages": ["ru", "be"],
            "size": "large",
            "certifications": ["ISO 9001", "EAC"],
            "contact_person": "Иван Петров",
            "email": "sales@liftmash.example.by",
            "phone": "+375222000000",
            "personal_data_consent": True,
        }
    )

    name: Text
    country: CountryCode
    region: RegionId
    city: City
    inn: Digits | None = None
    ogrn: Digits | None = None
    unp: Digits | None = None
    sectors: Sectors
    description: Description = ""
    languages: Languages = ["ru"]
    size: Size = "small"
    certifications: EnterpriseCertifications = []
    contact_person: Person
    email: EmailStr
    phone: Phone | None = None
    personal_data_consent: bool


class EnterprisePublic(BaseModel):
    """What anyone may see: no contact person, email or phone."""

    id: uuid.UUID
    name: str
    country: str
    region: str = Field(description="the region's id")
    city: str
    inn: str | None
    ogrn: str | None
    unp: str | None
    sectors: list[str] = Field(description="the sectors' ids")
    description: str
    languages: list[str]
    size: str
    certifications: list[str]
    status: str
    version: int
    created_at: datetime | None
    updated_at: datetime | None = None
    verified_at: datetime | None

    @classmethod
    def of(cls, enterprise: Enterprise) -> EnterprisePublic:
        return cls.model_validate(enterprise, from_attributes=True)


class LegalIdCheckOut(BaseModel):
    scheme: Literal["inn", "ogrn", "unp"]
    value: str
    valid: bool
    kind: str = Field(description="what kind of id it is, in plain English")
    detail: str = Field(description="what the check found, in plain English")


class EnterprisePrivate(EnterprisePublic):
    """What the owner and the agency see."""

    contact_person: str
    email: str
    phone: str | None
    personal_data_consent: bool
    verified_by: str | None
    suspension_reason: str | None = Field(
        default=None, description="the reviewer's reason, while suspended"
    )
    recheck_because: list[str] = Field(
        default=[],
        description="while pending: the identifying fields (name, country, inn, "
        "ogrn, unp) whose edit sent it back from verified",
    )
    legal_id_checks: list[LegalIdCheckOut] = Field(
        default=[], description="each legal id held, checked again for the reviewer"
    )

    @classmethod
    def of(cls, enterprise: Enterprise) -> EnterprisePrivate:
        view = cls.model_validate(enterprise, from_attributes=True)
        checks = legal_id_checks(inn=enterprise.inn, ogrn=enterprise.ogrn, unp=enterprise.unp)
        view.legal_id_checks = [
            LegalIdCheckOut.model_validate(check, from_attributes=True) for check in checks
        ]
        return view


class EnterprisePage(BaseModel):
    items: list[EnterprisePrivate | EnterprisePublic]
    total: int
    next_cursor: str | None


class PossibleDuplicate(BaseModel):
    id: uuid.UUID
    name: str
    country: str
    city: str
    status: str
    created_at: datetime | None
    reasons: list[Literal["legal_id", "email_domain", "phone"]]

    @classmethod
    def of(cls, enterprise: Enterprise, reasons: list[str]) -> PossibleDuplicate:
        shown = {name: getattr(enterprise, name) for name in cls.model_fields if name != "reasons"}
        return cls(**shown, reasons=reasons)


class PossibleDuplicates(BaseModel):
    items: list[PossibleDuplicate]


class EnterprisePatch(BaseModel):
    """The fields an owner may change; `version` (or the If-Match header) is the version it read.
    Editing the name, country or a legal id of a verified enterprise sends it back to pending."""

    model_config = request_body(
        example={
            "version": 1,
            "description": "Пассажирские и грузовые лифты, до 250 шт. в год.",
            "certifications": ["ISO 9001", "EAC"],
            "phone": "+375222000001",
        }
    )

    version: Version | None = None
    # What identifies the enterprise: an edit sends a verified enterprise back to pending.
    name: Text | None = None
    country: CountryCode | None = None
    inn: Digits | None = None
    ogrn: Digits | None = None
    unp: Digits | None = None
    region: RegionId | None = None
    city: City | None = None
    sectors: Sectors | None = None
    description: Description | None = None
    languages: Languages | None = None
    size: Size | None = None
    certifications: EnterpriseCertifications | None = None
    contact_person: Person | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    personal_data_consent: bool | None = None


class SuspensionIn(BaseModel):
    """The reviewer's reason, shown to the enterprise's owner; the body may be left out."""

    model_config = request_body(example={"reason": "The legal id belongs to another company."})

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


# --- offers and needs ------------------------------------------------------------------------

Kind = Literal["goods", "services", "technology", "investment", "joint_venture"]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
SectorId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Quantity = Annotated[float, Field(allow_inf_nan=False)]
Unit = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=40)
]  # as written; kept as its code (data/units)
# Code format, sector and region are checked by the domain, which names the offending value.
Codes = Annotated[
    list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]],
    Field(max_length=30),
]
Regions = Annotated[list[Annotated[str, StringConstraints(max_length=100)]], Field(max_length=60)]
# A listing's last day: the expiry sweep and its reminders count days from it, so not the calendar's
# last.
LastDay = Annotated[date, Field(le=date(9998, 12, 31))]
Certifications = Annotated[
    list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]],
    Field(max_length=30),
]


class ListingIn(BaseModel):
    model_config = request_body(
        example={
            "kind": "goods",
            "title": "Пассажирские лифты для жилых домов, 120 шт.",
            "description": "Замена лифтов в многоквартирных домах Смоленска в 2027 "
            "году; грузоподъёмность 400 и 630 кг.",
            "sector": "elevators",
            "product_codes": ["842810"],
            "quantity": 120,
            "unit": "шт.",
            "regions": ["smolensk_oblast"],
            "certifications": ["EAC"],
            "valid_until": "2027-12-31",
        }
    )

    kind: Kind
    title: Title
    description: Description = ""
    sector: SectorId
    product_codes: Codes = []
    quantity: Quantity | None = None
    unit: Unit | None = None
    regions: Regions = []
    certifications: Certifications = []
    valid_until: LastDay | None = None


class ListingPatch(BaseModel):
    """Any of the listing's fields; {"status": "closed"} closes it, {"status": "active"} reopens it.
    `version` (or the If-Match header) is the version read."""

    model_config = request_body(
        example={"version": 1, "quantity": 150, "valid_until": "2027-12-31"}
    )

    version: Version | None = None
    status: Literal["active", "closed"] | None = None
    kind: Kind | None = None
    title: Title | None = None
    description: Description | None = None
    sector: SectorId | None = None
    product_codes: Codes | None = None
    quantity: Quantity | None = Field(default=None, description="null removes it")
    unit: Unit | None = Field(default=None, description="null removes it")
    regions: Regions | None = None
    certifications: Certifications | None = None
    valid_until: LastDay | None = Field(
        default=None, description="null removes it: the listing then holds until closed"
    )


class FieldNote(BaseModel):
    field: str
    reason: str


class ListingOut(BaseModel):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    side: str
    kind: str
    title: str
    description: str
    sector: str
    product_codes: list[str]
    quantity: float | None
    unit: str | None
    regions: list[str]
    certifications: list[str]
    valid_until: date | None
    status: str
    # Why a closed listing closed: "expired" (valid_until passed), "closed_by_owner",
    # "enterprise_deleted"; null while active (and for listings closed before the reason was kept).
    closed_because: str | None = None
    version: int
    created_at: datetime | None
    updated_at: datetime | None
    warnings: list[FieldNote] = []

    @classmethod
    def of(cls, listing: Listing, reference: Reference) -> ListingOut:
        notes = [FieldNote(field=w.field, reason=w.reason) for w in listing.warnings(reference)]
        return cls.model_validate(
            {f.name: getattr(listing, f.name) for f in fields(listing)} | {"warnings": notes}
        )


class ListingPage(BaseModel):
    items: list[ListingOut]
    total: int
    next_cursor: str | None


# --- what a list asks for: the query parameters of a page -----------------------------------------

CountryFilter = CountryCode | None
ShortFilter = Annotated[str | None, Field(max_length=100)]
Words = Annotated[
    str | None, Field(max_length=200, description="words to look for; Russian word forms match")
]
ListingStatusFilter = Literal["active", "closed", "any"]


class _PageQuery(BaseModel):
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[
        str | None, Field(max_length=500, description="next_cursor of the previous page, as given")
    ] = None
    sort: Annotated[
        SortOrder, Field(description="-created_at (newest first), created_at, or name")
    ] = SortOrder.NEWEST

    def page(self) -> PageRequest:
        return PageRequest(limit=self.limit, cursor=self.cursor, sort=self.sort)


class EnterpriseQuery(_PageQuery):
    sort: Annotated[
        SortOrder, Field(description="-created_at (newest first), created_at, or name")
    ] = SortOrder.OLDEST
    country: CountryFilter = None
    region: ShortFilter = None
    sector: ShortFilter = None
    status: Literal["pending", "verified", "suspended"] | None = None
    q: Words = None

    def filters(self) -> EnterpriseFilters:
        return EnterpriseFilters(**self.model_dump(exclude=set(_PageQuery.model_fields)))


class ListingsOfEnterpriseQuery(_PageQuery):
    status: ListingStatusFilter = "any"

    def filters(self, *, side: Side, enterprise_id: uuid.UUID) -> ListingFilters:
        status = None if self.status == "any" else self.status
        return ListingFilters(side=side, enterprise_id=enterprise_id, status=status)


class ListingSearchQuery(_PageQuery):
    country: CountryFilter = None
    region: Annotated[
        str | None,
        Field(max_length=100, description="the enterprise's region or one the listing names"),
    ] = None
    sector: ShortFilter = None
    kind: Kind | None = None
    status: ListingStatusFilter = "active"
    product_code: Annotated[
        str | None, Field(pattern=r"^\d{1,10}$", description="a code prefix: 8428 finds 842810")
    ] = None
    enterprise_id: uuid.UUID | None = None
    q: Words = None

    def filters(self, *, side: Side) -> ListingFilters:
        asked = self.model_dump(exclude=set(_PageQuery.model_fields))
        code = ascii_digits(self.product_code) if self.product_code else None
        status = None if self.status == "any" else self.status
        return ListingFilters(**asked | {"side": side, "status": status, "product_code": code})


# --- reference documents -----------------------------------------------------------------------

Names = Annotated[dict[str, str], Field(description="the name by language: ru, be, en")]


class SectorOut(BaseModel):
    id: str
    names: Names
    okved2: list[str] = Field(description="the Russian activity codes (OKVED2) it covers")
    oked: list[str] = Field(description="the Belarusian activity codes (OKED) it covers")
    nace: list[str]
    hs_prefixes: list[str] = Field(description="the product-code (HS / TN VED) prefixes it covers")
    hs_names: dict[str, dict[str, str]] = Field(
        description="each product-code prefix's name by language"
    )
    keywords: dict[str, list[str]] = Field(description="words that point to it, by language")


class SectorsOut(BaseModel):
    version: str = Field(description="the taxonomy's version")
    items: list[SectorOut]


class RegionOut(BaseModel):
    id: str
    country: CountryCode
    name: Names


class RegionsOut(BaseModel):
    items: list[RegionOut]


class CityOut(BaseModel):
    country: CountryCode
    region: str = Field(description="the region's id")
    name: Names


class CitiesOut(BaseModel):
    items: list[CityOut]
