"""A batch's unit of work gives its pooled connection back however the batch ends."""

from __future__ import annotations

import contextlib

import pytest

from registry.service_layer.unit_of_work import PublishingUnitOfWork


class Transaction:
    def __init__(self, *, fails_to_start: bool) -> None:
        self.fails_to_start = fails_to_start
        self.ended = None

    async def start(self) -> None:
        if self.fails_to_start:
            raise ConnectionError("the server went away")

    async def commit(self) -> None:
        self.ended = "committed"

    async def rollback(self) -> None:
        self.ended = "rolled back"


class Connection:
    """A pooled connection, counting how many are lent at the moment."""

    def __init__(self, *, fails_to_start: bool = False) -> None:
        self.started = Transaction(fails_to_start=fails_to_start)
        self.lent = 0

    def transaction(self) -> Transaction:
        return self.started

    @contextlib.asynccontextmanager
    async def lend(self):
        self.lent += 1
        try:
            yield self
        finally:
            self.lent -= 1


async def test_a_transaction_that_fails_to_start_gives_its_connection_back():
    pool = Connection(fails_to_start=True)

    with pytest.raises(ConnectionError):
        async with PublishingUnitOfWork(pool.lend):
            pass

    assert pool.lent == 0


async def test_leaving_without_a_commit_rolls_back_and_gives_the_connection_back():
    pool = Connection()

    with pytest.raises(RuntimeError):
        async with PublishingUnitOfWork(pool.lend):
            assert pool.lent == 1
            raise RuntimeError("a rule refused the whole batch")

    assert (pool.started.ended, pool.lent) == ("rolled back", 0)


async def test_a_committed_batch_is_not_rolled_back():
    pool = Connection()

    async with PublishingUnitOfWork(pool.lend) as uow:
        await uow.commit()

    assert (pool.started.ended, pool.lent) == ("committed", 0)
