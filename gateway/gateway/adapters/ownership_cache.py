"""The enterprises each company account holds, remembered for a few seconds so the door does not
ask the database on every request. A binding made here forgets the account at once; one made by
another gateway instance is found when the door would otherwise refuse (see door.admit)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(kw_only=True, eq=False)
class OwnershipCache:
    ttl_seconds: float
    max_accounts: int = 50_000
    clock: Callable[[], float] = time.monotonic
    _entries: OrderedDict[str, tuple[float, frozenset[str]]] = field(
        default_factory=OrderedDict, init=False
    )

    def get(self, account_id: str) -> frozenset[str] | None:
        entry = self._entries.get(account_id)
        if entry is None or self.clock() - entry[0] >= self.ttl_seconds:
            return None
        return entry[1]

    def put(self, account_id: str, enterprise_ids: frozenset[str]) -> None:
        self._entries[account_id] = (self.clock(), enterprise_ids)
        self._entries.move_to_end(account_id)
        while len(self._entries) > self.max_accounts:
            self._entries.popitem(last=False)

    def forget(self, account_id: str) -> None:
        self._entries.pop(account_id, None)

    def forget_enterprise(self, enterprise_id: str) -> None:
        for account_id in [a for a, (_, ids) in self._entries.items() if enterprise_id in ids]:
            del self._entries[account_id]
