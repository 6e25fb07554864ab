"""The agency's console says what happened to a pair in its reader's language: why matching withdrew
it, for every cause the platform's contract names (a cause added to the contract fails here until
the console says it), and which side answered what, instead of matching's English notes."""

from __future__ import annotations

from typing import get_args

import pytest

from eventkit.contracts import WithdrawalCause
from web.entrypoints.i18n import Catalogs, Texts, use_language
from web.entrypoints.rendering import environment

CAUSES = get_args(WithdrawalCause)


def _said(lang: str, words: str, **context) -> str:
    """`words` (a call of a macro of console/_words.html) as a reader of `lang` sees it."""
    templates = environment(Texts(Catalogs()))
    token = use_language(lang)
    try:
        return templates.from_string(
            '{% from "console/_words.html" import withdrawal, answered %}' + words
        ).render(**context)
    finally:
        token.var.reset(token)


def _why(lang: str, cause: str, side: str | None) -> str:
    return _said(lang, "{{ withdrawal(cause, side) }}", cause=cause, side=side)


@pytest.mark.parametrize("lang", ["ru", "be", "en"])
def test_every_cause_of_a_withdrawal_is_said_for_either_side(lang):
    said = {
        (cause, side): _why(lang, cause, side) for cause in CAUSES for side in ("offer", "need")
    }
    assert all(said.values()), [pair for pair, words in said.items() if not words]


def test_the_side_whose_listing_ended_the_pair_is_named():
    assert _why("ru", "listing_closed", "offer") == "Предложение закрыто."
    assert _why("ru", "listing_expired", "need") == "Срок потребности истёк."
    assert _why("be", "enterprise_suspended", "need") == "Агенцтва прыпыніла пакупніка."
    assert _why("en", "displaced", None) == "A pair that fits better took its place in the queue."


def test_a_sides_answer_is_said_in_words_not_as_matchings_note():
    said = _said("ru", "{{ answered('need', 'declined') }} / {{ answered('offer', 'approved') }}")
    assert said == "Покупатель: не интересно / Поставщик: интересно"
