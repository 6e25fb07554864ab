"""Each email reaches its recipient once: planned from an event, retried with back-off while SMTP
is down, and given up on (dead) when it cannot be sent."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest

from eventkit.contracts import (
    EnterpriseRegistered,
    EnterpriseVerified,
    EventPayload,
    envelope_for,
)
from notifications.domain.deliveries import (
    Delivery,
    DeliveryStatus,
    RetryPolicy,
    idempotency_key,
    preferred_language,
)
from notifications.domain.plans import deliveries_for
from tests.lift_story_events import as_received, lift_maker_event

EVENT_ID = uuid.UUID("5f0d3c7e-1b2a-4c7d-8e9f-0a1b2c3d4e5f")
ENTERPRISE_ID = uuid.UUID("b2c9a0c4-7c1e-4f57-9a57-7c8e2a6f1d10")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=8, base_seconds=2.0, cap_seconds=300.0)
PUBLIC_URL = "https://unionmatch.example"


def welcome(
    recipient: str = "sales@liftmash.example.by", event_id: uuid.UUID = EVENT_ID
) -> Delivery:
    return Delivery.plan(
        event_id=event_id,
        enterprise_id=ENTERPRISE_ID,
        recipient=recipient,
        template="welcome",
        language="ru",
        context={
            "enterprise_name": "Могилёвлифтмаш",
            "contact_person": "",
            "profile_url": f"{PUBLIC_URL}/x",
        },
    )


def after_attempts(delivery: Delivery, attempts: int) -> Delivery:
    """Each claim by a sender counts an attempt (the repository does this when it claims the
    row)."""
    delivery.attempts = attempts
    return delivery


# --- Sent once -------------------------------------------------------------------------------


def test_the_same_email_for_the_same_event_has_the_same_idempotency_key_whatever_the_address_case():
    assert idempotency_key(EVENT_ID, "Sales@LiftMash.example.BY", "welcome") == idempotency_key(
        EVENT_ID, "sales@liftmash.example.by", "welcome"
    )


@pytest.mark.parametrize(
    "other",
    [
        (uuid.UUID(int=1), "sales@liftmash.example.by", "welcome"),
        (EVENT_ID, "director@liftmash.example.by", "welcome"),
        (EVENT_ID, "sales@liftmash.example.by", "verified"),
    ],
    ids=["another-event", "another-recipient", "another-template"],
)
def test_a_different_event_recipient_or_email_kind_is_a_different_email(other):
    assert idempotency_key(*other) != idempotency_key(
        EVENT_ID, "sales@liftmash.example.by", "welcome"
    )


def test_a_planned_email_is_queued_and_not_yet_attempted():
    delivery = welcome()

    assert delivery.status is DeliveryStatus.QUEUED
    assert delivery.attempts == 0
    assert delivery.next_attempt_at is None
    assert delivery.idempotency_key == idempotency_key(
        EVENT_ID, "sales@liftmash.example.by", "welcome"
    )


def test_every_attempt_of_an_email_carries_the_same_message_id():
    delivery = welcome()
    first = delivery.message_id

    after_attempts(delivery, 1).mark_failed(
        at=NOW, reason="connection refused", permanent=False, policy=POLICY
    )
    after_attempts(delivery, 2)

    assert delivery.message_id == first
    assert first.startswith("<") and first.endswith("@unionmatch.local>")


def test_an_email_planned_again_from_a_redelivered_event_gets_the_same_message_id():
    assert welcome().message_id == welcome("SALES@liftmash.example.by").message_id
    assert welcome().message_id != welcome(event_id=uuid.UUID(int=2)).message_id


def test_a_sent_email_records_when_and_its_message_id_and_forgets_earlier_errors():
    delivery = after_attempts(welcome(), 1)
    delivery.mark_failed(at=NOW, reason="421 try later", permanent=False, policy=POLICY)
    after_attempts(delivery, 2)

    delivery.mark_sent(at=NOW + timedelta(minutes=1))

    assert delivery.status is DeliveryStatus.SENT
    assert delivery.sent_at == NOW + timedelta(minutes=1)
    assert delivery.smtp_message_id == delivery.message_id
    assert delivery.last_error is None


# --- Back-off --------------------------------------------------------------------------------


def _delays(policy: RetryPolicy, attempts: int, samples: int = 200) -> list[float]:
    return [policy.delay_after(attempts).total_seconds() for _ in range(samples)]


@pytest.mark.parametrize(
    ("attempts", "ceiling"), [(1, 2.0), (2, 4.0), (3, 8.0), (5, 32.0), (8, 256.0)]
)
def test_the_wait_before_a_retry_doubles_with_each_attempt_with_jitter_in_its_upper_half(
    attempts, ceiling
):
    delays = _delays(POLICY, attempts)

    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert max(delays) - min(delays) > 0  # jittered, so waiting emails do not all return at once


def test_retries_never_come_sooner_after_more_failures_until_the_cap():
    for attempts in range(
        1, 8
    ):  # ceilings 2, 4, ... 256: each range starts where the previous ends
        assert max(_delays(POLICY, attempts, 50)) <= min(_delays(POLICY, attempts + 1, 50))


@pytest.mark.parametrize("attempts", [9, 12, 40])
def test_the_wait_before_a_retry_is_capped(attempts):
    assert all(150.0 <= d <= 300.0 for d in _delays(POLICY, attempts))


# --- Failures --------------------------------------------------------------------------------


def test_a_transient_failure_schedules_a_retry_in_the_near_future():
    delivery = after_attempts(welcome(), 3)

    delivery.mark_failed(at=NOW, reason="451 mailbox busy", permanent=False, policy=POLICY)

    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.last_error == "451 mailbox busy"
    assert NOW + timedelta(seconds=4) <= delivery.next_attempt_at <= NOW + timedelta(seconds=8)


def test_the_last_allowed_attempt_failing_gives_the_email_up_as_dead():
    delivery = after_attempts(welcome(), POLICY.max_attempts)

    delivery.mark_failed(at=NOW, reason="connection refused", permanent=False, policy=POLICY)

    assert delivery.status is DeliveryStatus.DEAD
    assert delivery.next_attempt_at is None
    assert delivery.last_error == "connection refused"


def test_the_attempt_before_the_last_still_gets_a_retry():
    delivery = after_attempts(welcome(), POLICY.max_attempts - 1)

    delivery.mark_failed(at=NOW, reason="connection refused", permanent=False, policy=POLICY)

    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.next_attempt_at > NOW


def test_a_permanent_refusal_makes_the_email_dead_at_once():
    delivery = after_attempts(welcome(), 1)

    delivery.mark_failed(at=NOW, reason="550 no such user", permanent=True, policy=POLICY)

    assert delivery.status is DeliveryStatus.DEAD
    assert delivery.next_attempt_at is None
    assert delivery.last_error == "550 no such user"


def test_a_huge_smtp_error_is_kept_short():
    delivery = after_attempts(welcome(), 1)

    delivery.mark_failed(at=NOW, reason="x" * 5000, permanent=False, policy=POLICY)

    assert len(delivery.last_error) == 1000


# --- Language --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("languages", "expected"),
    [(["be", "ru"], "be"), (["en"], "en"), (["de", "en", "ru"], "en"), (["de"], "ru"), ([], "ru")],
)
def test_an_email_is_written_in_the_first_language_the_enterprise_speaks_that_we_write(
    languages, expected
):
    assert preferred_language(languages) == expected


# --- Which emails an event causes ------------------------------------------------------------


def _arriving(payload: EventPayload):
    """The event as the notifications service receives it from Kafka."""
    return as_received(payload, key=ENTERPRISE_ID)


def test_a_registered_enterprise_gets_one_welcome_email_in_its_language_with_its_profile_link():
    envelope, payload = _arriving(
        lift_maker_event(EnterpriseRegistered, enterprise_id=ENTERPRISE_ID)
    )

    [delivery] = deliveries_for(envelope, payload, public_base_url=PUBLIC_URL)

    assert delivery.template == "welcome"
    assert delivery.recipient == "sales@liftmash.example.by"
    assert delivery.language == "be"
    assert delivery.event_id == envelope.event_id
    assert delivery.enterprise_id == ENTERPRISE_ID
    assert delivery.status is DeliveryStatus.QUEUED
    assert delivery.context == {
        "enterprise_name": "ОАО «Могилёвлифтмаш»",
        "contact_person": "Иван Петров",
        "profile_url": f"{PUBLIC_URL}/enterprises/{ENTERPRISE_ID}",
    }


def _lift_factory_verified() -> EnterpriseVerified:
    """The agency's verification of the Smolensk lift factory, which reads English first."""
    return EnterpriseVerified(
        enterprise_id=ENTERPRISE_ID,
        name="ООО «Смоленский лифтостроительный завод»",
        email="sales@lift.example.ru",
        languages=["en", "ru"],
        verified_by="reviewer@agency.example",
        verified_at=NOW,
    )


def test_a_verified_enterprise_gets_one_verified_email():
    envelope, payload = _arriving(_lift_factory_verified())

    [delivery] = deliveries_for(envelope, payload, public_base_url=PUBLIC_URL)

    assert delivery.template == "verified"
    assert delivery.recipient == "sales@lift.example.ru"
    assert delivery.language == "en"
    assert str(ENTERPRISE_ID) in delivery.context["profile_url"]
    assert delivery.context["enterprise_name"] == "ООО «Смоленский лифтостроительный завод»"
    assert delivery.context["contact_person"] == ""


def test_an_event_redelivered_by_kafka_plans_the_very_same_email():
    envelope, payload = _arriving(_lift_factory_verified())

    [first] = deliveries_for(envelope, payload, public_base_url=PUBLIC_URL)
    [again] = deliveries_for(envelope, payload, public_base_url=PUBLIC_URL)

    assert first.idempotency_key == again.idempotency_key
    assert first.message_id == again.message_id


def test_an_event_that_concerns_no_email_plans_none():
    class OfferPublished(EventPayload):
        event_type: ClassVar[str] = "offer.published"
        title: str

    envelope = envelope_for(
        OfferPublished(title="Лифты"), key=str(ENTERPRISE_ID), producer="registry"
    )

    assert deliveries_for(envelope, OfferPublished(title="Лифты"), public_base_url=PUBLIC_URL) == []


# --- Not sent now, and no attempt spent ------------------------------------------------------


@pytest.mark.parametrize(
    ("act", "status"),
    [("release", DeliveryStatus.QUEUED), ("hold_for_digest", DeliveryStatus.HELD)],
)
def test_an_email_put_back_or_held_for_the_digest_keeps_its_attempts(act, status):
    delivery = after_attempts(
        welcome(), 4
    )  # the claim counted a fourth attempt that never happened

    getattr(delivery, act)()

    assert delivery.status is status
    assert delivery.attempts == 3
    assert delivery.next_attempt_at is None


def test_an_email_skipped_for_an_unsubscribed_recipient_says_why_and_is_never_tried_again():
    delivery = after_attempts(welcome(), 1)

    delivery.skip("the enterprise unsubscribed")

    assert delivery.status is DeliveryStatus.SKIPPED
    assert delivery.attempts == 0 and delivery.last_error == "the enterprise unsubscribed"


def test_welcome_verified_and_introduction_are_transactional_and_suggestions_are_not():
    assert welcome().transactional
    suggestion = Delivery.plan_to_enterprise(
        event_id=EVENT_ID,
        enterprise_id=ENTERPRISE_ID,
        partner_id=uuid.UUID(int=3),
        template="suggestion",
        facts={},
    )
    assert not suggestion.transactional
    assert suggestion.idempotency_key == idempotency_key(
        EVENT_ID, f"enterprise:{ENTERPRISE_ID}", "suggestion"
    )
