"""With a steady stream of registrations, verifications, listings, approvals and answers through
the gateway, and two instances each of matching and notifications, each fault below is survived:
every acknowledged request is in the databases, every event reached every consumer group, every
suggestion and introduction reached the sink once per side (one resend with the same Message-ID
counted, never more), and every 5xx was a 503 with Retry-After answered on retry."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from devstack.stack import REGISTRY_RELAY
from tests.faults.checker import confirm_addresses, judge, settle
from tests.faults.fault_platform import FaultPlatform
from tests.faults.traffic import Traffic

WARM_UP = 6.0  # stories under way before the fault
AFTER = 6.0  # stories still starting after the fault is over


def survived(
    platform: FaultPlatform, accounts: dict, figures: dict, name: str, fault: Callable[[], None]
) -> None:
    traffic = Traffic(platform.stack.gateway_url, accounts=accounts)
    started = time.monotonic()
    traffic.start(duration=600)
    time.sleep(WARM_UP)
    fault()
    time.sleep(AFTER)
    ledger = traffic.stop()
    asyncio.run(settle(platform.stack))  # the confirmations are sent once the events are read
    confirm_addresses(platform.stack, ledger)
    verdict = asyncio.run(judge(platform.stack, ledger))
    figures[name] = verdict.figures() | {
        "stories": ledger.stories_done,
        "stories_abandoned": len(ledger.stories_abandoned),
        "requests": ledger.requests,
        "unanswered_retried": ledger.unanswered,
        "seconds": round(time.monotonic() - started),
        "resent": verdict.resends,
    }
    assert not platform.all_alive(), "every process is running again"
    assert not ledger.stories_abandoned, ledger.stories_abandoned
    assert ledger.stories_done > 0
    # A string, so that pytest shows the services' tracebacks whole.
    assert not verdict.problems(), "\n".join(
        [*verdict.problems(), *platform.unexpected_errors_logged()]
    )


def killed_and_restarted(platform: FaultPlatform, name: str) -> Callable[[], None]:
    def fault() -> None:
        platform.kill(name)
        platform.restart(name)

    return fault


@pytest.mark.parametrize(
    "process", ["registry", REGISTRY_RELAY, "matching", "notifications", "gateway"]
)
def test_a_process_killed_and_restarted_loses_nothing(
    fault_platform, company_accounts, fault_figures, process
):
    survived(
        fault_platform,
        company_accounts,
        fault_figures,
        f"{process} killed (SIGKILL) and restarted",
        killed_and_restarted(fault_platform, process),
    )


def test_consumers_killed_again_and_again_during_a_burst_lose_and_double_nothing(
    fault_platform, company_accounts, fault_figures
):
    """Kills land at every moment of a consumer's work, among them right after its database
    commit and before its offset commit: the event comes again and must not be applied twice."""

    def fault() -> None:
        for _ in range(3):
            for name in ("notifications", "matching"):
                fault_platform.kill(name)
                fault_platform.restart(name)
            time.sleep(1.0)

    survived(
        fault_platform,
        company_accounts,
        fault_figures,
        "consumers killed 3 times each during a burst",
        fault,
    )


def test_the_smtp_sink_down_for_30_seconds(fault_platform, company_accounts, fault_figures):
    survived(
        fault_platform,
        company_accounts,
        fault_figures,
        "SMTP sink down 30 s",
        lambda: fault_platform.stop_smtp_sink_for(30),
    )


def test_the_kafka_broker_stopped_for_20_seconds(fault_platform, company_accounts, fault_figures):
    survived(
        fault_platform,
        company_accounts,
        fault_figures,
        "Kafka broker stopped 20 s",
        lambda: fault_platform.stop_kafka_for(20),
    )


def test_postgresql_stopped_for_10_seconds(fault_platform, company_accounts, fault_figures):
    survived(
        fault_platform,
        company_accounts,
        fault_figures,
        "PostgreSQL stopped 10 s",
        lambda: fault_platform.stop_postgres_for(10),
    )


def test_one_matching_and_one_notifications_instance_stopped_for_good(
    fault_platform, company_accounts, fault_figures
):
    """Their partitions move to the surviving instance of each group (this runs last: the suite
    has one instance of each afterwards)."""

    def fault() -> None:
        fault_platform.stop_for_good("matching-2")
        fault_platform.stop_for_good("notifications-2")

    survived(
        fault_platform,
        company_accounts,
        fault_figures,
        "one matching and one notifications instance stopped for good",
        fault,
    )
