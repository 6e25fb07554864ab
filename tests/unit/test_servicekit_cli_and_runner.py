"""An app's command line runs the command asked (serve when none is), with its flags and exit code;
its workers stop in order: start-up steps at once, workers within the grace period, clients last."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from types import SimpleNamespace

import pytest

from servicekit.cli import Command, UsageError, run_cli
from servicekit.runner import DatabaseAndKafka, Workers, run_until_signalled, start_with_retries


def _cli(monkeypatch, *argv: str) -> tuple[list, int]:
    ran = []
    commands = [
        Command("serve", "serve", lambda settings, args: ran.append(("serve", settings))),
        Command(
            "count",
            "count",
            lambda settings, args: ran.append(("count", args.times)) or args.times,
            lambda parser: parser.add_argument("--times", type=int, default=0),
        ),
        Command(
            "refuse",
            "refuse",
            lambda settings, args: ran.append(("refuse", settings)),
            check=lambda args: _raise(UsageError("needs --this")),
        ),
    ]
    monkeypatch.setattr(sys, "argv", ["prog", *argv])
    with pytest.raises(SystemExit) as exit_:
        run_cli(
            prog="python -m app",
            settings=lambda: ran.append("settings read") or "settings",
            commands=commands,
        )
    return ran, exit_.value.code


def _raise(error: Exception):
    raise error


def test_no_command_serves_with_the_settings_built_at_start(monkeypatch):
    assert _cli(monkeypatch) == (["settings read", ("serve", "settings")], 0)


def test_a_command_gets_its_flags_and_its_result_is_the_exit_code(monkeypatch):
    assert _cli(monkeypatch, "count", "--times", "3") == (["settings read", ("count", 3)], 3)
    assert _cli(monkeypatch, "count") == (["settings read", ("count", 0)], 0)


def test_flags_that_do_not_fit_are_refused_with_the_usage_and_exit_code_2(monkeypatch, capsys):
    assert _cli(monkeypatch, "refuse") == ([], 2)  # before any setting is read
    assert "python -m app refuse: error: needs --this" in capsys.readouterr().err
    assert _cli(monkeypatch, "serve", "--times", "3") == ([], 2)  # another command's flag


async def test_workers_stop_in_order_and_clients_close_after_them():
    events = []

    async def step():
        try:
            await asyncio.sleep(3600)  # a client that never connects
        except asyncio.CancelledError:
            events.append("step cancelled")
            raise

    async def worker(stop: asyncio.Event):
        await stop.wait()
        await asyncio.sleep(0.01)  # finishing its batch
        events.append("worker finished")

    async def close():
        events.append("client closed")

    async with Workers(grace=1) as workers:
        workers.start_up(step())
        workers.run(worker(workers.stop))
        workers.on_close(close)
        await asyncio.sleep(0)

    assert events == ["step cancelled", "worker finished", "client closed"]
    assert workers.stopped_in_time


async def test_a_worker_late_past_the_grace_period_is_cancelled():
    async def stubborn():
        await asyncio.sleep(3600)

    async with Workers(grace=0.05) as workers:
        workers.run(stubborn())

    assert not workers.stopped_in_time


async def test_a_loop_that_fails_is_started_again_until_the_stop():
    runs = []

    async with Workers() as workers:

        async def loop():
            runs.append(1)
            if len(runs) == 1:
                raise ConnectionError("Kafka is not up yet")
            await workers.stop.wait()

        workers.keep_running("consumer", loop)
        while len(runs) < 2:
            await asyncio.sleep(0.05)

    assert len(runs) == 2


async def test_a_client_is_started_again_until_it_connects():
    attempts, started = [], asyncio.Event()

    async def start():
        attempts.append(1)
        if len(attempts) < 2:
            raise ConnectionError("not yet")

    await start_with_retries(start, started)

    assert started.is_set() and len(attempts) == 2


def test_a_process_runs_its_work_until_sigterm_and_reports_a_clean_stop():
    seen = SimpleNamespace(stopped=False)

    async def work(stop: asyncio.Event):
        asyncio.get_running_loop().call_later(0.05, os.kill, os.getpid(), signal.SIGTERM)
        await stop.wait()
        seen.stopped = True

    assert run_until_signalled(work) is True
    assert seen.stopped


def test_a_process_whose_work_failed_ends_with_its_exception():
    async def work(stop: asyncio.Event):
        asyncio.get_running_loop().call_later(0.05, os.kill, os.getpid(), signal.SIGINT)
        raise RuntimeError("no database")

    with pytest.raises(RuntimeError, match="no database"):
        run_until_signalled(work)


async def test_a_container_starts_its_producer_and_closes_it_before_the_database():
    calls = []

    class Producer:
        async def start(self):
            calls.append("producer started")

        async def stop(self):
            calls.append("producer stopped")

    class Engine:
        async def dispose(self):
            calls.append("database closed")

    container = DatabaseAndKafka(engine=Engine(), session_factory=None, producer=Producer())

    await container.start_producer()
    await container.close()

    assert calls == ["producer started", "producer stopped", "database closed"]


async def test_a_container_whose_producer_never_started_only_closes_the_database():
    calls = []

    class Engine:
        async def dispose(self):
            calls.append("database closed")

    container = DatabaseAndKafka(engine=Engine(), session_factory=None, producer=None)

    await container.close()

    assert calls == ["database closed"]
