"""The agency's console says why matching withdrew a pair in its reader's language, for every cause
the platform's contract names: a cause added to the contract fails here until the console
says it."""

from __future__ import annotations

from typing import get_args

import pytest

from eventkit.contracts import WithdrawalCause
from web.entrypoints.i18n import Catalogs, Texts, use_language
from web.entrypoints.rendering import environment

CAUSES = get_args(WithdrawalCause)


def _said(lang: str, cause: str, side: str | None) -> str:
    templates = environment(Texts(Catalogs()))
    token = use_language(lang)
    try:
        return templates.from_string(
            '{% from "console/_words.html" import withdrawal %}{{ withdrawal(cause, side) }}'
        ).render(cause=cause, side=side)
    finally:
        token.var.reset(token)


@pytest.mark.parametrize("lang", ["ru", "be", "en"])
def test_every_cause_of_a_withdrawal_is_said_for_either_side(lang):
    said = {
        (cause, side): _said(lang, cause, side) for cause in CAUSES for side in ("offer", "need")
    }
    assert all(said.values()), [pair for pair, words in said.items() if not words]


def test_the_side_whose_listing_ended_the_pair_is_named():
    assert _said("ru", "listing_closed", "offer") == "Предложение закрыто."
    assert _said("ru", "listing_expired", "need") == "Срок потребности истёк."
    assert _said("be", "enterprise_suspended", "need") == "Агенцтва прыпыніла пакупніка."
    assert _said("en", "displaced", None) == "A pair that fits better took its place in the queue."
