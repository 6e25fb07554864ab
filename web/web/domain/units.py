"""How a quantity's unit is written on a page. The registry keeps the code of its vocabulary (`pcs`,
`t/month`, `head/year`); a reader sees the short label in the page's language (шт., т/мес.,
гал./год)."""

from __future__ import annotations

# ru, be, en: as the vocabulary (data/units/units.json) writes them; a unit test keeps the two in
# step.
BASES = {
    "pcs": ("шт.", "шт.", "pcs"),
    "kpcs": ("тыс. шт.", "тыс. шт.", "thousand pcs"),
    "set": ("компл.", "кампл.", "sets"),
    "head": ("гол.", "гал.", "head"),
    "person": ("чел.", "чал.", "persons"),
    "seat": ("мест", "месцаў", "places"),
    "group": ("групп", "груп", "groups"),
    "dose": ("доз", "доз", "doses"),
    "trip": ("рейсов", "рэйсаў", "trips"),
    "tour": ("экскурсий", "экскурсій", "tours"),
    "t": ("т", "т", "t"),
    "kg": ("кг", "кг", "kg"),
    "l": ("л", "л", "l"),
    "m3": ("м³", "м³", "m³"),
    "m2": ("м²", "м²", "m²"),
    "ha": ("га", "га", "ha"),
    "m": ("пог. м", "пог. м", "running m"),
    "km": ("км", "км", "km"),
    "kWh": ("кВт·ч", "кВт·г", "kWh"),
    "MWh": ("МВт·ч", "МВт·г", "MWh"),
}
PERIODS = {
    "day": ("сут.", "сут.", "day"),
    "week": ("нед.", "тыдз.", "week"),
    "month": ("мес.", "мес.", "month"),
    "year": ("год", "год", "year"),
}
_COLUMN = {"ru": 0, "be": 1, "en": 2}


def unit_label(code: str | None, language: str) -> str:
    """The label of a code; a unit kept from before the vocabulary is shown as it was written."""
    if not code:
        return ""
    base, _, period = code.partition("/")
    if base not in BASES or (period and period not in PERIODS):
        return code
    column = _COLUMN.get(language, 0)
    return f"{BASES[base][column]}/{PERIODS[period][column]}" if period else BASES[base][column]
