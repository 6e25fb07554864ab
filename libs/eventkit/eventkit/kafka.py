"""Kafka plumbing the services share: readiness, topics, an idempotent producer, and a consumer loop
that commits offsets only after its handler has committed to the database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import CommitFailedError, KafkaError, KafkaTimeoutError
from aiokafka.helpers import create_ssl_context
from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    RetryError,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from eventkit.contracts import EventPayload, UndecodableEvent, decode
from eventkit.envelope import Envelope
from eventkit.topics import EVENT_TYPES, dead_letter

log = structlog.get_logger(__name__)

Handler = Callable[[Envelope, EventPayload], Awaitable[None]]
# Told (topic, why) of each message neither handled nor dead-lettered: the service counts it.
Skipped = Callable[[str, str], None]


class KafkaUnavailable(Exception):
    pass


class KafkaClientSettings(BaseSettings):
    """How an app's Kafka clients reach the brokers, under the app's prefix
    (`<APP>_KAFKA_SECURITY_PROTOCOL`, ...): no authentication by default, SASL (SCRAM) and TLS on
    a cluster whose listener asks for them (deploy/k8s's Strimzi KafkaUsers)."""

    model_config = SettingsConfigDict(use_attribute_docstrings=True)

    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    """Kafka listener's protocol: `PLAINTEXT` (no authentication), `SSL`, `SASL_PLAINTEXT` or
    `SASL_SSL`."""
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    """SASL mechanism, with a `SASL_*` protocol."""
    kafka_sasl_username: str | None = None
    """Kafka user name, required with a `SASL_*` protocol."""
    kafka_sasl_password: SecretStr | None = None
    """Kafka user's password, required with a `SASL_*` protocol."""
    kafka_ssl_cafile: Path | None = None
    """PEM file of the CA that signed the brokers' certificates, with `SSL` or `SASL_SSL`; unset:
    the system's CAs."""

    @model_validator(mode="after")
    def _sasl_has_credentials(self) -> KafkaClientSettings:
        uses_sasl = self.kafka_security_protocol.startswith("SASL")
        if uses_sasl and not (self.kafka_sasl_username and self.kafka_sasl_password):
            raise ValueError("a SASL Kafka protocol needs KAFKA_SASL_USERNAME and _PASSWORD")
        return self

    def kafka_security(self) -> KafkaSecurity:
        uses_sasl = self.kafka_security_protocol.startswith("SASL")
        return KafkaSecurity(
            protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism if uses_sasl else None,
            username=self.kafka_sasl_username if uses_sasl else None,
            password=self.kafka_sasl_password.get_secret_value() if uses_sasl else None,
            ca_file=self.kafka_ssl_cafile,
        )


@dataclass(frozen=True)
class KafkaSecurity:
    """The options every aiokafka client of an app gets (producer, consumer, admin)."""

    protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None

    def client_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.sasl_mechanism is not None:
            options |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        if self.protocol.endswith("SSL"):
            options["ssl_context"] = create_ssl_context(
                cafile=str(self.ca_file) if self.ca_file else None
            )
        return options


PLAINTEXT = KafkaSecurity()


async def wait_for_kafka(bootstrap_servers: str, *, timeout: float) -> None:
    """Waits until the broker answers a metadata request, not merely until its port opens."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=3000)
        try:
            await admin.start()
            cluster = await admin.describe_cluster()
            if cluster["brokers"]:
                return
        except (KafkaError, OSError) as error:
            last_error = error
        finally:
            await admin.close()
        await asyncio.sleep(0.5)
    raise KafkaUnavailable(
        f"Kafka at {bootstrap_servers} did not answer within {timeout:.0f}s ({last_error})"
    )


async def ensure_topics(bootstrap_servers: str, partitions: dict[str, int]) -> list[str]:
    """Creates the topics that are missing; returns the names it created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, count, 1) for name, count in partitions.items() if name not in existing
        ]
        if missing:
            await admin.create_topics(missing)
        return [topic.name for topic in missing]
    finally:
        await admin.close()


def idempotent_producer(
    bootstrap_servers: str, *, client_id: str, security: KafkaSecurity = PLAINTEXT
) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        **security.client_options(),
    )


async def kafka_is_reachable(producer: AIOKafkaProducer, *, timeout: float = 2.0) -> bool:
    try:
        metadata = await asyncio.wait_for(producer.client.fetch_all_metadata(), timeout)
    except (KafkaError, OSError, TimeoutError):
        return False
    return bool(metadata.brokers())


class EventConsumer:
    """Decodes and dispatches events to one handler.

    The handler owns its database transaction (and its idempotency by event_id); offsets are
    committed only after it returns. An event that cannot be decoded, of a type its topic does not
    carry (`accepts`, by default topics.EVENT_TYPES; a topic it does not name takes any contract),
    or whose handler keeps failing, goes to the topic's dead-letter topic with the reason, and the
    consumer moves on. A failure that `waits_out` names as the infrastructure's (the database down
    or restarting, say) is not the message's: the handler is tried again until it passes or the
    consumer stops, which then leaves the message uncommitted for the next owner. A message the
    dead-letter topic refuses (too large for it, say) is logged, counted through `skipped` and
    passed over: one message must not stop its partition for good.
    """

    def __init__(
        self,
        *,
        bootstrap_servers: str,
        group_id: str,
        topics: list[str],
        handle: Handler,
        dead_letters: AIOKafkaProducer,
        max_attempts: int = 5,
        retry_wait_max: float = 5.0,
        accepts: Mapping[str, Collection[str]] = EVENT_TYPES,
        skipped: Skipped | None = None,
        dead_letter_attempts: int = 3,
        waits_out: Callable[[BaseException], bool] = lambda failure: False,
        security: KafkaSecurity = PLAINTEXT,
    ) -> None:
        self._consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **security.client_options(),
        )
        self._handle = handle
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._retry_wait_max = retry_wait_max
        self._accepts = accepts
        self._skipped = skipped
        self._dead_letter_attempts = dead_letter_attempts
        self._waits_out = waits_out
        self._stopping = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        self._stopping = stop
        await self._consumer.start()
        try:
            while not stop.is_set():
                batches = await self._consumer.getmany(timeout_ms=200, max_records=200)
                for partition, messages in batches.items():
                    for message in messages:
                        await self._process(message)
                    await self._commit(partition, messages[-1].offset + 1)
        except _StoppedWaitingOut:
            pass  # nothing after the message that waited is committed: it is read again
        finally:
            await self._consumer.stop()

    async def _commit(self, partition: TopicPartition, next_offset: int) -> None:
        try:
            await self._consumer.commit({partition: next_offset})
        except CommitFailedError:
            # A rebalance took the partition away; its new owner re-reads and dedupes by event_id.
            log.warning(
                "offset_commit_lost_to_rebalance",
                topic=partition.topic,
                partition=partition.partition,
            )

    async def _process(self, message: ConsumerRecord) -> None:
        try:
            envelope, payload = decode(message.value)
        except UndecodableEvent as error:
            await self._send_to_dead_letters(message, str(error))
            return
        carried = self._accepts.get(message.topic)
        if carried is not None and envelope.type not in carried:
            await self._send_to_dead_letters(
                message, f"event type {envelope.type!r} does not belong on {message.topic}"
            )
            return
        try:
            async for attempt in AsyncRetrying(
                stop=self._gives_up,
                wait=wait_exponential_jitter(multiplier=0.2, max=self._retry_wait_max),
            ):
                with attempt:
                    await self._handle(envelope, payload)
        except RetryError as error:
            failure = error.last_attempt.exception()
            if failure is not None and self._waits_out(failure):
                raise _StoppedWaitingOut from failure
            reason = f"handler failed {self._max_attempts} times: {failure!r}"
            # A database error quotes the values it refused (an address, say): the log gets its kind
            # only.
            await self._send_to_dead_letters(
                message,
                reason,
                logged=f"handler failed {self._max_attempts} times: {type(failure).__name__}",
            )

    def _gives_up(self, retry_state: RetryCallState) -> bool:
        """After `max_attempts` for a failure of the message or its handler; for one the
        infrastructure causes (`waits_out`), only when the consumer is asked to stop."""
        failure = retry_state.outcome.exception() if retry_state.outcome else None
        if failure is not None and self._waits_out(failure):
            if retry_state.attempt_number == 1:
                log.warning("event_waits_for_infrastructure", error=type(failure).__name__)
            return self._stopping.is_set()
        return retry_state.attempt_number >= self._max_attempts

    async def _send_to_dead_letters(
        self, message: ConsumerRecord, reason: str, *, logged: str | None = None
    ) -> None:
        logged = logged or reason
        log.error(
            "event_dead_lettered",
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            reason=logged,
        )
        headers = [
            ("reason", reason.encode()),
            ("source_topic", message.topic.encode()),
            ("source_partition", str(message.partition).encode()),
            ("source_offset", str(message.offset).encode()),
        ]
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self._dead_letter_attempts),
                wait=wait_exponential_jitter(multiplier=0.2, max=self._retry_wait_max),
                retry=retry_if_exception(_may_pass_on_retry),
                reraise=True,
            ):
                with attempt:
                    await self._dead_letters.send_and_wait(
                        dead_letter(message.topic), message.value, key=message.key, headers=headers
                    )
        except (KafkaError, OSError) as error:
            # The message stays readable in its own topic at this offset; the log says where, never
            # what.
            log.error(
                "event_skipped_undeliverable_dead_letter",
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
                size=len(message.value or b""),
                reason=logged,
                error=type(error).__name__,
            )
            if self._skipped is not None:
                self._skipped(message.topic, type(error).__name__)


class _StoppedWaitingOut(Exception):
    """The consumer was asked to stop while a handler waited for the infrastructure to return."""


def _may_pass_on_retry(error: BaseException) -> bool:
    """A broker that is away may come back; a refusal of the message itself (too large, invalid)
    will not change."""
    return isinstance(error, OSError | KafkaTimeoutError) or (
        isinstance(error, KafkaError) and error.retriable
    )


async def keep_running(name: str, loop: Callable[[], Awaitable[None]], stop: asyncio.Event) -> None:
    """Restarts a worker loop after a failure (Kafka not up yet, say) until the service stops."""
    delay = 0.5
    while not stop.is_set():
        try:
            await loop()
            delay = 0.5
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("worker_failed", worker=name, retry_in=delay)
            try:
                await asyncio.wait_for(stop.wait(), delay)
            except TimeoutError:
                pass
            delay = min(delay * 2, 10)
