"""The quantities port (`domain/units.py`) on the pint units library, with the project's own
definitions (pieces, sets, head of cattle, ...) and the codes of data/units/units.json.

Built once at start-up (`bootstrap.build_matcher`): a pint registry takes a while to build. Each
pair of codes is converted once; later pairs of the same codes reuse the factor.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pint

from matching.domain.units import CONVERTED, OVER_A_YEAR, SAME, Comparison


class PintQuantities:
    def __init__(self, vocabulary: Mapping) -> None:
        self._registry = pint.UnitRegistry(cache_folder=None)
        for definition in vocabulary.get("pint_definitions", ()):
            self._registry.define(definition)
        self._bases = {u["code"]: u for u in vocabulary["units"]}
        self._periods = {p["code"]: p for p in vocabulary["periods"]}
        self._units: dict[str, pint.Unit] = {}
        for code, unit in self._bases.items():
            self._units[code] = self._registry.Unit(unit["pint"])
            for period, about in self._periods.items():
                self._units[f"{code}/{period}"] = self._registry.Unit(
                    f"({unit['pint']}) / {about['pint']}"
                )
        self._year = self._registry.Quantity(1, "year")
        self._plans: dict[tuple[str, str], tuple] = {}

    def knows(self, code: str | None) -> bool:
        return code in self._units

    def compare(
        self, capacity: float, capacity_unit: str, volume: float, volume_unit: str
    ) -> Comparison | None:
        plan = self._plans.get((capacity_unit, volume_unit))
        if plan is None:
            plan = self._plans[(capacity_unit, volume_unit)] = self._plan(
                capacity_unit, volume_unit
            )
        basis, capacity_factor, volume_factor, unit = plan
        if basis is None:
            return None
        have, want = capacity * capacity_factor, volume * volume_factor
        return Comparison(have / want if want else 0.0, basis, have, want, unit)

    def _plan(self, capacity_unit: str, volume_unit: str) -> tuple:
        """How two codes compare: (basis, factor for the capacity, factor for the volume, the unit
        they end in)."""
        if capacity_unit == volume_unit:
            return SAME, 1.0, 1.0, capacity_unit
        have, want = self._units.get(capacity_unit), self._units.get(volume_unit)
        if have is None or want is None:
            return None, 0.0, 0.0, ""
        one_have, one_want = self._registry.Quantity(1, have), self._registry.Quantity(1, want)
        if have.dimensionality == want.dimensionality:
            return CONVERTED, 1.0, float(one_want.to(have).magnitude), capacity_unit
        # A rate against a plain amount: both said for one year, in the plain amount's base unit.
        have_rate, want_rate = "/" in capacity_unit, "/" in volume_unit
        if have_rate != want_rate:
            yearly_have = one_have * self._year if have_rate else one_have
            yearly_want = one_want * self._year if want_rate else one_want
            base = volume_unit if have_rate else capacity_unit
            target = self._units[base]
            if yearly_have.dimensionality == yearly_want.dimensionality == target.dimensionality:
                return (
                    OVER_A_YEAR,
                    float(yearly_have.to(target).magnitude),
                    float(yearly_want.to(target).magnitude),
                    base,
                )
        return None, 0.0, 0.0, ""

    def label(self, code: str, language: str) -> str:
        base, _, period = code.partition("/")
        unit = self._bases.get(base)
        if unit is None:
            return code
        shown = unit["names"].get(language) or unit["names"]["en"]
        if not period:
            return shown
        about = self._periods.get(period)
        return (
            f"{shown}/{(about['names'].get(language) or about['names']['en']) if about else period}"
        )


def load_quantities(data_dir: Path) -> PintQuantities:
    return PintQuantities(
        json.loads((data_dir / "units" / "units.json").read_text(encoding="utf-8"))
    )
