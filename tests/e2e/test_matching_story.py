"""The design's story: a Smolensk housing operator needing 120 passenger lifts is shown a Mogilev
lift maker, with the reason in words, as soon as the need is published."""

from __future__ import annotations

import time

from eventkit.kafka import idempotent_producer
from tests.identifiers import fresh_marker
from tests.integration.matching_events import lift_need, lift_offer, publish_verified


async def test_a_smolensk_housing_operator_sees_a_mogilev_lift_maker_with_the_reason_in_words(
    platform, gateway, agency
):
    # The lift line both name; other tests of the session publish lift makers too, and this story
    # is about this pair.
    line = f"ЛП-{fresh_marker(6)}"
    lift_maker = lift_offer(
        title=f"Лифты пассажирские {line} грузоподъёмностью 400–1000 кг",
        description="Вырабляем пасажырскія ліфты; производим, поставляем и монтируем "
        "пассажирские лифты для жилых домов",
    )
    housing_need = lift_need(
        enterprise_name="ООО «Жилищник Смоленск»",
        title=f"Нужны 120 пассажирских лифтов {line} для замены в многоквартирных домах",
        description="Капитальный ремонт жилого фонда: замена лифтов, поставка и монтаж",
    )
    producer = idempotent_producer(platform.kafka.bootstrap_servers, client_id="story")
    await producer.start()
    try:
        # Both enterprises verified by the agency first: matching pairs only those.
        await publish_verified(producer, lift_maker, housing_need)
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
