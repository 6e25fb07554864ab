"""Fresh, valid legal ids for tests that register enterprises, so no two registrations collide."""

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
