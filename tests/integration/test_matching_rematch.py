"""`python -m matching rematch` re-scores the stored matches after the weights change."""

from __future__ import annotations

import pytest

from tests.integration.matching_events import (
    proposed_pair,
    run_matching,
)


async def test_a_rematch_with_only_the_text_weight_rescores_a_proposed_match_to_its_text_value(
    platform, kafka_producer, matching_api
):
    async with matching_api() as api:
        before, offer, _need = await proposed_pair(kafka_producer, api)

    only_text = {
        f"MATCHING_WEIGHTS__{name.upper()}": "0"
        for name in ("sector", "codes", "geography", "quantity", "certifications", "language")
    }
    result = await run_matching(
        platform, "rematch", **only_text, MATCHING_WEIGHTS__TEXT="1", MATCHING_THRESHOLD="0"
    )
    async with matching_api() as api:
        after = (await api.get(f"/matches/{before['id']}")).json()

    assert result.returncode == 0, result.stderr[-2000:]
    assert "re-matched" in result.stdout
    text = next(c for c in after["components"] if c["name"] == "text")
    assert text["weight"] == 1.0 and all(
        c["weight"] == 0 for c in after["components"] if c["name"] != "text"
    )
    assert after["score"] == pytest.approx(text["value"], abs=1e-3)
    assert after["score"] != before["score"] and after["status"] == "proposed"


async def test_a_rematch_withdraws_a_pair_proposed_before_the_gate_for_an_unverified_enterprise(
    platform, kafka_producer, matching_api
):
    """Pairs proposed before matching waited for the agency's verification (revision 0007 keeps
    them) are withdrawn by the first rematch: the gate holds there too."""
    from sqlalchemy import update
    from sqlalchemy.ext.asyncio import create_async_engine

    from matching.adapters.orm import listings

    async with matching_api() as api:
        before, offer, _need = await proposed_pair(kafka_producer, api)
    engine = create_async_engine(platform.database_url("matching"))
    async with (
        engine.begin() as connection
    ):  # the seller as the migration leaves a pending enterprise's listing
        await connection.execute(
            update(listings)
            .where(listings.c.id == offer.listing_id)
            .values(enterprise_status="pending")
        )
    await engine.dispose()

    result = await run_matching(platform, "rematch")
    async with matching_api() as api:
        after = (await api.get(f"/matches/{before['id']}")).json()

    assert result.returncode == 0, result.stderr[-2000:]
    assert before["status"] == "proposed" and after["status"] == "withdrawn"
    assert (
        after["history"][-1]["note"]
        == "the enterprise behind the offer awaits the agency's verification"
    )
