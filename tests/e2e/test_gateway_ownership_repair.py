"""A company holds the enterprise it registered even when the gateway's write after the registry's
reply never happened: the gateway rebuilds the ownership from the registry's `enterprise.registered`
(which names the registering account), binds only company accounts, once however often the event
arrives, and lets the enterprise go on `enterprise.deleted`."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from eventkit import topics
from eventkit.contracts import EnterpriseDeleted, EnterpriseRegistered, envelope_for
from eventkit.kafka import idempotent_producer
from tests.e2e.waiting import wait_until
from tests.lift_story_events import lift_maker_event


def _account(gateway: httpx.Client, headers: dict[str, str]) -> dict:
    response = gateway.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _registered(enterprise_id: uuid.UUID, owner_account_id: str) -> EnterpriseRegistered:
    """The registry's event of the lift maker registered by `owner_account_id`, at its own
    address."""
    return lift_maker_event(
        EnterpriseRegistered,
        enterprise_id=enterprise_id,
        owner_account_id=owner_account_id,
        email=f"lifts-{enterprise_id.hex[:8]}@example.by",
    )


def _publish(platform, *payloads) -> None:
    """Publishes as the registry would: on its topic, keyed by the enterprise."""

    async def send() -> None:
        producer = idempotent_producer(platform.kafka.bootstrap_servers, client_id="repair-test")
        await producer.start()
        try:
            for payload in payloads:
                key = str(payload.enterprise_id)
                envelope = envelope_for(payload, key=key, producer="registry")
                await producer.send_and_wait(
                    topics.ENTERPRISES, envelope.to_bytes(), key=key.encode()
                )
        finally:
            await producer.stop()

    asyncio.run(send())


def test_an_enterprise_the_registry_registered_for_a_company_becomes_the_companys(
    platform, gateway, company, internal_token, new_housing_operator
):
    """The registry replied, the gateway wrote nothing (here the gateway was not even asked): the
    registry's own event binds the enterprise to the account that registered it."""
    account_id = _account(gateway, company)["id"]
    response = httpx.post(
        f"{platform.service_url('registry')}/enterprises",
        json=new_housing_operator(),
        headers=internal_token("registry", role="company", account_id=account_id),
    )
    assert response.status_code == 201, response.text
    enterprise_id = response.json()["id"]

    held = wait_until(
        lambda: _account(gateway, company)["enterprise_ids"], lambda ids: enterprise_id in ids
    )

    assert held == [enterprise_id]
    page = gateway.get(f"/api/v1/enterprises/{enterprise_id}", headers=company)
    assert page.status_code == 200, page.text


def test_only_a_company_account_is_bound_once_and_a_deleted_enterprise_is_let_go(
    platform, gateway, company, agency
):
    account_id = _account(gateway, company)["id"]
    agency_id = _account(gateway, agency)["id"]
    enterprise_id = uuid.uuid4()
    # One key, one partition: by the time the company's event is applied, the agency's was too.
    _publish(
        platform,
        _registered(enterprise_id, agency_id),
        _registered(enterprise_id, account_id),
        _registered(enterprise_id, account_id),
    )

    held = wait_until(
        lambda: _account(gateway, company)["enterprise_ids"], lambda ids: str(enterprise_id) in ids
    )

    assert held == [str(enterprise_id)]
    assert str(enterprise_id) not in _account(gateway, agency)["enterprise_ids"]

    _publish(platform, EnterpriseDeleted(enterprise_id=enterprise_id))

    held = wait_until(lambda: _account(gateway, company)["enterprise_ids"], lambda ids: not ids)
    assert held == []
