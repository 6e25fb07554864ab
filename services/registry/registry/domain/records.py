"""What the registry keeps of an enterprise or a listing besides its facts: the version that a
change must name (a stale one is refused), and when the database first and last wrote it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(kw_only=True)
class Record:
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
