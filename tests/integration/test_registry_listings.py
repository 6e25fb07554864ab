"""Offers and needs on the real PostgreSQL: every change is stored with its event in one
transaction or not at all; searching understands Russian word forms; pages neither repeat nor
skip."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select

from eventkit.topics import ENTERPRISES, LISTINGS
from registry.adapters.orm import enterprises, listings, outbox
from registry.domain.actors import Caller
from registry.domain.errors import (
    AlreadyRegistered,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    StaleVersion,
)
from registry.domain.listing import Side
from registry.domain.queries import EnterpriseFilters, ListingFilters, PageRequest, SortOrder
from registry.service_layer import enterprises as enterprise_cases
from registry.service_layer import listings as listing_cases
from registry.service_layer.unit_of_work import UnitOfWork
from tests.identifiers import fresh_marker, fresh_unp
from tests.integration.registry_forms import (
    AGENCY,
    count,
    events_of,
    mogilev_lift_maker,
    smolensk_housing_operator,
)
from tests.registration_forms import lift_need

STRANGER = Caller(
    account_id="stranger", role="company", enterprise_ids=frozenset({str(uuid.uuid4())})
)


@pytest.fixture
def uow(registry_sessions):
    return lambda: UnitOfWork(registry_sessions)


@pytest.fixture
def publications(uow):
    # One writer: the test's single connection carries one statement at a time.
    return listing_cases.publications_committed_together(unit_of_work=uow, max_batch=64, writers=1)


@pytest.fixture
def publish(publications, reference):
    async def publish(enterprise, side=Side.NEED, caller=None, **fields):
        caller = caller or Caller(
            account_id="owner", role="company", enterprise_ids=frozenset({str(enterprise.id)})
        )
        return await listing_cases.publish_listing(
            publications=publications,
            reference=reference,
            caller=caller,
            enterprise_id=enterprise.id,
            side=side,
            **fields,
        )

    return publish


@pytest.fixture
def change(uow, reference):
    async def change(listing, caller=AGENCY, version=None, **changes):
        return await listing_cases.change_listing(
            uow=uow(),
            reference=reference,
            caller=caller,
            listing_id=listing.id,
            side=listing.side,
            expected_version=listing.version if version is None else version,
            changes=changes,
        )

    return change


# --- every change with its event ---------------------------------------------------------------


async def test_a_published_need_is_stored_with_its_event_carrying_the_enterprise(
    registry_sessions, register, publish
):
    operator = await register(smolensk_housing_operator())

    need = await publish(operator, **lift_need())

    topic, kind, payload = (await events_of(registry_sessions, operator.id))[-1]
    assert (topic, kind) == (LISTINGS, "listing.published")
    assert payload["listing_id"] == str(need.id)
    assert payload["side"] == "need"
    assert payload["enterprise_name"] == operator.name
    assert payload["enterprise_region"] == "smolensk_oblast"
    assert payload["quantity"] == 120 and payload["product_codes"] == ["842810"]
    async with registry_sessions() as session:
        stored = (await session.execute(select(listings).where(listings.c.id == need.id))).one()
    assert stored.status == "active" and stored.version == 1


async def test_publications_arriving_together_are_written_together_and_each_gets_its_own_answer(
    registry_sessions, uow, register, publish
):
    operator = await register(smolensk_housing_operator())
    maker = await register(mogilev_lift_maker())
    suspended = await register(mogilev_lift_maker(name="ОАО «Гомельлифт»", unp=fresh_unp()))
    await enterprise_cases.suspend_enterprise(
        uow=uow(), caller=AGENCY, enterprise_id=suspended.id, reason="проверка"
    )
    listings_before = await count(registry_sessions, listings)

    answers = await asyncio.gather(
        *(publish(operator, **lift_need(title=f"Нужны лифты, очередь {n}")) for n in range(6)),
        publish(maker, side=Side.OFFER, **lift_need(title="Поставим лифты")),
        publish(suspended, side=Side.OFFER, **lift_need()),
        publish(maker, caller=STRANGER, side=Side.OFFER, **lift_need()),
        return_exceptions=True,
    )

    *published, refused_suspended, refused_stranger = answers
    assert [type(a) for a in (refused_suspended, refused_stranger)] == [
        InvalidTransition,
        Forbidden,
    ]
    assert [listing.title for listing in published] == [
        f"Нужны лифты, очередь {n}" for n in range(6)
    ] + ["Поставим лифты"]
    assert all(listing.created_at is not None for listing in published)
    assert await count(registry_sessions, listings) == listings_before + 7
    announced = [
        payload["listing_id"]
        for _, kind, payload in await events_of(registry_sessions, operator.id)
        if kind == "listing.published"
    ]
    assert announced == [
        str(listing.id) for listing in published[:6]
    ]  # each once, in the order asked
    assert [kind for _, kind, _ in await events_of(registry_sessions, suspended.id)] == [
        "enterprise.registered",
        "enterprise.suspended",
    ]


async def test_changing_closing_and_reopening_each_write_their_event_in_order(
    registry_sessions, register, publish, change
):
    maker = await register(mogilev_lift_maker())
    offer = await publish(
        maker,
        side=Side.OFFER,
        **lift_need(title="Лифты пассажирские МЛМ", regions=["smolensk_oblast", "mogilev_oblast"]),
    )

    offer = await change(offer, quantity=200)
    offer = await change(offer, status="closed")
    offer = await change(offer, status="active")

    listing_events = [
        (kind, p["version"], p["status"])
        for topic, kind, p in await events_of(registry_sessions, maker.id)
        if topic == LISTINGS
    ]
    assert listing_events == [
        ("listing.published", 1, "active"),
        ("listing.changed", 2, "active"),
        ("listing.closed", 3, "closed"),
        ("listing.reopened", 4, "active"),
    ]


async def test_a_stale_version_is_refused_and_leaves_the_listing_and_the_outbox_alone(
    registry_sessions, register, publish, change
):
    operator = await register(smolensk_housing_operator())
    need = await publish(operator, **lift_need())
    await change(need, quantity=130)
    events_before = await count(registry_sessions, outbox)

    with pytest.raises(StaleVersion):
        await change(need, version=1, quantity=140)

    async with registry_sessions() as session:
        stored = (await session.execute(select(listings).where(listings.c.id == need.id))).one()
    assert (stored.quantity, stored.version) == (130, 2)
    assert await count(registry_sessions, outbox) == events_before


async def test_another_company_may_neither_publish_for_nor_change_an_enterprises_listing(
    registry_sessions, register, publish, change
):
    operator = await register(smolensk_housing_operator())
    need = await publish(operator, **lift_need())
    rows_before = (await count(registry_sessions, listings), await count(registry_sessions, outbox))

    with pytest.raises(Forbidden):
        await publish(operator, caller=STRANGER, **lift_need())
    with pytest.raises(Forbidden):
        await change(need, caller=STRANGER, status="closed")

    assert (
        await count(registry_sessions, listings),
        await count(registry_sessions, outbox),
    ) == rows_before


async def test_an_invalid_listing_writes_no_row_and_no_event(registry_sessions, register, publish):
    operator = await register(smolensk_housing_operator())
    rows_before = (await count(registry_sessions, listings), await count(registry_sessions, outbox))

    with pytest.raises(InvalidInput) as refused:
        await publish(operator, **lift_need(sector="moon_base", regions=["atlantis"]))

    assert {e.field for e in refused.value.errors} == {"sector", "regions"}
    assert (
        await count(registry_sessions, listings),
        await count(registry_sessions, outbox),
    ) == rows_before


async def test_a_listing_of_an_unknown_enterprise_is_not_found(publications, reference):
    with pytest.raises(NotFound):
        await listing_cases.publish_listing(
            publications=publications,
            reference=reference,
            caller=AGENCY,
            enterprise_id=uuid.uuid4(),
            side=Side.NEED,
            **lift_need(),
        )


# --- enterprises: change, suspend, delete ------------------------------------------------------


async def test_the_owner_changes_its_profile_and_a_stale_change_is_refused(
    registry_sessions, uow, reference, register
):
    maker = await register(mogilev_lift_maker())
    owner = Caller(account_id="owner", role="company", enterprise_ids=frozenset({str(maker.id)}))

    def change_as_of_version_1(**changes):
        return enterprise_cases.change_enterprise(
            uow=uow(),
            reference=reference,
            caller=owner,
            enterprise_id=maker.id,
            expected_version=1,
            changes=changes,
        )

    changed = await change_as_of_version_1(description="Лифты, эскалаторы, подъёмные платформы")
    with pytest.raises(StaleVersion):
        await change_as_of_version_1(city="Бобруйск")

    assert changed.version == 2
    kinds = [kind for _, kind, _ in await events_of(registry_sessions, maker.id)]
    assert kinds == ["enterprise.registered", "enterprise.updated"]


async def test_a_suspended_enterprise_cannot_publish(registry_sessions, uow, register, publish):
    maker = await register(mogilev_lift_maker())

    await enterprise_cases.suspend_enterprise(
        uow=uow(), caller=AGENCY, enterprise_id=maker.id, reason="проверка"
    )

    with pytest.raises(InvalidTransition):
        await publish(maker, side=Side.OFFER, **lift_need())
    topic, kind, payload = (await events_of(registry_sessions, maker.id))[-1]
    assert (topic, kind, payload["status"]) == (ENTERPRISES, "enterprise.suspended", "suspended")


async def test_a_reinstated_enterprise_publishes_again_and_its_reinstatement_is_announced(
    registry_sessions, uow, register, publish
):
    maker = await register(mogilev_lift_maker())
    await enterprise_cases.suspend_enterprise(
        uow=uow(), caller=AGENCY, enterprise_id=maker.id, reason="проверка"
    )

    reinstated = await enterprise_cases.reinstate_enterprise(
        uow=uow(), caller=AGENCY, enterprise_id=maker.id
    )
    offer = await publish(maker, side=Side.OFFER, **lift_need())

    assert reinstated.status == "pending" and offer.status == "active"
    kinds = [
        (topic, kind, payload.get("status"))
        for topic, kind, payload in await events_of(registry_sessions, maker.id)
    ]
    assert kinds[-2:] == [
        (ENTERPRISES, "enterprise.reinstated", "pending"),
        (LISTINGS, "listing.published", "active"),
    ]


async def test_only_the_agency_suspends(uow, register):
    maker = await register(mogilev_lift_maker())
    owner = Caller(account_id="owner", role="company", enterprise_ids=frozenset({str(maker.id)}))

    with pytest.raises(Forbidden):
        await enterprise_cases.suspend_enterprise(
            uow=uow(), caller=owner, enterprise_id=maker.id, reason=None
        )


async def test_deleting_an_enterprise_closes_its_listings_and_frees_its_legal_id(
    registry_sessions, uow, register, publish
):
    fields = mogilev_lift_maker()
    maker = await register(fields)
    offer = await publish(maker, side=Side.OFFER, **lift_need())
    await publish(maker, side=Side.NEED, **lift_need(title="Нужны лебёдки"))

    await enterprise_cases.delete_enterprise(
        uow=uow(), caller=AGENCY, enterprise_id=maker.id, expected_version=None
    )

    kinds = [kind for _, kind, _ in await events_of(registry_sessions, maker.id)]
    assert kinds[-3:] == ["listing.closed", "listing.closed", "enterprise.deleted"]
    with pytest.raises(NotFound):
        await enterprise_cases.get_enterprise_or_raise(uow=uow(), enterprise_id=maker.id)
    async with registry_sessions() as session:
        row = (await session.execute(select(enterprises).where(enterprises.c.id == maker.id))).one()
        assert (
            await session.scalar(select(listings.c.status).where(listings.c.id == offer.id))
            == "closed"
        )
    assert (row.email, row.contact_person, row.phone) == ("", "", None)
    again = await register(fields)
    assert again.id != maker.id


async def test_a_second_live_registration_of_a_legal_id_is_still_refused(register):
    fields = mogilev_lift_maker()
    first = await register(fields)

    with pytest.raises(AlreadyRegistered) as refused:
        await register(fields)
    assert refused.value.existing_id == first.id


# --- search, filters and pages -------------------------------------------------------------------


async def test_searching_for_lifty_finds_a_need_written_as_liftov(uow, register, publish):
    operator = await register(smolensk_housing_operator())
    need = await publish(
        operator, **lift_need(title="Замена лифтов в жилых домах", description="Капитальный ремонт")
    )

    page = await listing_cases.get_page_of_listings(
        uow=uow(),
        filters=ListingFilters(side="need", enterprise_id=operator.id, q="лифты"),
        page=PageRequest(),
    )

    assert [each.id for each in page.items] == [need.id]


async def test_searching_finds_listings_by_their_enterprises_name(uow, register, publish):
    marker = f"Лифтостроитель{uuid.uuid4().hex[:6]}"
    maker = await register(mogilev_lift_maker(name=f"ОАО «{marker}»"))
    offer = await publish(
        maker, side=Side.OFFER, **lift_need(title="Грузовые подъёмники", description="")
    )

    page = await listing_cases.get_page_of_listings(
        uow=uow(), filters=ListingFilters(side="offer", q=marker), page=PageRequest()
    )

    assert [each.id for each in page.items] == [offer.id]


async def test_filters_narrow_by_country_region_sector_kind_status_and_code_prefix(
    uow, register, publish, change
):
    marker = f"пилот{uuid.uuid4().hex[:6]}"
    operator = await register(smolensk_housing_operator())
    maker = await register(mogilev_lift_maker())
    ru_lifts = await publish(operator, side=Side.OFFER, **lift_need(title=f"Лифты {marker}"))
    by_lifts = await publish(
        maker,
        side=Side.OFFER,
        **lift_need(title=f"Лифты {marker}", product_codes=["8428109000"], regions=[]),
    )
    by_service = await publish(
        maker,
        side=Side.OFFER,
        **lift_need(
            title=f"Монтаж {marker}",
            kind="services",
            sector="construction",
            product_codes=[],
            quantity=None,
            unit=None,
            regions=["vitebsk_oblast"],
        ),
    )
    closed = await publish(
        maker, side=Side.OFFER, **lift_need(title=f"Склад {marker}", product_codes=["8431"])
    )
    await change(closed, status="closed")

    async def found(**filters) -> set:
        page = await listing_cases.get_page_of_listings(
            uow=uow(), filters=ListingFilters(side="offer", q=marker, **filters), page=PageRequest()
        )
        return {each.id for each in page.items}

    assert await found() == {ru_lifts.id, by_lifts.id, by_service.id}
    assert await found(country="BY") == {by_lifts.id, by_service.id}
    assert await found(region="mogilev_oblast") == {by_lifts.id, by_service.id}
    assert await found(region="vitebsk_oblast") == {by_service.id}
    assert await found(sector="construction") == {by_service.id}
    assert await found(kind="goods") == {ru_lifts.id, by_lifts.id}
    assert await found(product_code="84281090") == {by_lifts.id}
    assert await found(product_code="8428") == {ru_lifts.id, by_lifts.id}
    assert await found(status="closed") == {closed.id}
    assert await found(status=None) == {ru_lifts.id, by_lifts.id, by_service.id, closed.id}


async def test_pages_follow_the_cursor_without_repeats_even_when_listings_arrive_between_pages(
    uow, register, publish
):
    marker = f"страница{uuid.uuid4().hex[:6]}"
    operator = await register(smolensk_housing_operator())
    published = [
        await publish(operator, **lift_need(title=f"Лифты {marker} №{n}")) for n in range(7)
    ]
    filters = ListingFilters(side="need", q=marker)

    seen, cursor = [], None
    for _ in range(10):
        page = await listing_cases.get_page_of_listings(
            uow=uow(),
            filters=filters,
            page=PageRequest(limit=3, cursor=cursor, sort=SortOrder.OLDEST),
        )
        seen += [each.id for each in page.items]
        if len(seen) == 3:
            await publish(operator, **lift_need(title=f"Лифты {marker} поздний"))
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen[:7] == [each.id for each in published]
    assert len(seen) == len(set(seen)) == 8


@pytest.mark.parametrize("sort", list(SortOrder))
async def test_every_sort_order_pages_through_all_rows_once(uow, register, publish, sort):
    marker = f"порядок{uuid.uuid4().hex[:6]}"
    operator = await register(smolensk_housing_operator())
    titles = ["Б лифты", "А лифты", "В лифты", "А лифты"]
    for title in titles:
        await publish(operator, **lift_need(title=f"{title} {marker}"))

    seen, cursor = [], None
    for _ in range(10):
        page = await listing_cases.get_page_of_listings(
            uow=uow(),
            filters=ListingFilters(side="need", q=marker),
            page=PageRequest(limit=1, cursor=cursor, sort=sort),
        )
        seen += page.items
        cursor = page.next_cursor
        if cursor is None:
            break

    assert len({each.id for each in seen}) == 4 and page.total == 4
    if sort is SortOrder.NAME:
        assert [each.title.split()[0] for each in seen] == ["А", "А", "Б", "В"]
    else:
        stamps = [each.created_at for each in seen]
        assert stamps == sorted(stamps, reverse=sort is SortOrder.NEWEST)


async def test_a_cursor_from_another_sort_order_is_refused_naming_the_cursor(
    uow, register, publish
):
    operator = await register(smolensk_housing_operator())
    for _ in range(2):
        await publish(operator, **lift_need())
    filters = ListingFilters(side="need", enterprise_id=operator.id)
    first = await listing_cases.get_page_of_listings(
        uow=uow(), filters=filters, page=PageRequest(limit=1, sort=SortOrder.NEWEST)
    )

    with pytest.raises(InvalidInput) as refused:
        await listing_cases.get_page_of_listings(
            uow=uow(),
            filters=filters,
            page=PageRequest(limit=1, cursor=first.next_cursor, sort=SortOrder.NAME),
        )
    assert [e.field for e in refused.value.errors] == ["cursor"]


async def test_enterprises_are_found_by_russian_word_forms_and_filtered(uow, register):
    marker = fresh_marker(6)
    maker = await register(mogilev_lift_maker(name=f"Завод лифтов {marker}"))
    await register(smolensk_housing_operator(name=f"Жилсервис {marker}"))

    page = await enterprise_cases.get_page_of_enterprises(
        uow=uow(), filters=EnterpriseFilters(q=f"лифты {marker}"), page=PageRequest()
    )
    by_country = await enterprise_cases.get_page_of_enterprises(
        uow=uow(), filters=EnterpriseFilters(q=marker, country="BY"), page=PageRequest()
    )

    assert [e.id for e in page.items] == [maker.id]
    assert [e.id for e in by_country.items] == [maker.id]
