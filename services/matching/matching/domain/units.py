"""Comparing a supplier's capacity with a buyer's volume when their units differ (t against kg,
t/month against t/year, a rate against a plain amount), and how each unit is written in the
reasons. The conversions are the units library's (`adapters/units.py`, pint); this module only
says what the scorer asks of it.

A unit is the registry's canonical code (data/units/units.json): a base code (pcs, t, m3) or a
base code with a period (pcs/year, t/month). A listing kept from before the vocabulary may carry
any text: the quantities port does not know it, and the scorer compares such units as before
(equal after case and a final dot, or not at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SAME, CONVERTED, OVER_A_YEAR = "same", "converted", "over_a_year"


@dataclass(frozen=True)
class Comparison:
    """Capacity against volume in one unit: `coverage` = capacity / volume.

    basis: SAME (one unit), CONVERTED (the need's amount said in the offer's unit, `volume` then
    being that converted amount) or OVER_A_YEAR (a rate against a plain amount: both said for one
    year, `capacity` and `volume` then being the yearly amounts in `unit`)."""

    coverage: float
    basis: str
    capacity: float
    volume: float
    unit: str


class Quantities(Protocol):
    def knows(self, code: str | None) -> bool:
        """A canonical code of the vocabulary."""

    def compare(
        self, capacity: float, capacity_unit: str, volume: float, volume_unit: str
    ) -> Comparison | None:
        """Both amounts in one unit, or None when the units measure different things (t against
        pcs)."""

    def label(self, code: str, language: str) -> str:
        """The code as the reasons write it in a language: pcs/year -> «шт./год», «pcs/year»."""


def number(value: float) -> str:
    """1500.0 -> '1500', 1.5 -> '1.5', 0.04166 -> '0.042': at most three decimals, no exponent."""
    text = f"{round(value, 3):.3f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
