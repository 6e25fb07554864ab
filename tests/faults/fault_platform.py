"""A platform of the fault suite's own, on free ports, with two instances each of matching and
notifications in their default consumer groups, and the faults done to it: a process killed with
SIGKILL and restarted, an instance stopped for good, the broker, the database or the SMTP sink
stopped for a while and started again. Every restart goes through the stack's Supervisor."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass

import httpx

from devstack.ports import free_port
from devstack.processes import Child
from devstack.stack import REGISTRY_RELAY, ROOT, Stack
from eventkit.kafka import wait_for_kafka

TWINNED = ("matching", "notifications")  # the consumers that run twice
READY_TIMEOUT = 90.0


@dataclass(frozen=True)
class Process:
    """One supervised process of the platform: how it is started and where it says it is ready."""

    name: str
    argv: list[str]
    env: dict[str, str]
    ready_url: str | None


class FaultPlatform:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.processes: dict[str, Process] = {}

    # --- starting ---------------------------------------------------------------------------
    def start(self) -> None:
        """The services, the registry's relay, a second matching and notifications instance, and
        the gateway; the web application is left out (the suite drives the public API)."""
        registry_env = self.stack.service_env("registry") | {"REGISTRY_RELAY_ENABLED": "false"}
        self._add(REGISTRY_RELAY, "registry", "relay", registry_env, ready_url=None)
        self._add("registry", "registry", "serve", registry_env)
        for service in TWINNED:
            self._add(service, service, "serve", self.stack.service_env(service))
            second_port = free_port()
            prefix = service.upper()
            env = self.stack.service_env(service) | {f"{prefix}_HTTP_PORT": str(second_port)}
            self._add(f"{service}-2", service, "serve", env, port=second_port)
        gateway_env = self.stack.service_env("gateway")
        self._add(
            "gateway",
            "gateway",
            "serve",
            gateway_env,
            ready_url=f"{self.stack.gateway_ops_url}/readyz",
        )
        for process in self.processes.values():
            self.launch(process.name)

    def _add(
        self,
        name: str,
        package: str,
        command: str,
        env: dict[str, str],
        *,
        port: int | None = None,
        ready_url: str | None = "",
    ) -> None:
        if ready_url == "":
            port = port or self.stack.config.service_ports[package]
            ready_url = f"http://127.0.0.1:{port}/readyz"
        argv = [sys.executable, "-m", package, command]
        self.processes[name] = Process(name, argv, env, ready_url)

    def launch(self, name: str) -> Child:
        """Starts the named process through the Supervisor and waits until it answers."""
        process = self.processes[name]
        child = self.stack.supervisor.start(name, process.argv, env=process.env, cwd=ROOT)
        if process.ready_url:
            _await_ready(child, process.ready_url)
        return child

    def child(self, name: str) -> Child:
        [child] = [c for c in self.stack.supervisor.children if c.name == name]
        return child

    # --- faults -----------------------------------------------------------------------------
    def kill(self, name: str) -> None:
        """SIGKILL to the process's whole group: no shutdown, no leaving the consumer group."""
        child = self.child(name)
        try:
            os.killpg(child.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        child.process.wait(timeout=20)
        self.stack.supervisor.stop(name)  # forgets the dead child

    def restart(self, name: str) -> None:
        self.launch(name)

    def stop_for_good(self, name: str) -> None:
        """A polite stop (SIGTERM): it leaves its consumer group and is not started again."""
        self.stack.supervisor.stop(name)
        self.processes.pop(name)

    def stop_kafka_for(self, seconds: float) -> None:
        self.stack.supervisor.stop("kafka")
        time.sleep(seconds)
        self.stack.kafka.start(self.stack.supervisor)
        asyncio.run(wait_for_kafka(self.stack.kafka.bootstrap_servers, timeout=90))

    def stop_postgres_for(self, seconds: float) -> None:
        postgres = self.stack.postgres
        deadline = time.monotonic() + READY_TIMEOUT
        postgres.stop()
        # pg_ctl may give up waiting on a busy machine while the server is still shutting down.
        while (postgres.data_dir / "postmaster.pid").exists():
            assert time.monotonic() < deadline, "PostgreSQL did not stop"
            time.sleep(0.5)
            postgres.stop()
        time.sleep(seconds)
        self.stack.postgres.start()

    def stop_smtp_sink_for(self, seconds: float) -> None:
        self.stack.stop_smtp_sink()
        time.sleep(seconds)
        self.stack.start_smtp_sink()

    def unexpected_errors_logged(self, *, most: int = 5) -> list[str]:
        """The requests the services answered 500 and the unexpected errors they logged (the end of
        each traceback, which names the error), to name the cause of a 5xx the callers saw. A
        relay's or consumer's refused connection while a server is down is expected, not listed."""
        found = []
        for log in sorted(self.stack.supervisor.run_dir.glob("*.log")):
            for line in log.read_text(errors="replace").splitlines():
                if '"status": 500' in line:
                    found.append(f"{log.stem}: {line[:300]}")
                elif '"unhandled_error"' in line:
                    found.append(f"{log.stem}: {line[-1500:]}")
        return found[:most] + found[-most:] if len(found) > 2 * most else found

    def all_alive(self) -> list[str]:
        """The names of the processes that should run but do not."""
        running = {c.name for c in self.stack.supervisor.children if c.alive()}
        return [name for name in self.processes if name not in running]


def _await_ready(child: Child, url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if not child.alive():
            raise AssertionError(f"{child.name} exited while starting:\n{child.log_tail()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{child.name} was not ready at {url}:\n{child.log_tail()}")
