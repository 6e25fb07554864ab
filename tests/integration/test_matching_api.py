"""The matching API, called directly with the gateway's internal token: the reviewer's queue and
decisions, the companies' answers and what each caller may see."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.integration.matching_events import (
    proposed_pair,
)


@pytest.fixture
async def proposed_match(kafka_producer, matching_api):
    async with matching_api() as api:  # of verified enterprises: matching pairs only those
        return await proposed_pair(kafka_producer, api)


async def test_a_call_without_the_gateways_token_is_refused(platform):
    async with httpx.AsyncClient(base_url=platform.service_url("matching")) as api:
        response = await api.get("/matches")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_reviewer_approves_and_both_companies_become_interested_and_are_introduced(
    proposed_match, matching_api
):
    match, offer, need = proposed_match
    async with matching_api(account_id="reviewer-1") as reviewer:
        approved = await reviewer.post(f"/matches/{match['id']}/approve", json={"note": "good fit"})
    async with matching_api(
        role="company", account_id="buyer", enterprise_ids=[need.enterprise_id]
    ) as buyer:
        await buyer.post(f"/matches/{match['id']}/respond", json={"answer": "interested"})
        suggestions = (await buyer.get(f"/enterprises/{need.enterprise_id}/suggestions")).json()
    async with matching_api(
        role="company", account_id="seller", enterprise_ids=[offer.enterprise_id]
    ) as seller:
        introduced = (
            await seller.post(f"/matches/{match['id']}/respond", json={"answer": "interested"})
        ).json()
    async with matching_api(account_id="reviewer-1") as reviewer:
        closed = (
            await reviewer.post(
                f"/matches/{match['id']}/close", json={"outcome": "contract for 120 lifts"}
            )
        ).json()

    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert [s["id"] for s in suggestions["items"]] == [match["id"]]
    assert introduced["status"] == "introduced"
    assert closed["status"] == "closed" and closed["outcome"] == "contract for 120 lifts"
    assert [(h["to_status"], h["actor"], h["side"]) for h in closed["history"]] == [
        ("proposed", "matcher", None),
        ("approved", "reviewer-1", None),
        ("approved", "buyer", "need"),  # which side answered, for the console to say it
        ("approved", "seller", "offer"),
        ("introduced", "seller", None),
        ("closed", "reviewer-1", None),
    ]


async def test_approving_a_rejected_match_is_a_conflict(proposed_match, matching_api):
    match, _, _ = proposed_match
    async with matching_api() as reviewer:
        rejected = await reviewer.post(
            f"/matches/{match['id']}/reject", json={"reason": "buyer already contracted"}
        )
        again = await reviewer.post(f"/matches/{match['id']}/approve")

    assert (
        rejected.json()["status"] == "rejected"
        and rejected.json()["review_note"] == "buyer already contracted"
    )
    assert again.status_code == 409
    assert (
        again.headers["content-type"] == "application/problem+json"
        and again.json()["title"] == "Conflict"
    )


async def test_bad_input_is_a_problem_with_its_field(proposed_match, matching_api):
    match, _, _ = proposed_match
    async with matching_api() as reviewer:
        no_reason = await reviewer.post(f"/matches/{match['id']}/reject", json={})
        bad_score = await reviewer.get("/matches", params={"min_score": 3})
        unknown = await reviewer.get(f"/matches/{uuid.uuid4()}")

    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    assert bad_score.status_code == 422 and bad_score.json()["errors"][0]["field"] == "min_score"
    assert unknown.status_code == 404


async def test_a_company_sees_neither_proposed_matches_nor_other_companies_ones(
    proposed_match, matching_api
):
    match, offer, need = proposed_match
    async with matching_api(role="company", enterprise_ids=[need.enterprise_id]) as buyer:
        not_yet = await buyer.get(f"/matches/{match['id']}")
        approve = await buyer.post(f"/matches/{match['id']}/approve")
        queue = (await buyer.get("/matches")).json()
    async with matching_api(role="company", enterprise_ids=[uuid.uuid4()]) as stranger:
        others = await stranger.get(f"/enterprises/{need.enterprise_id}/suggestions")

    assert not_yet.status_code == 404
    assert approve.status_code == 403
    assert all(m["status"] != "proposed" for m in queue["items"])
    assert others.status_code == 403


async def test_a_company_answers_only_for_its_own_side(proposed_match, matching_api):
    match, offer, need = proposed_match
    async with matching_api() as reviewer:
        await reviewer.post(f"/matches/{match['id']}/approve")
    async with matching_api(role="company", enterprise_ids=[need.enterprise_id]) as buyer:
        wrong_side = await buyer.post(
            f"/matches/{match['id']}/respond", json={"answer": "interested", "side": "offer"}
        )
        declined = await buyer.post(f"/matches/{match['id']}/respond", json={"answer": "declined"})
        twice = await buyer.post(f"/matches/{match['id']}/respond", json={"answer": "interested"})

    assert wrong_side.status_code == 403
    assert declined.json()["status"] == "declined" and declined.json()["need_answer"] == "declined"
    assert twice.status_code == 409


async def test_the_queue_filters_sorts_and_pages(proposed_match, matching_api):
    match, offer, need = proposed_match
    queue = {
        "status": "proposed",
        "limit": 1,
        "sector": "elevators",
        "country_pair": "BY-RU",
        "min_score": 0.5,
    }
    async with matching_api() as reviewer:
        first = (await reviewer.get("/matches", params=queue)).json()
        second = (
            await reviewer.get("/matches", params=queue | {"cursor": first["next_cursor"]})
        ).json()
        by_region = (
            await reviewer.get(
                "/matches",
                params={"region": "mogilev_oblast", "enterprise_id": str(need.enterprise_id)},
            )
        ).json()
        by_age = (await reviewer.get("/matches", params={"sort": "age", "limit": 200})).json()
        elsewhere = (
            await reviewer.get(
                "/matches", params={"sector": "tourism", "need_id": str(need.listing_id)}
            )
        ).json()

    assert first["total"] >= 2 and len(first["items"]) == 1 and first["next_cursor"] == "1"
    assert second["items"][0]["score"] <= first["items"][0]["score"]
    assert match["id"] in [m["id"] for m in by_region["items"]]
    created = [m["created_at"] for m in by_age["items"]]
    assert created == sorted(created)
    assert elsewhere["total"] == 0


async def test_the_agency_sees_the_pipeline_by_sector_status_and_month(
    proposed_match, matching_api
):
    async with matching_api() as reviewer:
        by_sector = (
            await reviewer.get("/stats", params={"group_by": "sector", "period": "month"})
        ).json()
        by_pair = (await reviewer.get("/stats", params={"group_by": "country_pair"})).json()
    async with matching_api(role="company", enterprise_ids=[uuid.uuid4()]) as company:
        refused = await company.get("/stats")

    elevators = [row for row in by_sector["items"] if row["key"] == "elevators"]
    assert elevators and all(row["period"] is not None and row["count"] >= 1 for row in elevators)
    assert any(row["key"] == "BY-RU" for row in by_pair["items"])
    assert refused.status_code == 403
