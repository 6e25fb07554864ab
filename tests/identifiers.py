"""Fresh identifiers for tests: valid legal ids, so no two registrations collide, and marker words,
so no two tests' listings read alike."""

import uuid

from stdnum.by import unp as by_unp
from stdnum.ru import inn as ru_inn


def fresh_inn() -> str:
    """A 10-digit organisation INN of the Smolensk region (tax office prefix 67)."""
    body = "67" + str(uuid.uuid4().int)[:7]
    return body + ru_inn.calc_company_check_digit(body)


def fresh_unp() -> str:
    """A 9-digit UNP of the Mogilev region (first digit 7)."""
    for _ in range(100):
        body = "7" + str(uuid.uuid4().int)[:7]
        try:
            return body + by_unp.calc_check_digit(body)
        except by_unp.InvalidChecksum:
            continue  # a body whose check digit would be 10 is never issued
    raise AssertionError("no valid UNP in 100 tries")


def fresh_marker(length: int = 6) -> str:
    """A word of `length` characters no other test writes, which the platform reads as a word: hex
    digits alone may all be decimal digits (1 in 43 of 8, 1 in 17 of 6), a number that matching and
    search drop, and the test's listings would then read like every other test's."""
    return "x" + uuid.uuid4().hex[: length - 1]
