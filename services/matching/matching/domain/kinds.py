"""Which kinds of listing may pair: goods with goods, services with services, an investment with an
investment or a joint venture, a technology with a technology or a joint venture (a joint venture
also with a joint venture). The registry's kinds: goods | services | technology | investment |
joint_venture."""

from __future__ import annotations

_COMPATIBLE = {
    "goods": frozenset({"goods"}),
    "services": frozenset({"services"}),
    "investment": frozenset({"investment", "joint_venture"}),
    "technology": frozenset({"technology", "joint_venture"}),
    "joint_venture": frozenset({"joint_venture", "investment", "technology"}),
}

# Each kind as the reasons name it, by language.
KIND_NAMES = {
    "goods": {"ru": "товары", "en": "goods", "be": "тавары"},
    "services": {"ru": "услуги", "en": "services", "be": "паслугі"},
    "technology": {"ru": "технологии", "en": "technology", "be": "тэхналогіі"},
    "investment": {"ru": "инвестиции", "en": "investment", "be": "інвестыцыі"},
    "joint_venture": {
        "ru": "совместное предприятие",
        "en": "joint venture",
        "be": "сумеснае прадпрыемства",
    },
}


def kind_name(kind: str, language: str) -> str:
    """A kind this vocabulary does not know is named by its code."""
    return KIND_NAMES.get(kind, {}).get(language, kind)


def compatible(kind: str, other: str) -> bool:
    """A kind this vocabulary does not know pairs only with the same kind."""
    return other in _COMPATIBLE.get(kind, frozenset({kind}))
