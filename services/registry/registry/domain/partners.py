"""Partners: two enterprises the agency introduced to each other once both said they were
interested in a suggestion. From then on each may see the other's contacts.

A partner that has since been deleted (its contacts are erased) or suspended by the agency is not
listed: the registry does not hand out the contacts of an enterprise it no longer stands behind.
A suspended partner comes back to the list when its suspension is lifted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

HIDDEN_STATUSES = frozenset({"suspended"})


@dataclass(frozen=True)
class Introduction:
    match_id: uuid.UUID
    offer_enterprise_id: uuid.UUID
    need_enterprise_id: uuid.UUID
    introduced_at: datetime
    event_id: uuid.UUID


@dataclass(frozen=True)
class Partner:
    """The other side of an introduction, with its contacts."""

    match_id: uuid.UUID
    enterprise_id: uuid.UUID
    name: str
    country: str
    region: str
    city: str
    contact_person: str
    email: str
    phone: str | None
    introduced_at: datetime
