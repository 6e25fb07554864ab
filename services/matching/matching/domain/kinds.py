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

# Each kind as the reasons name it: (Russian, English, Belarusian).
KIND_NAMES = {
    "goods": ("товары", "goods", "тавары"),
    "services": ("услуги", "services", "паслугі"),
    "technology": ("технологии", "technology", "тэхналогіі"),
    "investment": ("инвестиции", "investment", "інвестыцыі"),
    "joint_venture": ("совместное предприятие", "joint venture", "сумеснае прадпрыемства"),
}


def compatible(kind: str, other: str) -> bool:
    """A kind this vocabulary does not know pairs only with the same kind."""
    return other in _COMPATIBLE.get(kind, frozenset({kind}))
