"""Group commit: requests that arrive while a transaction is under way are written together in the
next one, so a busy registry spends one transaction's round trips on many requests instead of one.

Each submitter still gets its own answer: an item refused by the domain fails alone, and when a
whole batch fails (an error no single rule foresaw) each of its items is tried again on its own, so
one bad item never takes its neighbours down with it. At low load a batch is one item and waits for
nothing: a batch starts as soon as a writer is free."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Writes a batch in one transaction; returns, for each item in order, its result or the exception
# that refused it.
BatchHandler = Callable[[Sequence[Item]], Awaitable[Sequence["Result | Exception"]]]


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self, handle_batch: BatchHandler, *, max_batch: int = 64, writers: int = 2
    ) -> None:
        self._handle_batch = handle_batch
        self._max_batch = max_batch
        self._writers = writers
        self._busy_writers = 0
        self._tasks: set[asyncio.Task] = set()  # held, so that no writer is collected mid-batch
        self._waiting: deque[tuple[Item, asyncio.Future]] = deque()

    async def submit(self, item: Item) -> Result:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._busy_writers < self._writers:
            self._busy_writers += 1  # counted now: a writer about to end must not be counted on
            writer = asyncio.create_task(self._write_while_waiting())
            self._tasks.add(writer)
            writer.add_done_callback(self._tasks.discard)
        return await future

    async def _write_while_waiting(self) -> None:
        try:
            while self._waiting:
                batch = [
                    self._waiting.popleft() for _ in range(min(self._max_batch, len(self._waiting)))
                ]
                try:
                    await self._write(batch)
                except BaseException:  # the loop is shutting down: nobody is left waiting forever
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(
                                RuntimeError("the registry stopped before this write finished")
                            )
                    raise
        finally:
            self._busy_writers -= 1

    async def _write(self, batch: list[tuple[Item, asyncio.Future]]) -> None:
        try:
            outcomes = await self._handle_batch([item for item, _ in batch])
        except Exception as error:
            if len(batch) == 1:
                outcomes = [error]
            else:
                for one in batch:
                    await self._write([one])
                return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # the submitter went away; its item is written all the same
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
