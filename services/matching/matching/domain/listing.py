"""An offer or a need as matching knows it, and the facts about it the matcher compares."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from matching.domain.kinds import compatible
from matching.domain.taxonomy import Lexicon
from matching.domain.text import stems

VERIFIED, PENDING, SUSPENDED = "verified", "pending", "suspended"  # an enterprise's statuses
DELETED = (
    "deleted"  # its listings are kept for the matches' history, without its name or their texts
)
# valid_until is a date in the platform's time zone (Smolensk and Belarus keep Moscow time), as the
# registry reads it: a listing holds all of that day and has expired from the next one.
PLATFORM_TIME = ZoneInfo("Europe/Moscow")


def platform_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(PLATFORM_TIME).date()


@dataclass(frozen=True)
class Listing:
    id: uuid.UUID
    side: str  # "offer" (supply) or "need" (demand)
    enterprise_id: uuid.UUID
    enterprise_name: str
    country: str
    region: str
    city: str
    title: str
    sector: str
    kind: str = "goods"
    description: str = ""
    legal_id: str = ""
    languages: tuple[str, ...] = ()
    enterprise_certifications: tuple[str, ...] = ()
    product_codes: tuple[str, ...] = ()
    quantity: float | None = None
    unit: str | None = None
    regions: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    valid_until: date | None = None
    status: str = "active"
    version: int = 1
    # The enterprise's status as matching knows it: verified | pending | suspended, None while its
    # profile has not reached matching. Only a verified enterprise's listings are matched; the
    # others wait in the read model (events set it; a listing built by hand is of a verified one).
    enterprise_status: str | None = VERIFIED

    @property
    def is_active(self) -> bool:
        return self.status == "active" and self.enterprise_status == VERIFIED

    def erased(self) -> Listing:
        """The listing of a deleted enterprise: what it said and who said it are gone (152-FZ,
        GDPR); the sector, codes and places stay, so the matches' history still reads as a pair of
        listings."""
        return replace(
            self,
            enterprise_name="",
            legal_id="",
            title="",
            description="",
            enterprise_status=DELETED,
        )

    def expired_on(self, today: date) -> bool:
        """Its last day is over: never proposed, even before the registry's close of it arrives."""
        return self.valid_until is not None and self.valid_until < today

    @property
    def enterprise_suspended(self) -> bool:
        return self.enterprise_status == SUSPENDED

    @property
    def awaits_verification(self) -> bool:
        """The enterprise is pending, or not yet known to matching: its listings wait for the
        agency."""
        return self.enterprise_status not in (VERIFIED, SUSPENDED)

    @property
    def other_side(self) -> str:
        return "need" if self.side == "offer" else "offer"

    @property
    def held_certifications(self) -> frozenset[str]:
        return frozenset(
            c.strip().lower() for c in (*self.certifications, *self.enterprise_certifications)
        )

    def may_pair_with(self, other: Listing) -> bool:
        """Never the same enterprise, nor the same legal person under two registrations, nor kinds
        that do not go together (goods with services, say: domain/kinds.py)."""
        if other.side != self.other_side or other.enterprise_id == self.enterprise_id:
            return False
        if not compatible(self.kind, other.kind):
            return False
        return not (self.legal_id and self.legal_id == other.legal_id)


@dataclass(frozen=True)
class Profile:
    """A listing with its analysed text: what the index files it under and the scorer compares."""

    listing: Listing
    terms: frozenset[str]
    codes: tuple[str, ...]

    @classmethod
    def of(cls, listing: Listing, lexicon: Lexicon) -> Profile:
        stemmed = stems(f"{listing.title} {listing.description}")
        words = {s for s in stemmed if not s.isdigit()}
        codes = tuple(
            sorted({c.replace(".", "").replace(" ", "") for c in listing.product_codes if c})
        )
        return cls(listing, frozenset(words | lexicon.concepts(stemmed)), codes)
