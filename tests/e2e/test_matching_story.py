"""The design's story: a Smolensk housing operator needing 120 passenger lifts is shown a Mogilev
lift maker, with the reason in words, as soon as the need is published."""

from __future__ import annotations

import time
import uuid

from eventkit import topics
from eventkit.contracts import ListingPublished, envelope_for
from eventkit.kafka import idempotent_producer
from tests.integration.matching_events import enterprise_profile


def _published(**values) -> ListingPublished:
    return ListingPublished(kind="goods", status="active", **values)


async def test_a_smolensk_housing_operator_sees_a_mogilev_lift_maker_with_the_reason_in_words(
    platform, gateway, agency
):
    # The lift line both name; other tests of the session publish lift makers too, and this story
    # is about this pair.
    line = f"ЛП-{uuid.uuid4().hex[:6]}"
    lift_maker = _published(
        listing_id=uuid.uuid4(),
        side="offer",
        enterprise_id=uuid.uuid4(),
        enterprise_name="ОАО «Могилёвлифтмаш»",
        enterprise_country="BY",
        enterprise_region="mogilev_oblast",
        enterprise_city="Могилёв",
        enterprise_legal_id="700068926",
        enterprise_languages=["ru", "be"],
        enterprise_certifications=["ТР ТС 011/2011"],
        title=f"Лифты пассажирские {line} грузоподъёмностью 400–1000 кг",
        description="Вырабляем пасажырскія ліфты; производим, поставляем и монтируем "
        "пассажирские лифты для жилых домов",
        sector="elevators",
        product_codes=["8428101000"],
        quantity=200,
        unit="шт",
    )
    housing_need = _published(
        listing_id=uuid.uuid4(),
        side="need",
        enterprise_id=uuid.uuid4(),
        enterprise_name="ООО «Жилищник Смоленск»",
        enterprise_country="RU",
        enterprise_region="smolensk_oblast",
        enterprise_city="Смоленск",
        enterprise_legal_id="6731000007",
        enterprise_languages=["ru"],
        title=f"Нужны 120 пассажирских лифтов {line} для замены в многоквартирных домах",
        description="Капитальный ремонт жилого фонда: замена лифтов, поставка и монтаж",
        sector="elevators",
        product_codes=["842810"],
        quantity=120,
        unit="шт.",
        certifications=["ТР ТС 011/2011"],
    )
    producer = idempotent_producer(platform.kafka.bootstrap_servers, client_id="story")
    await producer.start()
    try:
        for listing in (
            lift_maker,
            housing_need,
        ):  # both enterprises verified by the agency: matching pairs only those
            verified = envelope_for(
                enterprise_profile(listing), key=str(listing.enterprise_id), producer="registry"
            )
            await producer.send_and_wait(
                topics.ENTERPRISES, verified.to_bytes(), key=verified.key.encode()
            )
        for listing in (lift_maker, housing_need):
            envelope = envelope_for(listing, key=str(listing.enterprise_id), producer="registry")
            await producer.send_and_wait(
                topics.LISTINGS, envelope.to_bytes(), key=envelope.key.encode()
            )
    finally:
        await producer.stop()

    deadline = time.monotonic() + 15
    queue = {"items": []}
    while not queue["items"] and time.monotonic() < deadline:
        queue = gateway.get(
            "/api/v1/matches",
            params={
                "need_id": str(housing_need.listing_id),
                "offer_id": str(lift_maker.listing_id),
            },
            headers=agency,
        ).json()
        time.sleep(0.1)
    match = gateway.get(f"/api/v1/matches/{queue['items'][0]['id']}", headers=agency).json()

    assert (
        match["offer"]["enterprise_name"] == "ОАО «Могилёвлифтмаш»"
        and match["offer"]["city"] == "Могилёв"
    )
    assert match["need"]["city"] == "Смоленск" and match["status"] == "proposed"
    reasons = "; ".join(match["reasons"]["ru"])
    assert "Оба в секторе «Лифты и подъёмно-транспортное оборудование»" in reasons
    assert "коды ТН ВЭД совпадают до 8428.10" in reasons
    assert "Могилёв — Смоленск" in reasons and "км" in reasons
    assert "мощность 200 шт. покрывает потребность 120 шт." in reasons
    assert match["score"] >= 0.7
