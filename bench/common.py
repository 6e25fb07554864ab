"""What the benchmarks share: their command line, a percentile as they all report it, the
platform (or part of it) started on free ports in a throw-away directory and stopped whatever
happens, the enterprises they register, and the internal token of a call made straight to a
service."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from stdnum.ru import inn as ru_inn

from devstack.stack import Stack, StackConfig
from servicekit.internal_token import INTERNAL_TOKEN_HEADER, Caller, issue


def parsed_options(doc: str, options: dict[str, tuple[object, str]]) -> argparse.Namespace:
    """The benchmark's command line: its docstring as the help, and for each `--flag` of
    `options` its default and help. The default's type is the option's (a list: one or more values
    of its items' type; a tuple: one of its values, the first by default)."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    for flag, (default, help_text) in options.items():
        if isinstance(default, tuple):
            parser.add_argument(flag, choices=default, default=default[0], help=help_text)
        elif isinstance(default, list):
            parser.add_argument(
                flag, type=type(default[0]), nargs="+", default=default, help=help_text
            )
        else:
            parser.add_argument(flag, type=type(default), default=default, help=help_text)
    return parser.parse_args()


# Consecutive tax numbers from a random start: random ones would collide (409) within a run.
_NEXT_INN_BODY = itertools.count(random.randrange(10**6, 9 * 10**6))


def new_profile() -> dict:
    """A Smolensk enterprise with only the fields its registration requires, its own INN and
    email each call."""
    marker = uuid.uuid4().hex[:8]
    body = f"67{next(_NEXT_INN_BODY):07d}"
    return {
        "name": f"ООО «Бенч {marker}»",
        "country": "RU",
        "region": "smolensk_oblast",
        "city": "Смоленск",
        "inn": body + ru_inn.calc_company_check_digit(body),
        "sectors": ["construction"],
        "contact_person": "Мария Иванова",
        "email": f"bench-{marker}@example.ru",
        "personal_data_consent": True,
    }


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` (0.5, 0.99) of the values lie: the nearest rank, no
    interpolation; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextlib.contextmanager
def stack_on_free_ports(**config) -> Iterator[Stack]:
    """A stack (nothing started yet) whose state lives in a temporary directory, removed after."""
    state_dir = Path(tempfile.mkdtemp(prefix="unionmatch-bench-"))
    stack = Stack(StackConfig.on_free_ports(state_dir, **config))
    try:
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(state_dir, ignore_errors=True)


@contextlib.contextmanager
def whole_platform(*, logs_of: tuple[str, ...]) -> Iterator[Stack]:
    """Every part of the platform, with the demo data, running until the block ends. The run
    measures the work, not the gateway's rate limits: they are lifted for this process tree. A
    RuntimeError (a part that would not start or answer) ends the program with the last lines of
    the logs of `logs_of`."""
    for knob in ("IP_PER_SECOND", "IP_BURST", "ACCOUNT_PER_SECOND", "ACCOUNT_BURST"):
        os.environ[f"GATEWAY_RATE_LIMIT_{knob}"] = "1000000"
    started = time.monotonic()
    with stack_on_free_ports(demo_mode=True) as stack:
        try:
            # Inside the block: whatever started is stopped even if a later part fails.
            stack.start_infrastructure()
            stack.migrate()
            stack.start_services()
            print(f"platform up in {time.monotonic() - started:.0f}s", flush=True)
            yield stack
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            for child in stack.supervisor.children:
                if child.name in logs_of:
                    tail = child.log_tail(8)
                    print(f"--- last lines of {child.name}'s log:\n{tail}", file=sys.stderr)
            raise SystemExit(1) from None


def internal_token(
    secret: str,
    *,
    audience: str,
    role: str,
    account_id: str | None = None,
    enterprise_ids: list[str] | tuple[str, ...] = (),
) -> dict[str, str]:
    """The header the gateway would sign, for a call straight to the service `audience` (a
    benchmark measuring the service without the gateway in front of it)."""
    caller = Caller(account_id=account_id, role=role, enterprise_ids=frozenset(enterprise_ids))
    token = issue(
        caller, audience=audience, secret=secret, issued_at=int(time.time()), ttl_seconds=3600
    )
    return {INTERNAL_TOKEN_HEADER: token}
