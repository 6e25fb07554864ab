"""The running registry service, called as the gateway calls it (with a signed internal token):
offers and needs over HTTP, their events on Kafka, and every kind of bad input."""

from __future__ import annotations

import contextlib
import uuid

import httpx
import pytest

from devstack.stack import Stack
from eventkit.contracts import UndecodableEvent, decode
from eventkit.topics import LISTINGS
from tests.e2e.kafka_reading import records_from_start
from tests.e2e.profiles import LIFT_NEED, housing_operator_profile, lift_maker_profile
from tests.identifiers import fresh_inn, fresh_marker

PRIVATE_FIELDS = {"contact_person", "email", "phone"}


@pytest.fixture
def registry(platform: Stack, internal_token):
    """Calls the registry as a given caller: registry(role=..., enterprise_ids=[...]).post(...)."""
    with contextlib.ExitStack() as clients:
        yield lambda **caller: clients.enter_context(
            httpx.Client(
                base_url=platform.service_url("registry"),
                headers=internal_token("registry", **caller),
                timeout=30,
            )
        )


@pytest.fixture
def housing_operator(registry) -> dict:
    response = registry(role="anonymous", account_id=None).post(
        "/enterprises",
        json=housing_operator_profile(description="Управляем многоквартирными домами Смоленска."),
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def lift_maker(registry) -> dict:
    response = registry(role="anonymous", account_id=None).post(
        "/enterprises",
        json=lift_maker_profile(description="Пассажирские и грузовые лифты.", phone=None),
    )
    assert response.status_code == 201, response.text
    return response.json()


def owner_of(registry, enterprise: dict) -> httpx.Client:
    return registry(
        role="company", account_id=f"owner-{enterprise['id']}", enterprise_ids=[enterprise["id"]]
    )


async def _first_event_of(bootstrap: str, listing_id: str, *, timeout: float = 30.0):
    async with contextlib.aclosing(
        records_from_start(bootstrap, LISTINGS, timeout=timeout)
    ) as records:
        async for message in records:
            try:
                envelope, payload = decode(message.value)
            except UndecodableEvent:
                continue  # other stories put unreadable records on the topic on purpose
            if str(getattr(payload, "listing_id", "")) == listing_id:
                return message, envelope, payload
    raise AssertionError(f"no event of listing {listing_id} on {LISTINGS} within {timeout:.0f}s")


async def test_a_smolensk_housing_operators_need_reaches_kafka_keyed_by_its_enterprise(
    platform: Stack, registry, housing_operator
):
    response = owner_of(registry, housing_operator).post(
        f"/enterprises/{housing_operator['id']}/needs", json=LIFT_NEED
    )
    assert response.status_code == 201, response.text
    need = response.json()

    message, envelope, payload = await _first_event_of(platform.kafka.bootstrap_servers, need["id"])

    assert envelope.type == "listing.published"
    assert message.key.decode() == housing_operator["id"]
    assert payload.side == "need" and payload.title == LIFT_NEED["title"]
    assert payload.enterprise_name == housing_operator["name"]


def test_the_owner_closes_and_reopens_a_need_with_the_version_it_read(registry, housing_operator):
    owner = owner_of(registry, housing_operator)
    need = owner.post(f"/enterprises/{housing_operator['id']}/needs", json=LIFT_NEED).json()

    closed = owner.patch(
        f"/needs/{need['id']}", json={"status": "closed"}, headers={"If-Match": '"1"'}
    )
    reopened = owner.patch(f"/needs/{need['id']}", json={"status": "active", "version": 2})

    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.headers["etag"] == '"2"'
    assert reopened.json()["status"] == "active" and reopened.json()["version"] == 3


def test_a_stale_or_missing_version_is_refused(registry, housing_operator):
    owner = owner_of(registry, housing_operator)
    need = owner.post(f"/enterprises/{housing_operator['id']}/needs", json=LIFT_NEED).json()
    assert (
        owner.patch(f"/needs/{need['id']}", json={"quantity": 130, "version": 1}).status_code == 200
    )

    stale = owner.patch(f"/needs/{need['id']}", json={"quantity": 140}, headers={"If-Match": "1"})
    missing = owner.patch(f"/needs/{need['id']}", json={"quantity": 140})

    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["current_version"] == 2
    assert missing.status_code == 428
    assert owner.get(f"/needs/{need['id']}").json()["quantity"] == 130


def test_another_company_cannot_publish_for_or_change_an_enterprise(
    registry, housing_operator, lift_maker
):
    need = (
        owner_of(registry, housing_operator)
        .post(f"/enterprises/{housing_operator['id']}/needs", json=LIFT_NEED)
        .json()
    )
    competitor = owner_of(registry, lift_maker)

    assert (
        competitor.post(f"/enterprises/{housing_operator['id']}/needs", json=LIFT_NEED).status_code
        == 403
    )
    assert (
        competitor.patch(
            f"/needs/{need['id']}", json={"status": "closed", "version": 1}
        ).status_code
        == 403
    )
    assert (
        competitor.patch(
            f"/enterprises/{housing_operator['id']}", json={"city": "Рославль", "version": 1}
        ).status_code
        == 403
    )
    assert competitor.get(f"/needs/{need['id']}").json()["status"] == "active"


def test_bad_listing_fields_are_named_with_their_reasons(registry, housing_operator):
    owner = owner_of(registry, housing_operator)
    broken = LIFT_NEED | {
        "sector": "space",
        "regions": ["atlantis"],
        "product_codes": ["84"],
        "quantity": -3,
        "valid_until": "2020-01-01",
    }

    response = owner.post(f"/enterprises/{housing_operator['id']}/needs", json=broken)
    unknown_kind = owner.post(
        f"/enterprises/{housing_operator['id']}/needs", json=LIFT_NEED | {"kind": "barter"}
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    reasons = {e["field"]: e["reason"] for e in response.json()["errors"]}
    assert set(reasons) == {"sector", "regions", "product_codes", "quantity", "valid_until"}
    assert "atlantis" in reasons["regions"] and "'84'" in reasons["product_codes"]
    assert unknown_kind.status_code == 422 and unknown_kind.json()["errors"][0]["field"] == "kind"
    assert owner.get(f"/enterprises/{housing_operator['id']}/needs").json()["total"] == 0


def test_unknown_ids_are_404_and_an_offer_is_not_a_need(registry, lift_maker):
    owner = owner_of(registry, lift_maker)
    offer = owner.post(f"/enterprises/{lift_maker['id']}/offers", json=LIFT_NEED).json()

    assert owner.get(f"/needs/{offer['id']}").status_code == 404
    assert owner.get(f"/offers/{uuid.uuid4()}").status_code == 404
    assert (
        owner.patch(f"/offers/{uuid.uuid4()}", json={"status": "closed", "version": 1}).status_code
        == 404
    )
    assert owner.post(f"/enterprises/{uuid.uuid4()}/offers", json=LIFT_NEED).status_code in (
        403,
        404,
    )
    assert (
        registry(role="agency")
        .post(f"/enterprises/{uuid.uuid4()}/offers", json=LIFT_NEED)
        .status_code
        == 404
    )
    assert owner.get(f"/offers/{offer['id']}").status_code == 200


def test_a_body_over_the_limit_is_413_and_stores_nothing(registry, housing_operator):
    owner = owner_of(registry, housing_operator)
    huge = LIFT_NEED | {"description": "лифт " * 60_000}

    response = owner.post(f"/enterprises/{housing_operator['id']}/needs", json=huge)

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert owner.get(f"/enterprises/{housing_operator['id']}/needs").json()["total"] == 0


def test_contacts_are_seen_by_the_owner_and_the_agency_only(registry, lift_maker):
    marker = lift_maker["name"].split()[-1]
    public = registry(role="anonymous", account_id=None)
    competitor = registry(
        role="company", account_id="competitor", enterprise_ids=[str(uuid.uuid4())]
    )

    for outsider in (public, competitor):
        listed = outsider.get("/enterprises", params={"q": marker}).json()["items"]
        assert [e["id"] for e in listed] == [lift_maker["id"]]
        assert PRIVATE_FIELDS & set(listed[0]) == set()
        assert (
            PRIVATE_FIELDS & set(outsider.get(f"/enterprises/{lift_maker['id']}").json()) == set()
        )
    assert (
        owner_of(registry, lift_maker).get(f"/enterprises/{lift_maker['id']}").json()["email"]
        == lift_maker["email"]
    )
    assert (
        registry(role="agency")
        .get("/enterprises", params={"q": marker})
        .json()["items"][0]["email"]
        == lift_maker["email"]
    )


def test_searching_needs_for_lifty_finds_lifts_written_in_other_word_forms(
    registry, housing_operator
):
    owner = owner_of(registry, housing_operator)
    marker = fresh_marker(8)
    need = owner.post(
        f"/enterprises/{housing_operator['id']}/needs",
        json=LIFT_NEED | {"title": f"Замена лифтов {marker}"},
    ).json()

    found = (
        registry(role="anonymous", account_id=None)
        .get("/needs", params={"q": f"лифты {marker}", "country": "RU"})
        .json()
    )
    none_in_belarus = (
        registry(role="anonymous", account_id=None)
        .get("/needs", params={"q": f"лифты {marker}", "country": "BY"})
        .json()
    )

    assert [item["id"] for item in found["items"]] == [need["id"]]
    assert none_in_belarus["total"] == 0


def test_pages_of_offers_follow_an_opaque_cursor(registry, lift_maker):
    owner = owner_of(registry, lift_maker)
    made = [
        owner.post(
            f"/enterprises/{lift_maker['id']}/offers",
            json=LIFT_NEED | {"title": f"Лифт модель {n}"},
        ).json()["id"]
        for n in range(5)
    ]

    seen, cursor = [], None
    for _ in range(10):
        params = {"enterprise_id": lift_maker["id"], "limit": 2, "sort": "created_at"} | (
            {"cursor": cursor} if cursor else {}
        )
        page = registry(role="anonymous", account_id=None).get("/offers", params=params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == made and page["total"] == 5
    bad = owner.get("/offers", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


def test_the_agency_suspends_and_a_suspended_enterprise_cannot_publish(registry, lift_maker):
    owner, enterprise = owner_of(registry, lift_maker), f"/enterprises/{lift_maker['id']}"
    assert owner.post(f"{enterprise}/suspend", json={}).status_code == 403

    suspended = registry(role="agency").post(
        f"{enterprise}/suspend", json={"reason": "проверка документов"}
    )

    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert owner.post(f"{enterprise}/offers", json=LIFT_NEED).status_code == 409


def test_the_agency_lifts_a_suspension_and_the_enterprise_publishes_again(registry, lift_maker):
    agency, enterprise = registry(role="agency"), f"/enterprises/{lift_maker['id']}"
    owner = owner_of(registry, lift_maker)
    assert agency.post(f"{enterprise}/suspend", json={}).status_code == 200
    assert owner.post(f"{enterprise}/reinstate").status_code == 403

    reinstated = agency.post(f"{enterprise}/reinstate")
    again = agency.post(f"{enterprise}/reinstate")

    assert reinstated.status_code == 200 and reinstated.json()["status"] == "pending"
    assert again.status_code == 409 and again.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert owner.post(f"{enterprise}/offers", json=LIFT_NEED).status_code == 201


def test_an_owner_updates_then_deletes_its_enterprise(registry, housing_operator):
    owner = owner_of(registry, housing_operator)
    need = owner.post(f"/enterprises/{housing_operator['id']}/needs", json=LIFT_NEED).json()

    changed = owner.patch(
        f"/enterprises/{housing_operator['id']}",
        json={"city": "Вязьма"},
        headers={"If-Match": '"1"'},
    )
    corrected_inn = fresh_inn()
    identity = owner.patch(
        f"/enterprises/{housing_operator['id']}", json={"inn": corrected_inn, "version": 2}
    )
    own_status = owner.patch(
        f"/enterprises/{housing_operator['id']}", json={"status": "verified", "version": 3}
    )
    deleted = owner.delete(f"/enterprises/{housing_operator['id']}")

    assert (
        changed.status_code == 200
        and changed.json()["city"] == "Вязьма"
        and changed.json()["version"] == 2
    )
    # A legal id may be corrected; the enterprise (never verified) simply stays in the agency's
    # queue.
    assert (
        identity.status_code == 200
        and identity.json()["inn"] == corrected_inn
        and identity.json()["status"] == "pending"
    )
    assert own_status.status_code == 422 and own_status.json()["errors"][0]["field"] == "status"
    assert deleted.status_code == 204
    assert owner.get(f"/enterprises/{housing_operator['id']}").status_code == 404
    # Its need was closed with it, and like the enterprise is served to no one any more.
    assert owner.get(f"/needs/{need['id']}").status_code == 404


def test_the_header_and_the_body_must_agree_on_the_version_and_a_stale_delete_is_refused(
    registry, lift_maker
):
    owner = owner_of(registry, lift_maker)

    disagreeing = owner.patch(
        f"/enterprises/{lift_maker['id']}",
        json={"city": "Бобруйск", "version": 1},
        headers={"If-Match": '"2"'},
    )
    not_a_version = owner.patch(
        f"/enterprises/{lift_maker['id']}",
        json={"city": "Бобруйск"},
        headers={"If-Match": "latest"},
    )
    stale_delete = owner.delete(f"/enterprises/{lift_maker['id']}", headers={"If-Match": '"7"'})

    assert disagreeing.status_code == 422 and disagreeing.json()["errors"][0]["field"] == "version"
    assert (
        not_a_version.status_code == 422
        and not_a_version.json()["errors"][0]["field"] == "If-Match"
    )
    assert stale_delete.status_code == 409
    assert owner.get(f"/enterprises/{lift_maker['id']}").json()["city"] == "Могилёв"


def test_a_deleted_enterprise_is_gone_for_everyone_including_the_agency(registry, lift_maker):
    agency = registry(role="agency")
    assert (
        agency.delete(f"/enterprises/{lift_maker['id']}", headers={"If-Match": "1"}).status_code
        == 204
    )

    assert agency.get(f"/enterprises/{lift_maker['id']}").status_code == 404
    assert agency.post(f"/enterprises/{lift_maker['id']}/verify").status_code == 404
    assert agency.delete(f"/enterprises/{lift_maker['id']}").status_code == 404
    assert (
        agency.get("/enterprises", params={"q": lift_maker["name"].split()[-1]}).json()["total"]
        == 0
    )


def test_the_taxonomy_names_each_usual_product_code_of_a_sector_in_three_languages(registry):
    answer = registry(role="anonymous", account_id=None).get("/sectors")

    assert answer.status_code == 200
    lifts = next(sector for sector in answer.json()["items"] if sector["id"] == "elevators")
    assert set(lifts["hs_names"]) == set(lifts["hs_prefixes"])
    assert lifts["hs_names"]["842810"] == {
        "ru": "Лифты и скиповые подъёмники",
        "be": "Ліфты і скіпавыя пад'ёмнікі",
        "en": "Lifts and skip hoists",
    }
