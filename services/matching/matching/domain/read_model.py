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

    @classmethod
    def partly_known(
        cls,
        enterprise_id: uuid.UUID,
        *,
        status: str,
        name: str = "",
        languages: list[str] | None = None,
    ) -> KnownEnterprise:
        """An enterprise first heard of through an event that does not describe it in full."""
        return cls(
            id=enterprise_id,
            name=name,
            country="",
            region="",
            city="",
            sectors=[],
            languages=list(languages or []),
            status=status,
        )

    def mark_verified(self) -> None:
        self.status = "verified"

    @property
    def takes_part_in_matching(self) -> bool:
        return self.status == "verified"
