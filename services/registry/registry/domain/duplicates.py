"""Which other enterprises may be the same company as this one, and why: the reviewer's hints
before verifying. A hint, not a verdict: a group's subsidiaries share a mail domain, a business
centre shares a switchboard.

- `legal_id`: the same legal id root. A Russian enterprise's roots are its INN and its OGRN/OGRNIP
  (each compared with the same scheme only, digits as given: a sole trader's 12-digit INN and
  15-digit OGRNIP are the person's own numbers); a Belarusian one's is its UNP, upper case with
  Cyrillic look-alike letters written in Latin (stdnum's compact form). Ids of the two countries
  never match each other.
- `email_domain`: the same domain after the last "@", lower case, unless it is a public mail
  provider (thousands of unrelated companies write from mail.ru or gmail.com).
- `phone`: the same last 10 digits, so "+7 4812 20-30-40" and "8 (4812) 203040" are one number;
  a phone of fewer than 7 digits is not compared.
"""

from __future__ import annotations

from dataclasses import dataclass

from stdnum.by import unp as by_unp

from registry.domain.numbers import ascii_digits

MAX_POSSIBLE_DUPLICATES = 20

LEGAL_ID, EMAIL_DOMAIN, PHONE = "legal_id", "email_domain", "phone"

PUBLIC_MAIL_PROVIDERS = frozenset(
    {
        # Russia
        "mail.ru",
        "bk.ru",
        "list.ru",
        "inbox.ru",
        "internet.ru",
        "yandex.ru",
        "yandex.by",
        "yandex.com",
        "ya.ru",
        "narod.ru",
        "rambler.ru",
        "lenta.ru",
        "ro.ru",
        "autorambler.ru",
        "myrambler.ru",
        # Belarus
        "tut.by",
        # worldwide
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "mail.com",
        "gmx.com",
        "zoho.com",
    }
)

_PHONE_DIGITS_KEPT = 10
_PHONE_DIGITS_MIN = 7


def email_domain(email: str | None) -> str | None:
    """The company's own mail domain, or None for a public provider's or no address."""
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower().rstrip(".")
    if not domain or domain in PUBLIC_MAIL_PROVIDERS:
        return None
    return domain


def phone_key(phone: str | None) -> str | None:
    """The last 10 digits of a phone number (all of them when it has fewer), or None."""
    digits = "".join(ch for ch in ascii_digits(phone or "") if ch in "0123456789")
    if len(digits) < _PHONE_DIGITS_MIN:
        return None
    return digits[-_PHONE_DIGITS_KEPT:]


def unp_root(unp: str | None) -> str | None:
    return by_unp.compact(unp) if unp else None


@dataclass(frozen=True)
class Fingerprint:
    """What two enterprises are compared by; the adapters look up rows holding the same values."""

    country: str
    inn: str | None
    ogrn: str | None
    unp: str | None
    email_domain: str | None
    phone: str | None

    @classmethod
    def of(cls, enterprise) -> Fingerprint:
        russian = str(enterprise.country) == "RU"
        return cls(
            country=str(enterprise.country),
            inn=enterprise.inn if russian else None,
            ogrn=enterprise.ogrn if russian else None,
            unp=unp_root(enterprise.unp) if not russian else None,
            email_domain=email_domain(enterprise.email),
            phone=phone_key(enterprise.phone),
        )

    @property
    def comparable(self) -> bool:
        return any((self.inn, self.ogrn, self.unp, self.email_domain, self.phone))


def duplicate_reasons(enterprise, other) -> list[str]:
    """Why `other` may be the same company as `enterprise`, in the order legal_id, email_domain,
    phone; empty when nothing points to it."""
    mine, theirs = Fingerprint.of(enterprise), Fingerprint.of(other)
    reasons = []
    if mine.country == theirs.country and any(
        value and value == getattr(theirs, scheme)
        for scheme, value in (("inn", mine.inn), ("ogrn", mine.ogrn), ("unp", mine.unp))
    ):
        reasons.append(LEGAL_ID)
    if mine.email_domain and mine.email_domain == theirs.email_domain:
        reasons.append(EMAIL_DOMAIN)
    if mine.phone and mine.phone == theirs.phone:
        reasons.append(PHONE)
    return reasons
