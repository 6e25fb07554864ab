"""What matching knows of an enterprise: its own copy, kept from the registry's events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass
class KnownEnterprise:
    id: uuid.UUID
    name: str
    country: str
    region: str
    city: str
    sectors: list[str]
    languages: list[str]
    status: str

    def mark_verified(self) -> None:
        self.status = "verified"

    @property
    def takes_part_in_matching(self) -> bool:
        return self.status == "verified"
