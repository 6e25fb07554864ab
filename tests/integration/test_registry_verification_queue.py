"""The agency's verification queue on the real PostgreSQL: pending enterprises oldest first, other
enterprises that may be the same company found through indexes (never by reading every row), and
a suspension's reason kept with the enterprise and its event."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from stdnum.ru import ogrn as ru_ogrn

from eventkit.contracts import EnterpriseSuspended
from registry.domain.actors import Caller
from registry.domain.duplicates import MAX_POSSIBLE_DUPLICATES
from registry.domain.errors import Forbidden, NotFound
from registry.domain.queries import EnterpriseFilters, PageRequest, SortOrder
from registry.service_layer import enterprises as enterprise_cases
from registry.service_layer.unit_of_work import UnitOfWork
from tests.integration.registry_forms import (
    AGENCY,
    OWNER,
    fresh_phone,
    outbox_events,
    smolensk_company,
    vitebsk_company,
)


def fresh_ogrn() -> str:
    """A 13-digit OGRN of an organisation registered in the Smolensk region in 2012."""
    body = "1126" + "7" + str(uuid.uuid4().int)[:7]
    return body + ru_ogrn.calc_check_digit(body + "0")


@pytest.fixture
def duplicates_of(registry_sessions):
    async def duplicates_of(enterprise, caller: Caller = AGENCY) -> dict:
        found = await enterprise_cases.get_all_possible_duplicates(
            uow=UnitOfWork(registry_sessions), caller=caller, enterprise_id=enterprise.id
        )
        return {other.id: reasons for other, reasons in found}

    return duplicates_of


async def test_two_enterprises_sharing_a_phone_written_differently_are_possible_duplicates(
    register, duplicates_of
):
    digits = str(uuid.uuid4().int)[:5]
    first = await register(smolensk_company(phone=f"+7 (4812) 2{digits}"))
    second = await register(vitebsk_company(phone=f"8 4812 2{digits[:2]} {digits[2:]}"))
    unrelated = await register(smolensk_company())

    assert await duplicates_of(first) == {second.id: ["phone"]}
    assert await duplicates_of(second) == {first.id: ["phone"]}
    assert await duplicates_of(unrelated) == {}


async def test_a_company_mail_domain_links_enterprises_but_a_public_provider_does_not(
    register, duplicates_of
):
    domain = f"{uuid.uuid4().hex[:8]}.example.ru"
    head_office = await register(smolensk_company(email=f"office@{domain}"))
    branch = await register(smolensk_company(email=f"Branch@{domain.upper()}"))
    on_mail_ru = await register(smolensk_company(email="ivanov.smolensk@mail.ru"))
    also_on_mail_ru = await register(smolensk_company(email="petrov.smolensk@mail.ru"))

    assert await duplicates_of(head_office) == {branch.id: ["email_domain"]}
    assert also_on_mail_ru.id not in await duplicates_of(on_mail_ru)


async def test_the_same_ogrn_under_another_inn_is_the_same_legal_id(register, duplicates_of):
    ogrn = fresh_ogrn()
    original = await register(smolensk_company(ogrn=ogrn))
    second_try = await register(smolensk_company(ogrn=ogrn, phone=original.phone))

    assert await duplicates_of(second_try) == {original.id: ["legal_id", "phone"]}


async def test_a_deleted_enterprise_is_no_longer_pointed_out(
    register, duplicates_of, registry_sessions
):
    phone = fresh_phone()
    staying = await register(smolensk_company(phone=phone))
    leaving = await register(smolensk_company(phone=phone))
    assert await duplicates_of(staying) == {leaving.id: ["phone"]}

    await enterprise_cases.delete_enterprise(
        uow=UnitOfWork(registry_sessions),
        caller=AGENCY,
        enterprise_id=leaving.id,
        expected_version=None,
    )

    assert await duplicates_of(staying) == {}


async def test_at_most_twenty_are_shown_those_sharing_more_first(register, duplicates_of):
    phone, domain = fresh_phone(), f"{uuid.uuid4().hex[:8]}.example.ru"
    reviewed = await register(smolensk_company(phone=phone, email=f"a@{domain}"))
    closest = await register(smolensk_company(phone=phone, email=f"b@{domain}"))
    for _ in range(MAX_POSSIBLE_DUPLICATES + 2):
        await register(smolensk_company(phone=phone))

    found = await duplicates_of(reviewed)

    assert len(found) == MAX_POSSIBLE_DUPLICATES
    assert next(iter(found)) == closest.id
    assert found[closest.id] == ["email_domain", "phone"]


async def test_only_the_agency_looks_for_duplicates_and_an_unknown_enterprise_is_not_found(
    register, duplicates_of
):
    enterprise = await register(smolensk_company())

    with pytest.raises(Forbidden):
        await duplicates_of(enterprise, caller=OWNER)
    with pytest.raises(NotFound):
        await duplicates_of(type("Missing", (), {"id": uuid.uuid4()})())


@pytest.mark.parametrize(
    "condition",
    [
        "email_domain = 'x.example.ru'",
        "phone_digits = '4812203040'",
        "ogrn = '1126700000000'",
        "country = 'BY' AND legal_id = '700000000'",
    ],
)
async def test_each_sign_of_a_duplicate_is_found_through_an_index(registry_connection, condition):
    await registry_connection.execute(text("SET LOCAL enable_seqscan = off"))

    plan = "\n".join(
        row[0]
        for row in await registry_connection.execute(
            text(f"EXPLAIN SELECT id FROM enterprises WHERE deleted_at IS NULL AND {condition}")
        )
    )

    assert "Seq Scan" not in plan
    assert "Index" in plan


async def test_the_queue_lists_pending_enterprises_oldest_first(register, registry_sessions):
    word = f"queue{uuid.uuid4().hex[:8]}"
    older, middle, newer = [await register(smolensk_company(description=word)) for _ in range(3)]
    await enterprise_cases.verify_enterprise(
        uow=UnitOfWork(registry_sessions), enterprise_id=middle.id, verified_by="reviewer-1"
    )

    page = await enterprise_cases.get_page_of_enterprises(
        uow=UnitOfWork(registry_sessions),
        filters=EnterpriseFilters(status="pending", q=word),
        page=PageRequest(sort=SortOrder.OLDEST),
    )

    assert [e.id for e in page.items] == [older.id, newer.id]
    assert page.total == 2


async def test_a_suspension_keeps_the_reason_on_the_enterprise_and_in_its_event(
    register, registry_sessions
):
    enterprise = await register(smolensk_company())
    reason = "ИНН не совпадает с выпиской из ЕГРЮЛ; просим прислать выписку."

    suspended = await enterprise_cases.suspend_enterprise(
        uow=UnitOfWork(registry_sessions), caller=AGENCY, enterprise_id=enterprise.id, reason=reason
    )

    stored = await enterprise_cases.get_enterprise_or_raise(
        uow=UnitOfWork(registry_sessions), enterprise_id=enterprise.id
    )
    assert suspended.suspension_reason == stored.suspension_reason == reason
    envelope, payload = (await outbox_events(registry_sessions, key=enterprise.id))[-1]
    assert envelope.type == "enterprise.suspended"
    assert isinstance(payload, EnterpriseSuspended) and payload.reason == reason
