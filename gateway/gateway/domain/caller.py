from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """Who is calling through the gateway. Until accounts exist every caller is anonymous."""

    account_id: str | None = None
    role: str = "anonymous"
    enterprise_ids: frozenset[str] = frozenset()


ANONYMOUS = Caller()
