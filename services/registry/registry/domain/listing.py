"""Offers (what an enterprise supplies) and needs (what it looks for): one shape, two sides,
lifecycle active <-> closed."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from registry.domain.errors import FieldError, InvalidInput, check_changeable
from registry.domain.numbers import NotANumber, digits_only
from registry.domain.records import Record
from registry.domain.reference import Reference
from registry.domain.units import UnknownUnit

PRODUCT_CODE = re.compile(
    r"^[0-9]{4,10}\Z"
)  # ASCII only; \Z, since $ lets a trailing newline through


class Side(StrEnum):
    OFFER = "offer"
    NEED = "need"


class ListingKind(StrEnum):
    GOODS = "goods"
    SERVICES = "services"
    TECHNOLOGY = "technology"
    INVESTMENT = "investment"
    JOINT_VENTURE = "joint_venture"


class ListingStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


# Why a listing closed (`closed_because`).
EXPIRED, CLOSED_BY_OWNER, ENTERPRISE_DELETED = "expired", "closed_by_owner", "enterprise_deleted"


# What an owner may change after publishing; the side and the enterprise stay as they were.
CHANGEABLE = frozenset(
    {
        "kind",
        "title",
        "description",
        "sector",
        "product_codes",
        "quantity",
        "unit",
        "regions",
        "certifications",
        "valid_until",
        "status",
    }
)
_NOT_NULL = frozenset(
    {
        "kind",
        "title",
        "description",
        "sector",
        "product_codes",
        "regions",
        "certifications",
        "status",
    }
)


@dataclass
class Listing(Record):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    side: Side
    kind: ListingKind
    title: str
    sector: str
    description: str = ""
    product_codes: list[str] = field(default_factory=list)
    quantity: float | None = None
    unit: str | None = None
    regions: list[str] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)
    valid_until: date | None = None
    status: ListingStatus = ListingStatus.ACTIVE
    # Why a closed listing closed: "expired" | "closed_by_owner" | "enterprise_deleted"; None while
    # active.
    closed_because: str | None = None
    # The valid_until its owner was last reminded of (domain/expiry.py): a new date re-arms the
    # reminder.
    expiry_reminded_for: date | None = None

    def __post_init__(self) -> None:
        self.side = Side(self.side)
        self.status = ListingStatus(self.status)
        if self.kind in ListingKind._value2member_map_:
            self.kind = ListingKind(self.kind)

    @classmethod
    def publish(
        cls,
        reference: Reference,
        *,
        today: date,
        enterprise_id: uuid.UUID,
        side: Side | str,
        **fields,
    ) -> Listing:
        if fields.get("product_codes"):
            fields = {**fields, "product_codes": spelled_codes(fields["product_codes"])}
        listing = cls(id=uuid.uuid4(), enterprise_id=enterprise_id, side=Side(side), **fields)
        errors = listing.rule_errors(reference)
        errors += _valid_until_errors(listing.valid_until, today)
        errors += _unit_errors(reference, listing.unit)
        if errors:
            raise InvalidInput(errors)
        listing.unit = canonical_unit(reference, listing.unit)
        return listing

    def change(self, reference: Reference, *, today: date, changes: dict) -> str | None:
        """Applies an owner's changes; returns what happened (changed, closed, reopened), or None
        when nothing differs, so a repeated request neither bumps the version nor emits an event."""
        check_changeable(changes, changeable=CHANGEABLE, not_null=_NOT_NULL)
        if changes.get("unit"):
            # «шт./год» for a listing kept as pcs/year is no change; an unreadable unit is refused
            # below.
            changes = {
                **changes,
                "unit": canonical_unit(reference, changes["unit"], keep_unknown=True),
            }
        if changes.get("product_codes"):
            changes = {**changes, "product_codes": spelled_codes(changes["product_codes"])}
        differing = {name: value for name, value in changes.items() if getattr(self, name) != value}
        if not differing:
            return None
        # Checked on a copy, so a refused change leaves this listing exactly as it was.
        candidate = replace(self, **differing)
        errors = candidate.rule_errors(reference)
        if "unit" in differing:
            # Checked only when changed: a listing kept with a unit of before the vocabulary may
            # still be closed or edited.
            errors += _unit_errors(reference, candidate.unit)
        reopened = self.status is ListingStatus.CLOSED and candidate.status is ListingStatus.ACTIVE
        if "valid_until" in differing or reopened:
            # A listing that has expired may still be edited or closed; it comes back only with a
            # future date.
            errors += _valid_until_errors(candidate.valid_until, today)
        if errors:
            raise InvalidInput(errors)
        what = (
            "changed" if candidate.status is self.status else ("reopened" if reopened else "closed")
        )
        if "valid_until" in differing:
            candidate.expiry_reminded_for = None  # a new date is reminded of again
        candidate.closed_because = (
            None
            if candidate.status is ListingStatus.ACTIVE
            else (CLOSED_BY_OWNER if what == "closed" else self.closed_because)
        )
        self.__dict__.update(candidate.__dict__)
        self.version += 1
        return what

    def close(self, *, because: str = ENTERPRISE_DELETED) -> bool:
        """Closes an active listing (its enterprise left, say); False when it was closed already."""
        if self.status is ListingStatus.CLOSED:
            return False
        self.status = ListingStatus.CLOSED
        self.closed_because = because
        self.version += 1
        return True

    def rule_errors(self, reference: Reference) -> list[FieldError]:
        errors: list[FieldError] = []
        if self.kind not in ListingKind._value2member_map_:
            errors.append(
                FieldError("kind", f"unknown kind {self.kind!r}; one of {', '.join(ListingKind)}")
            )
        if not self.title or not self.title.strip():
            errors.append(FieldError("title", "a title is required"))
        if not reference.knows_sector(self.sector):
            errors.append(FieldError("sector", f"unknown sector {self.sector!r}"))
        errors += [
            FieldError(
                "product_codes", f"{code!r} is not an EAEU TN VED / HS code of 4 to 10 digits"
            )
            for code in self.product_codes
            if not PRODUCT_CODE.match(code)
        ]
        errors += _quantity_errors(self.quantity, self.unit)
        errors += [
            FieldError("regions", f"unknown region {region!r}")
            for region in self.regions
            if not reference.knows_region(region)
        ]
        return errors

    def warnings(self, reference: Reference) -> list[FieldError]:
        """Product codes outside the sector's usual HS headings are allowed (a lift maker may sell
        spare motors) but worth a second look by the author."""
        sector = reference.sectors.get(self.sector)
        if sector is None or not sector.hs_prefixes:
            return []
        return [
            FieldError(
                "product_codes",
                f"{code} is outside the usual HS headings of sector {self.sector!r}",
            )
            for code in self.product_codes
            if not any(
                code.startswith(prefix) or prefix.startswith(code) for prefix in sector.hs_prefixes
            )
        ]


def spelled_codes(codes: list[str]) -> list[str]:
    """Each code in ASCII digits without separators («8428.10», «８４２８１０» -> 842810); a code
    holding anything else stays as written, for the rules to refuse by name."""
    return [_spelled_code(code) for code in codes]


def _spelled_code(code: str) -> str:
    try:
        return digits_only(code)
    except NotANumber:
        return code


def _quantity_errors(quantity: float | None, unit: str | None) -> list[FieldError]:
    if quantity is None:
        return [FieldError("unit", "a unit needs a quantity")] if unit else []
    errors = []
    if not quantity > 0:
        errors.append(FieldError("quantity", "must be greater than zero"))
    if not unit or not unit.strip():
        errors.append(FieldError("unit", "a quantity needs its unit (pcs, t, m3, pcs/year, ...)"))
    return errors


def canonical_unit(
    reference: Reference, unit: str | None, *, keep_unknown: bool = False
) -> str | None:
    """The unit's canonical code (data/units/units.json): «шт./год» -> pcs/year; None stays None."""
    if not unit or not unit.strip() or reference.units is None:
        return unit
    try:
        return reference.units.parse(unit)
    except UnknownUnit:
        if keep_unknown:
            return unit
        raise


def _unit_errors(reference: Reference, unit: str | None) -> list[FieldError]:
    if not unit or not unit.strip() or reference.units is None:
        return []
    try:
        reference.units.parse(unit)
    except UnknownUnit as unknown:
        return [FieldError("unit", str(unknown))]
    return []


def _valid_until_errors(valid_until: date | None, today: date) -> list[FieldError]:
    if valid_until is not None and valid_until < today:
        return [FieldError("valid_until", f"{valid_until.isoformat()} is in the past")]
    return []
