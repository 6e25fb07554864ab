"""What the home page tells anyone about the platform: how many enterprises of each country are
on it (and how many of those the agency has verified), and how many offers and needs are open.
An enterprise counts while it is registered and neither deleted nor suspended; a listing while it
is active and its enterprise counts."""

from __future__ import annotations

from dataclasses import dataclass

COUNTRIES = ("RU", "BY")


@dataclass(frozen=True)
class Figures:
    enterprises: dict[str, int]  # by country, RU and BY always present
    verified_enterprises: dict[str, int]
    active_offers: int
    active_needs: int
