"""The emails about the agency's verification tell the truth about matching: the welcome email says
partners come once the agency has verified the enterprise, the verified email that matching starts
now, and an enterprise sent back to pending by an identity edit is told why, in its language."""

from __future__ import annotations

import pytest

from eventkit.contracts import EnterpriseUpdated
from notifications.domain.deliveries import TRANSACTIONAL
from notifications.domain.plans import deliveries_for
from tests.lift_story_events import as_received, lift_maker_event

CONTEXT = {
    "enterprise_name": "Могилёвлифтмаш",
    "contact_person": "Иван Петров",
    "profile_url": "https://unionmatch.example/enterprises/1",
}

WELCOME_SAYS = {
    "ru": "партнёров по ним мы начнём подбирать только после того, как агентство проверит "
    "предприятие",
    "be": "партнёраў па іх мы пачнём падбіраць толькі пасля таго, як агенцтва праверыць "
    "прадпрыемства",
    "en": "partners for them are proposed only once the agency has verified your enterprise",
}
VERIFIED_SAYS = {
    "ru": "Подбор партнёров начался",
    "be": "Падбор партнёраў пачаўся",
    "en": "Partner matching starts now",
}
RECHECK_SAYS = {
    "ru": ("снова на проверке", "название, УНП"),
    "be": ("зноў на праверцы", "назва, УНП"),
    "en": ("is being verified again", "name, UNP"),
}


@pytest.mark.parametrize("language", ["ru", "be", "en"])
def test_the_welcome_email_says_partners_come_after_the_agency_verifies_the_enterprise(
    renderer, language
):
    email = renderer.render("welcome", language, CONTEXT)

    assert WELCOME_SAYS[language] in email.text and WELCOME_SAYS[language] in email.html


@pytest.mark.parametrize("language", ["ru", "be", "en"])
def test_the_verified_email_says_matching_starts_now(renderer, language):
    email = renderer.render("verified", language, CONTEXT)

    assert VERIFIED_SAYS[language] in email.text and VERIFIED_SAYS[language] in email.html


def updated(**changes):
    payload = lift_maker_event(EnterpriseUpdated, **dict(status="verified") | changes)
    return as_received(payload, key=payload.enterprise_id)


def test_an_enterprise_sent_back_to_pending_is_emailed_why_in_its_language(renderer):
    envelope, payload = updated(status="pending", recheck_because=["name", "unp"])

    [delivery] = deliveries_for(envelope, payload, public_base_url="https://unionmatch.example")

    assert delivery.template == "recheck" and delivery.template in TRANSACTIONAL
    assert delivery.recipient == "sales@liftmash.example.by" and delivery.language == "be"
    assert delivery.context["changed"] == ["name", "unp"]


@pytest.mark.parametrize("language", ["ru", "be", "en"])
def test_the_recheck_email_names_the_changed_fields_and_says_matching_waits(renderer, language):
    email = renderer.render("recheck", language, CONTEXT | {"changed": ["name", "unp"]})

    subject_says, fields_said = RECHECK_SAYS[language]
    assert subject_says in email.subject and "Могилёвлифтмаш" in email.subject
    assert fields_said in email.text and fields_said in email.html
    assert CONTEXT["profile_url"] in email.text


def test_any_other_edit_sends_no_email():
    envelope, payload = updated(phone="+375222111111")

    assert deliveries_for(envelope, payload, public_base_url="https://unionmatch.example") == []
