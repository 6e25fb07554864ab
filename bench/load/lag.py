"""Kafka consumer lag over time: every consumer group's committed offsets (aiokafka's admin client)
against its topics' end offsets, summed over the partitions, sampled until told to stop."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from eventkit.topics import CONSUMED_BY, PARTITIONS


@dataclass
class LagSamples:
    """(seconds since the load began, {group: messages behind}) for each sample."""

    groups: tuple[str, ...] = tuple(CONSUMED_BY)
    samples: list[tuple[float, dict[str, int]]] = field(default_factory=list)

    def peak(self, group: str) -> int:
        return max((lags[group] for _, lags in self.samples), default=0)

    def caught_up_after(self, seconds: float) -> float | None:
        """How long after `seconds` every group was first seen at zero."""
        return next(
            (t - seconds for t, lags in self.samples if t >= seconds and not any(lags.values())),
            None,
        )

    def csv_rows(self) -> list[str]:
        rows = ["seconds," + ",".join(self.groups)]
        rows += [
            f"{t:.1f}," + ",".join(str(lags[g]) for g in self.groups) for t, lags in self.samples
        ]
        return rows


class LagSampler:
    def __init__(self, bootstrap_servers: str) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
        self._ends = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)

    async def __aenter__(self) -> LagSampler:
        await self._admin.start()
        await self._ends.start()
        return self

    async def __aexit__(self, *_) -> None:
        await self._ends.stop()
        await self._admin.close()

    async def lags(self) -> dict[str, int]:
        """Messages each group has yet to commit, over every partition of the topics it reads (a
        partition it never committed counts from its start)."""
        partitions = [
            TopicPartition(topic, p) for topic in PARTITIONS for p in range(PARTITIONS[topic])
        ]
        # Committed offsets first: an end offset read after them is never behind them.
        committed = {g: await self._admin.list_consumer_group_offsets(g) for g in CONSUMED_BY}
        ends = await self._ends.end_offsets(partitions)
        lags = {}
        for group, topics in CONSUMED_BY.items():
            lags[group] = sum(
                ends[tp] - max(committed[group][tp].offset if tp in committed[group] else 0, 0)
                for tp in partitions
                if tp.topic in topics
            )
        return lags

    async def sample(self, into: LagSamples, *, every: float, since: float, stop: asyncio.Event):
        """Samples every `every` seconds until `stop` is set (the caller bounds it); `since`: the
        Unix time the samples' seconds count from."""
        while not stop.is_set():
            lags = await self.lags()
            into.samples.append((time.time() - since, lags))
            try:
                await asyncio.wait_for(stop.wait(), timeout=every)
            except TimeoutError:
                pass
