"""What a reviewer reads about a match besides its score: who is on each side, where, what they
published and whether the agency has verified them (matching's own read model of the registry)."""

from __future__ import annotations

from dataclasses import dataclass

from matching.domain.match import Match

VERIFIED = "verified"
VERIFICATIONS = (
    "verified",
    "unverified",
)  # both sides verified | at least one side not (or not known)


@dataclass(frozen=True)
class Party:
    """One side of a match as the queue shows it. `enterprise_status` is None while matching has
    not heard of the enterprise's profile."""

    title: str
    enterprise_name: str
    country: str
    region: str
    city: str
    enterprise_status: str | None


@dataclass(frozen=True)
class ReviewedMatch:
    match: Match
    sector: str
    offer: Party
    need: Party

    @property
    def both_verified(self) -> bool:
        return self.offer.enterprise_status == self.need.enterprise_status == VERIFIED
