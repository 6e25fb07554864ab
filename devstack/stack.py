"""The whole platform on this machine: PostgreSQL, Kafka, the SMTP sink, the three services, the
gateway and the web application, started in order, each awaited until it answers, and stopped in
reverse order."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devstack.errors import StackError
from devstack.kafka import LocalKafka, require_java_and_maven
from devstack.ports import require_free
from devstack.postgres import LocalPostgres
from devstack.processes import Child, Supervisor, poll, run_to_end
from eventkit.kafka import KafkaUnavailable, ensure_topics, wait_for_kafka
from eventkit.topics import PARTITIONS

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("registry", "matching", "notifications")
DATABASES = ("registry", "matching", "notifications", "gateway")
REGISTRY_RELAY = "registry-relay"


@dataclass
class StackConfig:
    state_dir: Path
    cache_dir: Path = ROOT / ".cache"
    gateway_port: int = 8000
    gateway_ops_port: int = 8009  # the gateway's readiness and metrics, never public
    web_port: int = 8080
    service_ports: dict[str, int] = field(
        default_factory=lambda: {"registry": 8001, "matching": 8002, "notifications": 8003}
    )
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    postgres_port: int = 5432
    smtp_port: int = 1025
    smtp_http_port: int = 8025
    external_database_url: str | None = (
        None  # e.g. postgresql+asyncpg://user:pw@host:5432 (no database name)
    )
    durable: bool = True
    demo_mode: bool = True
    # None: the gateway's own default; a test session opens hundreds of accounts from one address.
    gateway_registrations_per_address: int | None = None
    kafka_timeout: float = 90.0
    internal_token_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    web_session_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # "separate": the registry's outbox relay runs as `python -m registry relay` beside `serve`, so
    # publishing neither slows requests nor waits behind them; "in-process": inside `serve`.
    registry_relay: str = "separate"

    @classmethod
    def on_free_ports(cls, state_dir: Path, **settings) -> StackConfig:
        """A throwaway platform for tests and benchmarks: every part on a free loopback port (so a
        running `make up` is never touched), nothing kept durable, any other setting as given."""
        from devstack.ports import free_port

        ports = {
            "web_port": free_port(),
            "gateway_port": free_port(),
            "gateway_ops_port": free_port(),
            "service_ports": {name: free_port() for name in SERVICES},
            "kafka_port": free_port(),
            "kafka_controller_port": free_port(),
            "postgres_port": free_port(),
            "smtp_port": free_port(),
            "smtp_http_port": free_port(),
        }
        return cls(
            state_dir=state_dir,
            **ports,
            **{"durable": False, "gateway_registrations_per_address": 100_000} | settings,
        )

    def ports(self) -> dict[str, int]:
        ports = {
            "web": self.web_port,
            "gateway": self.gateway_port,
            "gateway operations": self.gateway_ops_port,
            **self.service_ports,
            "kafka": self.kafka_port,
            "kafka controller": self.kafka_controller_port,
            "smtp": self.smtp_port,
            "smtp http": self.smtp_http_port,
        }
        if self.external_database_url is None:
            ports["postgresql"] = self.postgres_port
        return ports


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.supervisor = Supervisor(config.state_dir / "run")
        self.postgres = (
            None
            if config.external_database_url
            else LocalPostgres(
                data_dir=config.state_dir / "postgres",
                port=config.postgres_port,
                durable=config.durable,
            )
        )
        self.kafka = LocalKafka(
            libs_dir=config.cache_dir / "kafka" / "libs",
            data_dir=config.state_dir / "kafka",
            port=config.kafka_port,
            controller_port=config.kafka_controller_port,
        )
        # --- addresses ---------------------------------------------------------------------
        self.gateway_url = _loopback_url(config.gateway_port)
        self.gateway_ops_url = _loopback_url(config.gateway_ops_port)
        self.web_url = _loopback_url(config.web_port)
        self.mail_api_url = _loopback_url(config.smtp_http_port)

    def service_url(self, name: str) -> str:
        return _loopback_url(self.config.service_ports[name])

    def database_url(self, database: str) -> str:
        if self.config.external_database_url:
            return f"{self.config.external_database_url.rstrip('/')}/{database}"
        return self.postgres.url(database)

    def service_env(self, name: str) -> dict[str, str]:
        prefix = name.upper()
        if name == "web":
            return {
                "WEB_HTTP_HOST": "127.0.0.1",
                "WEB_HTTP_PORT": str(self.config.web_port),
                "WEB_GATEWAY_URL": self.gateway_url,
                "WEB_SESSION_SECRET": self.config.web_session_secret,
            }
        env = {
            f"{prefix}_HTTP_HOST": "127.0.0.1",
            f"{prefix}_INTERNAL_TOKEN_SECRET": self.config.internal_token_secret,
        }
        if name == "gateway":
            return env | {
                "GATEWAY_HTTP_PORT": str(self.config.gateway_port),
                "GATEWAY_OPS_HOST": "127.0.0.1",
                "GATEWAY_OPS_PORT": str(self.config.gateway_ops_port),
                # The web application tells the gateway its visitor's address; only it is trusted
                # to.
                "GATEWAY_TRUSTED_PROXIES": '["127.0.0.1"]',
                **(
                    {
                        "GATEWAY_REGISTRATIONS_PER_ADDRESS": str(
                            self.config.gateway_registrations_per_address
                        )
                    }
                    if self.config.gateway_registrations_per_address
                    else {}
                ),
                "GATEWAY_DEMO_MODE": str(self.config.demo_mode).lower(),
                "GATEWAY_JWT_SECRET": self.config.jwt_secret,
                "GATEWAY_WEB_BASE_URL": self.web_url,
                "GATEWAY_DATABASE_URL": self.database_url("gateway"),
                # Its consumer of the registry's events rebuilds a failed ownership write.
                "GATEWAY_KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap_servers,
                **{f"GATEWAY_{s.upper()}_URL": self.service_url(s) for s in SERVICES},
            }
        env |= {
            f"{prefix}_HTTP_PORT": str(self.config.service_ports[name]),
            f"{prefix}_DATABASE_URL": self.database_url(name),
            f"{prefix}_KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap_servers,
        }
        if name == "notifications":
            env |= {
                "NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
                "NOTIFICATIONS_SMTP_PORT": str(self.config.smtp_port),
                # The emails' links open the web application's pages.
                "NOTIFICATIONS_PUBLIC_BASE_URL": self.web_url,
                "NOTIFICATIONS_PUBLIC_API_URL": f"{self.gateway_url}/api/v1",
            }
        return env

    # --- lifecycle -------------------------------------------------------------------------
    def check_prerequisites(self) -> None:
        require_java_and_maven()
        require_free(self.config.ports())

    def start_infrastructure(self) -> None:
        if self.postgres:
            self.postgres.start()
            self.postgres.create_databases(list(DATABASES))
        kafka = self.kafka.start(self.supervisor)
        self.start_smtp_sink()
        self._await_kafka(kafka)

    def start_smtp_sink(self) -> Child:
        child = self.supervisor.start(
            "smtp-sink",
            [
                sys.executable,
                "-m",
                "devstack.smtp_sink",
                "--smtp-port",
                str(self.config.smtp_port),
                "--http-port",
                str(self.config.smtp_http_port),
                "--store",
                str(self.config.state_dir / "mail.jsonl"),
            ],
            cwd=ROOT,
        )
        self._await_http(child, f"{self.mail_api_url}/healthz", timeout=30)
        return child

    def stop_smtp_sink(self) -> None:
        self.supervisor.stop("smtp-sink")

    def migrate(self) -> None:
        for name in (*SERVICES, "gateway"):
            self._run_to_end(name, "migrate")

    def start_services(self) -> None:
        for name in SERVICES:
            self.start_service(name)
        self.start_service("gateway")
        self.start_service("web")

    def start_service(self, name: str) -> Child:
        env = self.service_env(name)
        relay = None
        if name == "registry" and self.config.registry_relay == "separate":
            env["REGISTRY_RELAY_ENABLED"] = "false"
            relay = self.supervisor.start(
                REGISTRY_RELAY, [sys.executable, "-m", "registry", "relay"], env=env, cwd=ROOT
            )
        child = self.supervisor.start(
            name, [sys.executable, "-m", name, "serve"], env=env, cwd=ROOT
        )
        url = {"gateway": f"{self.gateway_ops_url}/readyz", "web": f"{self.web_url}/healthz"}.get(
            name
        ) or f"{self.service_url(name)}/readyz"
        self._await_http(child, url, timeout=60)
        if relay is not None and not relay.alive():
            raise StackError(
                "the registry's relay exited while starting; last lines of "
                f"{relay.log_path}:\n{relay.log_tail()}"
            )
        return child

    def stop_service(self, name: str) -> None:
        self.supervisor.stop(name)
        if name == "registry":
            self.supervisor.stop(REGISTRY_RELAY)

    def stop(self) -> None:
        try:
            self.supervisor.stop_all()
        finally:
            if self.postgres:
                self.postgres.stop()

    # --- waiting ---------------------------------------------------------------------------
    def _await_kafka(self, child: Child) -> None:
        async def wait() -> None:
            await wait_for_kafka(self.kafka.bootstrap_servers, timeout=self.config.kafka_timeout)
            await ensure_topics(self.kafka.bootstrap_servers, PARTITIONS)

        try:
            asyncio.run(wait())
        except KafkaUnavailable as error:
            detail = "the broker exited" if not child.alive() else str(error)
            raise StackError(f"Kafka did not come up ({detail}); see {child.log_path}") from error

    def _await_http(self, child: Child, url: str, *, timeout: float) -> None:
        def answers() -> bool:
            if not child.alive():
                raise StackError(
                    f"{child.name} exited while starting; last lines of "
                    f"{child.log_path}:\n{child.log_tail()}"
                )
            try:
                return httpx.get(url, timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        if not poll(answers, timeout=timeout):
            raise StackError(
                f"{child.name} was not ready at {url} within {timeout:.0f}s; see {child.log_path}"
            )

    def _run_to_end(self, name: str, command: str) -> None:
        run_to_end(
            [sys.executable, "-m", name, command],
            failure=f"`python -m {name} {command}` failed",
            env={**os.environ, **self.service_env(name)},
            cwd=ROOT,
        )


def _loopback_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"
