"""A long subject reaches the recipient whole: every template, in every language, with long
enterprise and product names, is serialised as it leaves for the SMTP server and its Subject is
decoded by parsers other than the one that wrote it (fast-mail-parser's Rust decoder, the standard
library's RFC 2047 decode_header over the compat32 parser), word spaces and all."""

from __future__ import annotations

import email
import re
from email.header import decode_header, make_header

import fast_mail_parser
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from notifications.adapters.rendering import RenderedEmail
from notifications.adapters.smtp import build_message, flatten
from tests.email_samples import BULK, context, every_email

SENDER = "Union Match <noreply@unionmatch.example.org>"


def wire(rendered: RenderedEmail, *, eight_bit: bool = True) -> bytes:
    message = build_message(
        sender=SENDER,
        recipient="maria@example.ru",
        message_id="<d-1@unionmatch.example.org>",
        email=rendered,
    )
    return flatten(message, eight_bit=eight_bit)


def subjects_as_others_read_them(raw: bytes) -> dict[str, str]:
    compat32 = email.message_from_bytes(
        raw
    )  # the legacy parser leaves the encoded words as they came
    return {
        "fast-mail-parser": fast_mail_parser.parse_email(raw).subject,
        # Unfolding (RFC 5322 2.2.3) removes each line break before whitespace, and nothing else.
        "decode_header": str(
            make_header(decode_header(re.sub(r"\r?\n(?=[ \t])", "", compat32["Subject"])))
        ),
    }


def header_block(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


@pytest.mark.parametrize(("template", "language"), every_email())
def test_every_subject_is_decoded_back_exactly_after_folding(renderer, template, language):
    rendered = renderer.render(template, language, context(template, language))

    for eight_bit in (True, False):
        raw = wire(rendered, eight_bit=eight_bit)
        assert subjects_as_others_read_them(raw) == {
            "fast-mail-parser": rendered.subject,
            "decode_header": rendered.subject,
        }
        subject_lines = [
            line
            for line in header_block(raw)
            if line.startswith(b"Subject:") or line[:1] in (b" ", b"\t")
        ]
        assert len(subject_lines) > 1, "the sample names are long enough to fold the subject"


@pytest.mark.parametrize(("template", "language"), every_email())
def test_header_lines_and_encoded_words_keep_to_the_rfc_lengths(renderer, template, language):
    raw = wire(renderer.render(template, language, context(template, language)))

    for line in header_block(raw):
        # RFC 5322 2.1.1; a URL cannot be folded, its line may take up to 998
        assert len(line) <= (998 if line.startswith(b"List-Unsubscribe: <https://") else 78), line
        assert all(len(word) <= 75 for word in re.findall(rb"=\?[^?]+\?[bBqQ]\?[^?]*\?=", line)), (
            line
        )  # RFC 2047 2


@pytest.mark.parametrize(("template", "language"), every_email())
def test_bulk_emails_offer_one_click_unsubscribe_and_transactional_ones_do_not(
    renderer, template, language
):
    rendered = renderer.render(template, language, context(template, language))
    message = email.message_from_bytes(wire(rendered))

    if template in BULK:
        assert re.fullmatch(
            r"<https://unionmatch\.example\.org/api/v1/unsubscribe\?token=[\w.-]+>",
            message["List-Unsubscribe"],
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    else:
        assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


WORDS = st.sampled_from(
    [
        "Червячные",
        "редукторы",
        "«Лифт»",
        "ООО",
        "Brest-Lift",
        "BelAZ",
        "—",
        "2026",
        "для",
        "лифтоў",
        "a",
        "x" * 40,
        "суперпредприятиеснеобычайнодлиннымназваниемвотоно",
        "Смоленск:",
        "«Магілёўліфтмаш»",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=30))
@example(
    ["Brest-Lift"] * 3 + ["x" * 40]
)  # plain ASCII just over a line: once moved whole to the next line
def test_any_mix_of_cyrillic_latin_and_long_words_survives_folding(words):
    subject = " ".join(words)
    raw = wire(RenderedEmail(subject=subject, text="Текст письма\n", html="<p>Текст письма</p>"))

    assert subjects_as_others_read_them(raw) == {
        "fast-mail-parser": subject,
        "decode_header": subject,
    }
