"""Why two listings were paired, in the reader's language: the API gives the reasons in Russian,
Belarusian and English, one for one."""

from __future__ import annotations


def reasons_in(match: dict, language: str) -> list[str]:
    """Belarusian falls back to Russian (a match scored before Belarusian reasons existed), English
    is English, Russian is Russian."""
    reasons = match.get("reasons") or {}
    if language == "en":
        return reasons.get("en") or reasons.get("ru") or []
    if language == "be":
        return reasons.get("be") or reasons.get("ru") or []
    return reasons.get("ru") or reasons.get("en") or []
