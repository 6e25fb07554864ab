"""The score of an offer against a need: a weighted sum of components in [0, 1], each with the
reason a person can read, in Russian, English and Belarusian (`domain/belarusian.py`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from matching.domain import belarusian as be
from matching.domain.geography import Gazetteer, haversine_km
from matching.domain.kinds import kind_name
from matching.domain.listing import Listing, Profile
from matching.domain.taxonomy import PRODUCT_CONCEPT, SECTOR_CONCEPT, Taxonomy
from matching.domain.text import stem, words
from matching.domain.units import CONVERTED, OVER_A_YEAR, Comparison, Quantities, number

COMPONENTS = ("sector", "codes", "text", "geography", "quantity", "certifications", "language")
NEUTRAL = 0.5  # what a component is worth when one side did not say (no unit, unknown city)
CROSS_BORDER = frozenset({"RU", "BY"})
_COUNTRY_NAMES = {"RU": ("Россия", "Russia"), "BY": ("Беларусь", "Belarus")}
_CONCEPT_WEIGHT = {SECTOR_CONCEPT: 0.5, PRODUCT_CONCEPT: 1.5}
_LANGUAGE_NAMES = {
    "ru": ("русский", "Russian"),
    "be": ("белорусский", "Belarusian"),
    "en": ("английский", "English"),
}
_UNITS = {
    "pcs": ("шт.", "pcs"),
    "шт": ("шт.", "pcs"),
    "t": ("т", "t"),
    "т": ("т", "t"),
    "m2": ("м²", "m²"),
    "m3": ("м³", "m³"),
    "km": ("км", "km"),
    "kg": ("кг", "kg"),
    "head": ("гол.", "head"),
    "гол": ("гол.", "head"),
}


@dataclass(frozen=True)
class Weights:
    sector: float = 0.15
    codes: float = 0.15
    text: float = 0.30
    geography: float = 0.15
    quantity: float = 0.15
    certifications: float = 0.05
    language: float = 0.05


@dataclass(frozen=True)
class Policy:
    weights: Weights = field(default_factory=Weights)
    max_distance_km: float = 1200.0  # beyond it geography is worth nothing
    cross_border_bonus: float = 0.25  # the agency's preference for RU <-> BY pairs; 0 turns it off


@dataclass(frozen=True)
class Component:
    name: str
    value: float
    weight: float


class Reason(NamedTuple):
    """What a person reads about one component, in Russian, English and Belarusian (built in that
    order)."""

    ru: str
    en: str
    be: str


@dataclass(frozen=True)
class Score:
    value: float
    components: tuple[Component, ...]
    reasons: tuple[Reason, ...]

    @property
    def reasons_ru(self) -> list[str]:
        return [r.ru for r in self.reasons]

    @property
    def reasons_en(self) -> list[str]:
        return [r.en for r in self.reasons]

    @property
    def reasons_be(self) -> list[str]:
        return [r.be for r in self.reasons]


Idf = Callable[[str], float]
Explanation = Callable[[], Reason]  # built only when a person will read it


def _flat_idf(term: str) -> float:
    return 1.0


class TermWeights:
    """The weight of each term (its idf, more for a product concept, less for a sector one) and of
    each listing's whole term set, cached: ranking a hundred candidates asks for the same ones
    often."""

    def __init__(self, idf: Idf = _flat_idf) -> None:
        self._idf = idf
        self._weights: dict[str, float] = {}
        self._norms: dict[object, float] = {}

    def weight(self, term: str) -> float:
        value = self._weights.get(term)
        if value is None:
            value = self._idf(term)
            if term.startswith("#"):
                for prefix, factor in _CONCEPT_WEIGHT.items():
                    if term.startswith(prefix):
                        value *= factor
            self._weights[term] = value
        return value

    def norm(self, profile: Profile) -> float:
        key = profile.listing.id
        value = self._norms.get(key)
        if value is None:
            value = math.sqrt(sum(self.weight(t) ** 2 for t in profile.terms))
            self._norms[key] = value
        return value

    def forget(self, key: object) -> None:
        self._norms.pop(key, None)

    def clear(self) -> None:
        self._weights.clear()
        self._norms.clear()


class Scorer:
    """`quantities` (the units library, `adapters/units.py`) compares capacity and volume in
    different units; without it only equal units compare. `region_names` ({region id: {"ru", "en",
    "be"}}) names a delivery region in the reasons."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        places: Gazetteer,
        policy: Policy | None = None,
        *,
        quantities: Quantities | None = None,
        region_names: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.places = places
        self.policy = policy or Policy()
        self.quantities = quantities
        self.region_names = region_names or {}

    def score(
        self,
        offer: Profile,
        need: Profile,
        weights: TermWeights | None = None,
        *,
        explain: bool = True,
    ) -> Score:
        """With explain=False only the value is computed (no components, no reasons): ranking many
        candidates needs nothing more."""
        weights = weights or TermWeights()
        parts = [
            ("sector", self._sector(offer.listing, need.listing)),
            ("codes", _codes(offer.codes, need.codes)),
            ("text", _text(offer, need, weights, explain)),
            ("geography", self._geography(offer.listing, need.listing)),
            ("quantity", self._quantity(offer.listing, need.listing)),
            ("certifications", _certifications(offer.listing, need.listing)),
            ("language", _language(offer.listing, need.listing)),
        ]
        policy_weights = self.policy.weights
        if not explain:
            weighted = [(value, getattr(policy_weights, name)) for name, (value, _) in parts]
            value = sum(v * w for v, w in weighted) / (sum(w for _, w in weighted) or 1.0)
            return Score(round(min(1.0, max(0.0, value)), 4), (), ())
        components = tuple(
            Component(name, round(value, 4), getattr(policy_weights, name))
            for name, (value, _) in parts
        )
        total_weight = sum(c.weight for c in components) or 1.0
        value = sum(c.value * c.weight for c in components) / total_weight
        reasons = tuple(explanation() for _, (_, explanation) in parts if explanation is not None)
        if offer.listing.kind != need.listing.kind:
            reasons += (_kinds_reason(offer.listing.kind, need.listing.kind),)
        return Score(round(min(1.0, max(0.0, value)), 4), components, reasons)

    def _sector(self, offer: Listing, need: Listing) -> tuple[float, Explanation | None]:
        if offer.sector != need.sector:
            return 0.0, None
        return 1.0, lambda: Reason(
            f"Оба в секторе «{self.taxonomy.sector_name(offer.sector, 'ru')}»",
            f"Both in the sector “{self.taxonomy.sector_name(offer.sector, 'en')}”",
            be.same_sector(self.taxonomy.sector_name(offer.sector, "be")),
        )

    def _geography(self, offer: Listing, need: Listing) -> tuple[float, Explanation | None]:
        supplier, buyer = (
            self.places.locate(offer.city, offer.region),
            self.places.locate(need.city, need.region),
        )
        # A supplier that delivers to the buyer's region, or that is in a region the buyer looks in,
        # is near wherever its factory is.
        delivers = need.region in offer.regions
        if delivers or offer.region in need.regions:
            km = (
                haversine_km(supplier, buyer)
                if supplier is not None and buyer is not None
                else None
            )
            region = need.region if delivers else offer.region
            return 1.0, lambda: self._region_reason(
                delivers, region, offer, need, supplier, buyer, km
            )
        if supplier is None or buyer is None:
            return NEUTRAL, None
        km = haversine_km(supplier, buyer)
        value = max(0.0, 1.0 - km / self.policy.max_distance_km)
        cross_border = (
            offer.country != need.country and {offer.country, need.country} == CROSS_BORDER
        )
        if cross_border:
            # A preference among partners in reach: it scales nearness, so it never makes a far
            # partner look near.
            value = min(1.0, value * (1 + self.policy.cross_border_bonus))
        countries = (offer.country, need.country) if cross_border else None
        return value, lambda: _distance_reason(
            offer.city, supplier.name_en, need.city, buyer.name_en, km, countries
        )

    def _region_reason(
        self,
        delivers: bool,
        region: str,
        offer: Listing,
        need: Listing,
        supplier,
        buyer,
        km: float | None,
    ) -> Reason:
        names = self.region_names.get(region, {})
        ru, en = names.get("ru") or region, names.get("en") or names.get("ru") or region
        be_name = names.get("be") or ru
        if delivers:
            reason = Reason(
                f"поставщик доставляет в регион покупателя: {ru}",
                f"the supplier delivers to the buyer's region: {en}",
                be.delivers_to_buyer_region(be_name),
            )
        else:
            reason = Reason(
                f"покупатель ищет поставщиков в регионе поставщика: {ru}",
                f"the buyer looks for suppliers in the supplier's region: {en}",
                be.buyer_looks_in_supplier_region(be_name),
            )
        if km is None:
            return reason
        cross_border = (
            offer.country != need.country and {offer.country, need.country} == CROSS_BORDER
        )
        distance = _distance_reason(
            offer.city,
            supplier.name_en,
            need.city,
            buyer.name_en,
            km,
            (offer.country, need.country) if cross_border else None,
        )
        return Reason(
            f"{reason.ru}; {distance.ru}",
            f"{reason.en}; {distance.en}",
            f"{reason.be}; {distance.be}",
        )

    def _quantity(self, offer: Listing, need: Listing) -> tuple[float, Explanation | None]:
        quantities = self.quantities
        if (
            quantities is None
            or not offer.quantity
            or not need.quantity
            or not quantities.knows(offer.unit)
            or not quantities.knows(need.unit)
        ):
            return _quantity(
                offer, need
            )  # units of before the vocabulary: equal ones compare, as they always did
        compared = quantities.compare(offer.quantity, offer.unit, need.quantity, need.unit)
        if compared is None:
            return NEUTRAL, lambda: _incommensurable_reason(quantities, offer.unit, need.unit)
        coverage = compared.coverage
        value = 1.0 if coverage >= 1 else coverage**2
        return value, lambda: _converted_quantity_reason(quantities, offer, need, compared)


def _kinds_reason(offer_kind: str, need_kind: str) -> Reason:
    """Said when the kinds differ (they pair only when compatible: domain/kinds.py)."""
    return Reason(
        f"совместимые виды: {kind_name(offer_kind, 'ru')} — {kind_name(need_kind, 'ru')}",
        f"compatible kinds: {kind_name(offer_kind, 'en')} — {kind_name(need_kind, 'en')}",
        be.compatible_kinds(kind_name(offer_kind, "be"), kind_name(need_kind, "be")),
    )


def _incommensurable_reason(quantities: Quantities, offer_unit: str, need_unit: str) -> Reason:
    ru, en, be_ = (
        (quantities.label(offer_unit, "ru"), quantities.label(need_unit, "ru")),
        (quantities.label(offer_unit, "en"), quantities.label(need_unit, "en")),
        (quantities.label(offer_unit, "be"), quantities.label(need_unit, "be")),
    )
    return Reason(
        f"объёмы нельзя сравнить: мощность в {ru[0]}, потребность в {ru[1]}",
        f"the quantities cannot be compared: a capacity in {en[0]}, a need in {en[1]}",
        be.quantities_incommensurable(*be_),
    )


def _converted_quantity_reason(
    quantities: Quantities, offer: Listing, need: Listing, compared: Comparison
) -> Reason:
    """«мощность 2500 шт./год покрывает потребность 1500 шт. (за один год: 2500 шт. против 1500
    шт.)»."""

    def said(value: float, unit: str, language: str) -> str:
        return f"{number(value)} {quantities.label(unit, language)}"

    texts = {}
    for language in ("ru", "en", "be"):
        have, want = (
            said(offer.quantity, offer.unit, language),
            said(need.quantity, need.unit, language),
        )
        if compared.coverage >= 1:
            sentence = {
                "ru": f"мощность {have} покрывает потребность {want}",
                "en": f"a capacity of {have} covers the need for {want}",
                "be": be.capacity_covers(have, want),
            }[language]
        else:
            share = round(compared.coverage * 100)
            sentence = {
                "ru": f"мощность {have} покрывает лишь {share}% потребности {want}",
                "en": f"a capacity of {have} covers only {share}% of the need for {want}",
                "be": be.capacity_covers_only(have, share, want),
            }[language]
        if compared.basis == CONVERTED:
            converted = said(compared.volume, compared.unit, language)
            sentence += {
                "ru": f" (в пересчёте {converted})",
                "en": f" (converted: {converted})",
                "be": f" ({be.converted(converted)})",
            }[language]
        elif compared.basis == OVER_A_YEAR:
            yearly_have, yearly_want = (
                said(compared.capacity, compared.unit, language),
                said(compared.volume, compared.unit, language),
            )
            sentence += {
                "ru": f" (за один год: {yearly_have} против {yearly_want})",
                "en": f" (over one year: {yearly_have} against {yearly_want})",
                "be": f" ({be.over_a_year(yearly_have, yearly_want)})",
            }[language]
        texts[language] = sentence
    return Reason(texts["ru"], texts["en"], texts["be"])


def _distance_reason(
    offer_city: str,
    offer_city_en: str,
    need_city: str,
    need_city_en: str,
    km: float,
    countries: tuple[str, str] | None,
) -> Reason:
    ru, en = (
        f"{offer_city} — {need_city} {round(km)} км",
        f"{offer_city_en} — {need_city_en} {round(km)} km",
    )
    if countries:
        # The two countries in the cities' order, in every language: «Могилёв — Смоленск 148 км
        # (Беларусь — Россия)».
        (offer_ru, offer_en), (need_ru, need_en) = (
            _COUNTRY_NAMES.get(c, (c, c)) for c in countries
        )
        ru, en = f"{ru} ({offer_ru} — {need_ru})", f"{en} ({offer_en} — {need_en})"
    return Reason(ru, en, be.distance(offer_city, need_city, km, countries))


def shared_prefix(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):  # up to the shorter one
        if x != y:
            break
        length += 1
    return length


def _code_value(prefix_length: int) -> float:
    # A chapter (2 digits) says little; a heading (4) more; a subheading (6) and a national line
    # (8-10) most.
    if prefix_length >= 8:
        return 1.0
    if prefix_length >= 6:
        return 0.85
    if prefix_length >= 4:
        return 0.65
    if prefix_length >= 2:
        return 0.2
    return 0.0


def format_code(code: str) -> str:
    """8428102000 -> 8428.10.200.0 as customs write it; 842810 -> 8428.10."""
    groups = [code[:4], code[4:6], code[6:9], code[9:10]]
    return ".".join(group for group in groups if group)


def _codes(
    offer_codes: tuple[str, ...], need_codes: tuple[str, ...]
) -> tuple[float, Explanation | None]:
    best, best_code = 0, ""
    for a in offer_codes:
        for b in need_codes:
            length = shared_prefix(a, b)
            if length > best:
                best, best_code = length, a[:length]
    if best < 4:
        return _code_value(best), None
    shown = format_code(best_code)
    return _code_value(best), lambda: Reason(
        f"коды ТН ВЭД совпадают до {shown}",
        f"HS / TN VED codes agree up to {shown}",
        be.codes_agree(shown),
    )


def _text(
    offer: Profile, need: Profile, weights: TermWeights, explain: bool = True
) -> tuple[float, Explanation | None]:
    """Cosine of the two listings' IDF-weighted term sets (stems and concepts)."""
    shared = offer.terms & need.terms
    if not shared:
        return 0.0, None
    dot = sum(weights.weight(t) ** 2 for t in shared)
    norm = weights.norm(offer) * weights.norm(need)
    value = dot / norm if norm else 0.0
    if value < 0.2 or not explain:
        return value, None
    shared_words = _surface_words(need.listing, shared)
    if not shared_words:
        return value, lambda: Reason(
            "описания говорят об одном товаре на разных языках",
            "the descriptions name the same product in different languages",
            be.same_product_in_other_languages(),
        )
    listed = ", ".join(shared_words)
    return value, lambda: Reason(
        f"в описаниях общие слова: {listed}",
        f"the descriptions share the words: {listed}",
        be.shared_words(listed),
    )


def _surface_words(listing: Listing, shared: frozenset[str], limit: int = 4) -> list[str]:
    found: list[str] = []
    for word in words(f"{listing.title} {listing.description}"):
        if stem(word) in shared and not word.isdigit() and word not in found:
            found.append(word)
            if len(found) == limit:
                break
    return found


def _unit(unit: str | None) -> str:
    return (unit or "").strip().lower().rstrip(".")


def _amount(quantity: float, unit: str, language: str) -> str:
    shown = _UNITS.get(unit, (unit, unit))[0 if language in ("ru", "be") else 1]
    number = f"{quantity:g}"
    if language == "be":
        return be.amount(number, shown)
    return f"{number} {shown}".strip()


def _quantity(offer: Listing, need: Listing) -> tuple[float, Explanation | None]:
    unit = _unit(offer.unit)
    if not offer.quantity or not need.quantity or unit != _unit(need.unit):
        return NEUTRAL, None
    coverage = offer.quantity / need.quantity
    if coverage >= 1:
        return 1.0, lambda: _quantity_reason(offer.quantity, need.quantity, unit, coverage)
    # Squared: a supplier for half the need leaves the buyer still looking for the other half.
    return coverage**2, lambda: _quantity_reason(offer.quantity, need.quantity, unit, coverage)


def _quantity_reason(capacity: float, volume: float, unit: str, coverage: float) -> Reason:
    have_ru, want_ru = _amount(capacity, unit, "ru"), _amount(volume, unit, "ru")
    have_en, want_en = _amount(capacity, unit, "en"), _amount(volume, unit, "en")
    have_be, want_be = _amount(capacity, unit, "be"), _amount(volume, unit, "be")
    if coverage >= 1:
        return Reason(
            f"мощность {have_ru} покрывает потребность {want_ru}",
            f"a capacity of {have_en} covers the need for {want_en}",
            be.capacity_covers(have_be, want_be),
        )
    share = round(coverage * 100)
    return Reason(
        f"мощность {have_ru} покрывает лишь {share}% потребности {want_ru}",
        f"a capacity of {have_en} covers only {share}% of the need for {want_en}",
        be.capacity_covers_only(have_be, share, want_be),
    )


def _certifications(offer: Listing, need: Listing) -> tuple[float, Explanation | None]:
    required = {c.strip().lower(): c.strip() for c in need.certifications if c.strip()}
    if not required:
        return 1.0, None
    held = [shown for key, shown in required.items() if key in offer.held_certifications]
    missing = [shown for key, shown in required.items() if key not in offer.held_certifications]
    if not missing:
        names = ", ".join(held)
        return 1.0, lambda: Reason(
            f"у поставщика есть требуемые сертификаты: {names}",
            f"the supplier holds the required certificates: {names}",
            be.certificates_held(names),
        )
    names = ", ".join(missing)
    return len(held) / len(required), lambda: Reason(
        f"нет требуемых сертификатов: {names}",
        f"missing required certificates: {names}",
        be.certificates_missing(names),
    )


def _language(offer: Listing, need: Listing) -> tuple[float, Explanation | None]:
    if not offer.languages or not need.languages:
        return NEUTRAL, None
    shared = [language for language in offer.languages if language in need.languages]
    if not shared:
        return 0.0, None
    ru, en = _LANGUAGE_NAMES.get(shared[0], (shared[0], shared[0]))
    return 1.0, lambda: Reason(
        f"общий язык: {ru}", f"a shared language: {en}", be.shared_language(shared[0])
    )
