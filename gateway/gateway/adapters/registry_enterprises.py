"""Deleting an enterprise through the registry on behalf of its owner (when a company deletes its
account): the registry deletes it and publishes `enterprise.deleted`, on which every service erases
what it holds of the enterprise."""

from __future__ import annotations

import structlog

from gateway.adapters.upstream import Upstream, UpstreamUnavailable
from servicekit.internal_token import Caller

log = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = 5


class RegistryEnterprises:
    def __init__(self, *, registry: Upstream) -> None:
        self._registry = registry

    async def delete(self, enterprise_id: str, *, owner: Caller) -> None:
        reply = await self._registry.call(
            "DELETE", f"/enterprises/{enterprise_id}", caller=owner, headers=[], content=None
        )
        # 404: deleted already (a first attempt that failed later on), which is what was asked.
        if 200 <= reply.status_code < 300 or reply.status_code == 404:
            return
        log.warning("enterprise_not_deleted", enterprise_id=enterprise_id, status=reply.status_code)
        raise UpstreamUnavailable("registry", RETRY_AFTER_SECONDS)
