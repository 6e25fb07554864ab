"""Each service's own OpenAPI document tells the truth: every request example it documents is
accepted by the running service (real PostgreSQL, Kafka between them), and each answer validates
against the schema the document gives for its status. The reference documents are served with a
strong ETag, answered 304 when current, directly and through the gateway."""

from __future__ import annotations

import functools
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import jsonschema_rs
import pytest

from devstack.stack import Stack
from notifications.adapters.links import SignedLinks
from tests.identifiers import fresh_inn, fresh_marker, fresh_unp

SERVICES = ("registry", "matching", "notifications")
Call = Callable[..., httpx.Client]


@pytest.fixture(scope="module")
def call(platform: Stack, internal_token) -> Iterator[Call]:
    """call(service, role=..., account_id=..., enterprise_ids=[...]): a client signed as them."""
    clients: list[httpx.Client] = []

    def client(service: str, **caller) -> httpx.Client:
        made = httpx.Client(
            base_url=platform.service_url(service),
            headers=internal_token(service, **caller),
            timeout=30,
        )
        clients.append(made)
        return made

    yield client
    for made in clients:
        made.close()


@pytest.fixture(scope="module")
def documents(call: Call) -> dict[str, dict[str, Any]]:
    """Each service's document as it serves it."""
    served = {service: call(service).get("/openapi.json") for service in SERVICES}
    assert all(answer.status_code == 200 for answer in served.values())
    return {service: answer.json() for service, answer in served.items()}


def example(document: dict[str, Any], model: str) -> dict[str, Any]:
    """The model's first documented example, checked against the model's own schema."""
    found = document["components"]["schemas"][model]["examples"][0]
    _validator(document, {"$ref": f"#/components/schemas/{model}"}).validate(found)
    return found


def _validator(document: dict[str, Any], schema: dict[str, Any]):
    return jsonschema_rs.Draft202012Validator(
        {**schema, "components": document["components"]}, validate_formats=True
    )


def answered_as_documented(
    document: dict[str, Any], method: str, path: str, answer: httpx.Response
) -> dict[str, Any]:
    """The answer's JSON, once it is a success and matches the schema documented for its status."""
    assert answer.is_success, f"{method.upper()} {path}: {answer.status_code} {answer.text}"
    responses = document["paths"][path][method]["responses"]
    documented = responses.get(str(answer.status_code))
    assert documented, f"{method.upper()} {path} answered an undocumented {answer.status_code}"
    if "content" not in documented:
        assert not answer.content
        return {}
    body = answer.json()
    _validator(document, documented["content"]["application/json"]["schema"]).validate(body)
    return body


def answered_as_its_operation(document: dict[str, Any], answer: httpx.Response) -> dict[str, Any]:
    """`answered_as_documented` for the operation the document gives for the answer's request."""
    request = answer.request
    path = _documented_path(document, request.url.path)
    return answered_as_documented(document, request.method.lower(), path, answer)


def _documented_path(document: dict[str, Any], path: str) -> str:
    """The document's path template that `path` stands for, a literal one before one with
    placeholders."""
    templates = [
        template
        for template in document["paths"]
        if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), path)
    ]
    return min(templates, key=lambda template: template.count("{"))


# --- the registry --------------------------------------------------------------------------------


def test_the_registrys_examples_are_accepted_and_answered_as_documented(documents, call):
    registry = documents["registry"]
    owner = call("registry", role="company", account_id=f"examples-{uuid.uuid4().hex[:8]}")
    agency = call("registry", role="agency", account_id="examples-reviewer")

    answered = functools.partial(answered_as_its_operation, registry)
    example_of = functools.partial(example, registry)
    # Its own legal id: other stories of the session may have registered the example's.
    enterprise_in = example_of("EnterpriseIn") | {"unp": fresh_unp()}

    created = answered(owner.post("/enterprises", json=enterprise_in))
    enterprise = f"/enterprises/{created['id']}"
    try:
        changed = answered(owner.patch(enterprise, json=example_of("EnterprisePatch")))
        offer = answered(owner.post(f"{enterprise}/offers", json=example_of("ListingIn")))
        listing_changed = answered(
            owner.patch(f"/offers/{offer['id']}", json=example_of("ListingPatch"))
        )
        suspended = answered(agency.post(f"{enterprise}/suspend", json=example_of("SuspensionIn")))
        read = answered(owner.get(enterprise))
    finally:
        agency.post(f"{enterprise}/reinstate")
        current = owner.get(enterprise).json()["version"]
        owner.delete(enterprise, headers={"If-Match": f'"{current}"'})

    assert changed["version"] == 2 and changed["phone"] == "+375222000001"
    assert listing_changed["quantity"] == 150 and listing_changed["version"] == 2
    assert suspended["status"] == "suspended" and suspended["suspension_reason"]
    assert read["id"] == created["id"]


def test_a_change_without_the_version_read_is_refused_as_documented(documents, call):
    registry = documents["registry"]
    owner = call("registry", role="company", account_id=f"examples-{uuid.uuid4().hex[:8]}")
    body = example(registry, "EnterpriseIn") | {"unp": fresh_unp()}
    created = owner.post("/enterprises", json=body).json()

    without_version = {
        k: v for k, v in example(registry, "EnterprisePatch").items() if k != "version"
    }
    refused = owner.patch(f"/enterprises/{created['id']}", json=without_version)
    owner.delete(f"/enterprises/{created['id']}", headers={"If-Match": '"1"'})

    documented = registry["paths"]["/enterprises/{enterprise_id}"]["patch"]["responses"]
    assert refused.status_code == 428 and "428" in documented
    assert refused.headers["content-type"] == "application/problem+json"
    _validator(registry, {"$ref": "#/components/schemas/ProblemDetails"}).validate(refused.json())


# --- matching -------------------------------------------------------------------------------------


def _cattle(kind: str, tag: str) -> dict[str, Any]:
    return {
        "kind": "goods",
        "title": f"Племенные тёлки голштинской породы {tag}",
        "description": f"Племенные тёлки голштинской породы, 150 голов {tag}",
        "sector": "breeding",
        "product_codes": ["0102"],
        "quantity": 150,
        "unit": "гол.",
    } | ({"regions": ["smolensk_oblast"]} if kind == "need" else {})


def _verified_enterprise(call: Call, *, country: str, tag: str) -> tuple[str, str]:
    """A verified enterprise of its own company account: (enterprise id, account id)."""
    account = f"examples-{country}-{tag}"
    place = (
        {"region": "smolensk_oblast", "city": "Смоленск", "inn": fresh_inn()}
        if country == "RU"
        else {"region": "mogilev_oblast", "city": "Могилёв", "unp": fresh_unp()}
    )
    answer = call("registry", role="company", account_id=account).post(
        "/enterprises",
        json={
            "name": f"Племзавод {tag} {country}",
            "country": country,
            "sectors": ["breeding"],
            "contact_person": "Ольга Ковалёва",
            "email": f"breeding-{tag}-{country.lower()}@example.org",
            "personal_data_consent": True,
        }
        | place,
    )
    assert answer.status_code == 201, answer.text
    enterprise_id = answer.json()["id"]
    verified = call("registry", role="agency").post(f"/enterprises/{enterprise_id}/verify")
    assert verified.status_code == 200, verified.text
    return enterprise_id, account


def _proposed(call: Call, offer_id: str, need_id: str, timeout: float = 60) -> dict[str, Any]:
    """The match of this offer and this need (cattle listings other tests of the session left open
    may be matched with the need too)."""
    agency = call("matching", role="agency")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = agency.get("/matches", params={"offer_id": offer_id, "need_id": need_id}).json()
        if items["items"]:
            return items["items"][0]
        time.sleep(0.3)
    raise AssertionError(f"no match proposed for need {need_id} within {timeout} s")


def test_matchings_examples_are_accepted_and_answered_as_documented(documents, call):
    matching = documents["matching"]
    tag = fresh_marker(8)
    supplier, supplier_account = _verified_enterprise(call, country="BY", tag=tag)
    buyer, buyer_account = _verified_enterprise(call, country="RU", tag=tag)
    registry_of = {
        supplier: call("registry", role="company", account_id=supplier_account),
        buyer: call("registry", role="company", account_id=buyer_account),
    }
    offer = registry_of[supplier].post(
        f"/enterprises/{supplier}/offers", json=_cattle("offer", tag)
    )
    needs = [
        registry_of[buyer].post(f"/enterprises/{buyer}/needs", json=_cattle("need", tag)).json()
        for _ in range(2)
    ]
    introduced, rejected = (_proposed(call, offer.json()["id"], need["id"]) for need in needs)
    reviewer = call("matching", role="agency", account_id="examples-reviewer")
    seller = call("matching", role="company", account_id="s", enterprise_ids=[supplier])
    purchaser = call("matching", role="company", account_id="b", enterprise_ids=[buyer])
    decision = "/matches/{match_id}/{action}"

    def act(client: httpx.Client, match: dict, action: str, model: str | None) -> dict:
        body = example(matching, model) if model else None
        answer = client.post(f"/matches/{match['id']}/{action}", json=body)
        path = decision.replace("{action}", action)
        return answered_as_documented(matching, "post", path, answer)

    approved = act(reviewer, introduced, "approve", "ApproveIn")
    act(purchaser, introduced, "respond", "RespondIn")
    answered = act(seller, introduced, "respond", "RespondIn")
    closed = act(reviewer, introduced, "close", "CloseIn")
    refused = act(reviewer, rejected, "reject", "RejectIn")

    assert approved["status"] == "approved" and approved["review_note"]
    assert answered["status"] == "introduced"
    assert closed["status"] == "closed" and closed["outcome"]
    assert refused["status"] == "rejected"


# --- notifications --------------------------------------------------------------------------------


def test_the_notification_services_examples_are_accepted_and_answered_as_documented(
    documents, call, platform: Stack
):
    notifications = documents["notifications"]
    admin = call("notifications", role="admin", account_id="examples-admin")
    gateway = call("notifications", role="gateway", account_id=None)
    enterprise = uuid.uuid4()
    owner = call("notifications", role="company", account_id="o", enterprise_ids=[enterprise])
    token = SignedLinks(
        public_base_url="http://127.0.0.1", secret=platform.config.internal_token_secret
    ).unsubscribe_token(enterprise)

    def sent(client: httpx.Client, method: str, path: str, target: str, **request) -> dict:
        answer = client.request(method, target, **request)
        return answered_as_documented(notifications, method, path, answer)

    preferences = sent(
        owner,
        "put",
        "/preferences/{enterprise_id}",
        f"/preferences/{enterprise}",
        json=example(notifications, "PreferencesIn"),
    )
    requeued = sent(
        admin,
        "post",
        "/deliveries/resend-dead",
        "/deliveries/resend-dead",
        json=example(notifications, "ResendRequest"),
    )
    invited = sent(
        admin,
        "post",
        "/emails/account-invitation",
        "/emails/account-invitation",
        json=example(notifications, "AccountInvitationIn"),
    )
    # The example as it is, then with a request id of its own (the idempotency key of one email).
    account_email = example(notifications, "AccountEmailIn")
    account_emails = [
        sent(gateway, "post", path, path, json=body)
        for path, body in (
            ("/emails/account-confirmation", account_email),
            ("/emails/password-reset", account_email | {"request_id": str(uuid.uuid4())}),
        )
    ]
    one_click = notifications["paths"]["/unsubscribe"]["post"]["requestBody"]["content"]
    form = one_click["application/x-www-form-urlencoded"]["schema"]["examples"][0]
    unsubscribed = sent(
        owner,
        "post",
        "/unsubscribe",
        f"/unsubscribe?token={token}",
        content=urlencode(form),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert preferences["suggestions"] == "daily" and preferences["language"] == "en"
    assert requeued["requeued"] >= 0
    assert invited["status"] and all(email["delivery_id"] for email in account_emails)
    assert unsubscribed["unsubscribed"] is True


# --- the reference documents --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/sectors", "/regions", "/cities?country=BY"])
def test_a_reference_document_is_answered_304_while_the_copy_held_is_current(call, path):
    registry = call("registry", role="anonymous", account_id=None)

    first = registry.get(path)
    again = registry.get(path, headers={"If-None-Match": first.headers["ETag"]})
    weakly = registry.get(path, headers={"If-None-Match": f'"other", W/{first.headers["ETag"]}'})
    stale = registry.get(path, headers={"If-None-Match": '"an-older-copy"'})

    assert first.status_code == 200 and first.json()["items"]
    assert first.headers["ETag"].startswith('"') and not first.headers["ETag"].startswith("W/")
    assert first.headers["Cache-Control"] == "public, max-age=3600"
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert weakly.status_code == 304
    assert stale.status_code == 200 and stale.content == first.content


def test_the_gateway_passes_the_sectors_etag_and_its_304_through(platform: Stack):
    with httpx.Client(base_url=f"{platform.gateway_url}/api/v1", timeout=30) as public:
        first = public.get("/sectors")
        again = public.get("/sectors", headers={"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200 and first.json()["version"]
    assert first.headers["Cache-Control"] == "public, max-age=3600"
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]
