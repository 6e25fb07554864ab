"""Publications that arrive while a transaction is under way are written together in the next one,
and each submitter still gets its own answer."""

from __future__ import annotations

import asyncio

import pytest

from registry.service_layer.group_commit import GroupCommit


class RefusedItem(Exception):
    pass


class Store:
    """Writes batches after a pause, like a transaction's round trips; records what each held."""

    def __init__(
        self, *, refuse: set[int] = frozenset(), break_batches_with: set[int] = frozenset()
    ) -> None:
        self.batches: list[list[int]] = []
        self.writing_now = 0
        self.most_at_once = 0
        self.refuse = refuse
        self.break_batches_with = break_batches_with

    async def write(self, items):
        self.batches.append(list(items))
        self.writing_now += 1
        self.most_at_once = max(self.most_at_once, self.writing_now)
        try:
            await asyncio.sleep(0.01)
            if self.break_batches_with & set(items):
                raise ConnectionError("the batch's transaction failed")
            return [
                RefusedItem(item) if item in self.refuse else f"written {item}" for item in items
            ]
        finally:
            self.writing_now -= 1


async def test_a_lone_publication_is_written_at_once_in_a_batch_of_its_own():
    store = Store()

    assert await GroupCommit(store.write).submit(7) == "written 7"
    assert store.batches == [[7]]


async def test_publications_arriving_during_a_write_share_the_next_transaction_each_answered():
    store = Store()
    group = GroupCommit(store.write, writers=1)
    first = asyncio.create_task(group.submit(0))
    await asyncio.sleep(0.001)  # its transaction is under way

    answers = await asyncio.gather(*(group.submit(n) for n in range(1, 20)))

    assert await first == "written 0"
    assert answers == [f"written {n}" for n in range(1, 20)]
    assert store.batches == [[0], list(range(1, 20))]


async def test_a_batch_holds_at_most_max_batch_and_at_most_writers_batches_run_at_once():
    store = Store()
    group = GroupCommit(store.write, max_batch=4, writers=2)

    await asyncio.gather(*(group.submit(n) for n in range(30)))

    assert max(len(batch) for batch in store.batches) <= 4
    assert store.most_at_once == 2


async def test_a_refused_publication_fails_alone():
    store = Store(refuse={3})
    group = GroupCommit(store.write, writers=1)

    answers = await asyncio.gather(*(group.submit(n) for n in range(6)), return_exceptions=True)

    assert [type(a).__name__ if isinstance(a, Exception) else a for a in answers] == [
        "written 0",
        "written 1",
        "written 2",
        "RefusedItem",
        "written 4",
        "written 5",
    ]


async def test_when_a_whole_batch_fails_each_of_its_items_is_tried_again_on_its_own():
    store = Store(break_batches_with={4})
    group = GroupCommit(store.write, writers=1)

    answers = await asyncio.gather(*(group.submit(n) for n in range(8)), return_exceptions=True)

    assert isinstance(answers[4], ConnectionError)
    assert [a for n, a in enumerate(answers) if n != 4] == [
        f"written {n}" for n in range(8) if n != 4
    ]
    assert [4] in store.batches  # the failing one alone, after its batch broke


async def test_a_submitter_that_goes_away_does_not_stop_the_others():
    store = Store()
    group = GroupCommit(store.write, writers=1)
    first = asyncio.create_task(group.submit(1))
    others = [asyncio.create_task(group.submit(n)) for n in (2, 3)]
    await asyncio.sleep(0)
    first.cancel()

    assert await asyncio.gather(*others) == ["written 2", "written 3"]
    with pytest.raises(asyncio.CancelledError):
        await first
