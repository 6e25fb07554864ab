"""Tables as CSV files that Excel opens correctly and cannot be turned against the reader.

Excel guesses a file's encoding unless it starts with a byte-order mark, and it runs a cell that
starts with =, +, -, @ (or a tab or carriage return) as a formula: such a cell is prefixed with
an apostrophe, which Excel shows as text (OWASP's CSV injection advice)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralised(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
    return buffer.getvalue()
