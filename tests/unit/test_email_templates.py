"""The emails a company receives, in Russian, Belarusian or English: a subject that says what
happened, and a plain-text and an HTML body with the enterprise's name and its profile link."""

import pytest
from jinja2 import TemplateNotFound, UndefinedError

from tests.email_samples import SUBJECT_SAYS

PROFILE_URL = "https://unionmatch.example/enterprises/b2c9a0c4-7c1e-4f57-9a57-7c8e2a6f1d10"
LANGUAGES = ["ru", "be", "en"]
TEMPLATES = ["welcome", "verified"]


def context(**changes) -> dict:
    values = {
        "enterprise_name": "Могилёвлифтмаш",
        "contact_person": "Иван Петров",
        "profile_url": PROFILE_URL,
    }
    values.update(changes)
    return values


every_email = pytest.mark.parametrize(
    ("template", "language"), [(t, lang) for t in TEMPLATES for lang in LANGUAGES]
)


@every_email
def test_the_subject_says_what_happened_to_which_enterprise_on_one_line(
    renderer, template, language
):
    email = renderer.render(template, language, context())

    assert SUBJECT_SAYS[(template, language)] in email.subject
    assert "Могилёвлифтмаш" in email.subject
    assert "\n" not in email.subject and "\r" not in email.subject
    assert email.subject == email.subject.strip()


@every_email
def test_both_bodies_name_the_enterprise_and_link_its_profile(renderer, template, language):
    email = renderer.render(template, language, context())

    assert "Могилёвлифтмаш" in email.text
    assert PROFILE_URL in email.text
    assert "Могилёвлифтмаш" in email.html
    assert f'<a href="{PROFILE_URL}">' in email.html
    assert email.text.endswith("\n") and not email.text.endswith("\n\n")


@every_email
def test_the_html_email_is_a_whole_page_in_the_recipients_language(renderer, template, language):
    email = renderer.render(template, language, context())

    assert email.html.lstrip().startswith("<!doctype html>")
    assert f'<html lang="{language}">' in email.html
    assert "Union Match" in email.html
    assert "{{" not in email.html and "{%" not in email.html
    assert "{{" not in email.text and "{%" not in email.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_welcome_email_greets_the_contact_person_by_name(renderer, language):
    email = renderer.render("welcome", language, context(contact_person="Иван Петров"))

    assert "Иван Петров" in email.text.splitlines()[0]
    assert "Иван Петров" in email.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_welcome_email_greets_politely_when_no_contact_person_is_known(renderer, language):
    email = renderer.render("welcome", language, context(contact_person=""))

    greeting = email.text.splitlines()[0]
    assert greeting.endswith("!")
    assert ", !" not in greeting


@every_email
def test_a_name_with_markup_is_escaped_in_html_and_kept_literal_in_plain_text(
    renderer, template, language
):
    name = '<script>alert("x")</script> & Co'

    email = renderer.render(template, language, context(enterprise_name=name))

    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html
    assert "&amp; Co" in email.html
    assert "&amp;amp;" not in email.html and "&amp;lt;" not in email.html  # escaped once, not twice
    assert name in email.text
    assert name in email.subject


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_name_with_line_breaks_cannot_break_the_subject_header(renderer, language):
    email = renderer.render(
        "verified", language, context(enterprise_name="Лифт\r\nBcc: victim@example.com")
    )

    assert "\n" not in email.subject and "\r" not in email.subject
    assert "Лифт Bcc: victim@example.com" in email.subject


@pytest.mark.parametrize("template", TEMPLATES)
def test_an_email_is_not_sent_with_a_blank_where_a_value_is_missing(renderer, template):
    incomplete = context()
    del incomplete["profile_url"]

    with pytest.raises(UndefinedError, match="profile_url"):
        renderer.render(template, "en", incomplete)


def test_an_email_in_a_language_we_do_not_write_is_not_silently_sent_in_another(renderer):
    with pytest.raises(TemplateNotFound):
        renderer.render("welcome", "de", context())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_welcome_email_does_not_ask_to_confirm_an_address(renderer, language):
    # It goes to the address the enterprise gave, which may be anybody's: the account's own
    # address is confirmed by the email sent to it at sign-up.
    email = renderer.render("welcome", language, context())

    assert "/confirm" not in email.text and "/confirm" not in email.html
    assert (
        "confirm" not in email.text.lower()
        and "подтверд" not in email.text.lower()
        and "пацвердз" not in email.text.lower()
    )
    assert email.text.rstrip().endswith(PROFILE_URL)
