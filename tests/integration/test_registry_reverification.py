"""On the real PostgreSQL: a verified enterprise that edits what identifies it (name, country, legal
ids) is pending again, back in the agency's verification queue, with an `enterprise.updated` event
saying so and why; other edits keep it verified."""

from __future__ import annotations

import functools
import uuid

import pytest

from eventkit.contracts import EnterpriseUpdated
from registry.domain.errors import AlreadyRegistered
from registry.domain.queries import EnterpriseFilters, PageRequest, SortOrder
from registry.service_layer import enterprises as enterprise_cases
from registry.service_layer.unit_of_work import UnitOfWork
from tests.identifiers import fresh_inn
from tests.integration.registry_forms import OWNER, outbox_events, smolensk_company


@pytest.fixture
def register(register):
    """Registers by the owner's account."""
    return functools.partial(register, owner_account_id=OWNER.account_id)


@pytest.fixture
def cases(registry_sessions, reference):
    class Cases:
        async def verify(self, enterprise):
            return await enterprise_cases.verify_enterprise(
                uow=UnitOfWork(registry_sessions),
                enterprise_id=enterprise.id,
                verified_by="reviewer-1",
            )

        async def edit(self, enterprise, **changes):
            return await enterprise_cases.change_enterprise(
                uow=UnitOfWork(registry_sessions),
                reference=reference,
                caller=OWNER,
                enterprise_id=enterprise.id,
                expected_version=enterprise.version,
                changes=changes,
            )

        async def queue(self, word: str) -> list[uuid.UUID]:
            page = await enterprise_cases.get_page_of_enterprises(
                uow=UnitOfWork(registry_sessions),
                filters=EnterpriseFilters(status="pending", q=word),
                page=PageRequest(sort=SortOrder.OLDEST),
            )
            return [e.id for e in page.items]

        async def last_event(self, enterprise):
            return (await outbox_events(registry_sessions, key=enterprise.id))[-1]

    return Cases()


async def test_a_verified_enterprise_that_renames_itself_is_queued_again_with_an_event_saying_why(
    register, cases
):
    word = f"recheck{uuid.uuid4().hex[:8]}"
    enterprise = await register(smolensk_company(description=word))
    verified = await cases.verify(enterprise)
    assert await cases.queue(word) == []

    renamed = await cases.edit(verified, name=f"ООО «Новое имя {word}»")

    assert renamed.status == "pending" and renamed.recheck_because == ["name"]
    assert await cases.queue(word) == [enterprise.id]
    envelope, payload = await cases.last_event(enterprise)
    assert envelope.type == "enterprise.updated"
    assert (
        isinstance(payload, EnterpriseUpdated)
        and payload.status == "pending"
        and payload.recheck_because == ["name"]
    )

    again = await cases.verify(renamed)
    assert again.status == "verified" and await cases.queue(word) == []


async def test_a_verified_enterprise_that_changes_its_phone_or_contact_stays_verified(
    register, cases
):
    verified = await cases.verify(await register(smolensk_company()))

    edited = await cases.edit(
        verified,
        phone="+7 4812 99-88-77",
        contact_person="Ольга Сидорова",
        sectors=["construction", "elevators"],
    )

    assert edited.status == "verified" and edited.verified_by == "reviewer-1"
    envelope, payload = await cases.last_event(verified)
    assert (
        envelope.type == "enterprise.updated"
        and payload.status == "verified"
        and payload.recheck_because == []
    )


async def test_a_corrected_inn_is_checked_again_and_one_held_by_another_enterprise_is_refused(
    register, cases
):
    verified = await cases.verify(await register(smolensk_company()))
    other = await register(smolensk_company())

    with pytest.raises(AlreadyRegistered) as refused:
        await cases.edit(verified, inn=other.inn)
    corrected = await cases.edit(verified, inn=fresh_inn())

    assert refused.value.existing_id == other.id
    assert corrected.status == "pending" and corrected.recheck_because == ["inn"]
