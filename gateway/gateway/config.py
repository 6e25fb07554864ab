import ipaddress

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from eventkit.kafka import KafkaClientSettings
from eventkit.published_secrets import (
    DEMO_JWT_SECRET,
    PreviousSecrets,
    previous_secrets_named,
    published_secrets_in_use,
)


class Settings(KafkaClientSettings):
    """The gateway's settings, read from GATEWAY_* environment variables at start-up."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", use_attribute_docstrings=True)

    http_host: str = "127.0.0.1"
    """Address the HTTP server binds."""
    http_port: int = 8000
    """HTTP port."""
    # The operations listener (readiness, metrics): never public, loopback unless a probe needs
    # more.
    ops_host: str = "127.0.0.1"
    """Address of the operations listener (`/readyz`, `/metrics`, `/healthz`), in the same process,
    never public."""
    ops_port: int = 8009
    """Port of the operations listener."""
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/gateway"
    """SQLAlchemy URL of the gateway's own database (accounts, the enterprises each company holds,
    refresh-token hashes)."""
    registry_url: str = "http://127.0.0.1:8001"
    """Base URL of the registry."""
    matching_url: str = "http://127.0.0.1:8002"
    """Base URL of matching."""
    notifications_url: str = "http://127.0.0.1:8003"
    """Base URL of notifications."""
    internal_token_secret: SecretStr = Field(min_length=32)
    """Key that signs internal tokens and verifies email-confirmation links; the same value as the
    services; at least 32 characters."""
    internal_token_previous_secrets: PreviousSecrets = []
    """Internal-token secrets still accepted while `GATEWAY_INTERNAL_TOKEN_SECRET` is rotated (a
    JSON list, each at least 32 characters): email-confirmation links they signed are read; the
    current secret signs (docs/OPERATIONS.md)."""
    internal_token_ttl_seconds: int = 60
    """Lifetime of an internal token."""
    jwt_secret: SecretStr = Field(default=SecretStr(DEMO_JWT_SECRET), min_length=32)
    """Key that signs users' access tokens (HS256); at least 32 characters."""
    jwt_previous_secrets: PreviousSecrets = []
    """JWT secrets still accepted while `GATEWAY_JWT_SECRET` is rotated (a JSON list, each at least
    32 characters): access tokens and password links they signed are read; the current secret
    signs (docs/OPERATIONS.md)."""
    access_token_ttl_seconds: int = 900
    """Lifetime of an access token."""
    refresh_token_ttl_days: int = 30
    """Lifetime of a refresh token."""
    ownership_cache_seconds: float = 10.0
    """How long an instance remembers which enterprises a company holds (it reads them again before
    refusing)."""
    # Kafka, to read the registry's enterprise events: an enterprise whose ownership write failed
    # after the registry's reply is bound to its company from `enterprise.registered`
    # (entrypoints/accounts/registry_events.py). None: no consumer (a gateway started without
    # Kafka).
    kafka_bootstrap_servers: str | None = None
    """Kafka brokers: the gateway reads the registry's `enterprise.registered` /
    `enterprise.deleted` (group `GATEWAY_CONSUMER_GROUP`, default `gateway`) and binds an
    enterprise to the company that registered it when the write after the registry's reply
    failed."""
    consumer_group: str = "gateway"
    """Kafka consumer group of the gateway's reader of the registry's enterprise events."""
    # How long the door trusts that a session lasts before asking the database again: the bound on
    # how long a signed-out access token still works through another gateway instance.
    session_cache_seconds: float = 5.0
    """How long an instance trusts that a session still lasts; the bound on how long a signed-out
    access token still works through another instance (the instance that signed it out refuses it
    at once)."""
    # Argon2id at OWASP's recommended floor (19 MiB, 2 passes): ~30 ms a hash here; raise on
    # machines that can afford it, hashes made with other costs keep verifying.
    argon2_time_cost: int = 2
    """Argon2id at OWASP's recommended floor (19 MiB, 2 passes): ~30 ms a hash here; raise on
    machines that can afford it, hashes made with other costs keep verifying."""
    argon2_memory_cost_kib: int = 19456
    """Argon2id memory per hash, KiB; hashes made with other costs keep verifying."""
    upstream_timeout_seconds: float = 10.0
    """Timeout of calls to the services."""
    breaker_failure_threshold: int = 5
    """Consecutive failures of a service before its circuit breaker opens (503 at once)."""
    breaker_cooldown_seconds: float = 5.0
    """Pause before an open breaker lets one probe through."""
    max_body_bytes: int = 256 * 1024
    """Largest accepted request body (larger: 413)."""
    # Generous for one address (offices share one behind NAT); a flood still meets the wall.
    rate_limit_ip_per_second: float = 100.0
    """Requests per second per client IP (token bucket, per instance; 429 with `Retry-After`)."""
    rate_limit_ip_burst: int = 1000
    """Burst per client IP."""
    rate_limit_account_per_second: float = 50.0
    """Requests per second per signed-in account."""
    rate_limit_account_burst: int = 500
    """Burst per account."""
    # Wrong passwords (sign-in, change-password), per (account, address) pair and per address, never
    # per account alone (that would let anyone lock its owner out): the first ones are free, each
    # further one doubles the wait from the first delay up to the longest; each failure is forgotten
    # over its time (a minute for a pair, 10 s for an address). A right password costs none.
    sign_in_free_failures_per_pair: int = 5
    """Wrong passwords (sign-in, change-password) free per (account, address) pair before waits
    start."""
    sign_in_free_failures_per_address: int = 30
    """Wrong passwords free per client address before waits start (never per account alone)."""
    sign_in_first_delay_seconds: float = 1.0
    """The first wait after the free failures, doubled at each further failure."""
    sign_in_longest_delay_seconds: float = 900.0
    """The longest wait after failed sign-ins."""
    sign_in_pair_failure_forgotten_seconds: float = 60.0
    """How long until one failure of an (account, address) pair is forgotten."""
    sign_in_address_failure_forgotten_seconds: float = 10.0
    """How long until one failure of an address is forgotten."""
    # Registrations (POST /auth/register) per address, given back over the window: 429 beyond.
    registrations_per_address: int = 20
    """Accounts opened per client address within the window (429 beyond)."""
    registration_window_seconds: float = 3600.0
    """The window over which registrations per address are given back."""
    # Where the agency's web console answers: the set-password link of an invitation opens there.
    web_base_url: str = "http://127.0.0.1:8080"
    """Public address of the web application: the base of the links in account emails
    (confirmation, set-password, password reset)."""
    set_password_link_ttl_hours: int = 72
    """How long a staff invitation's set-password link works."""
    # A forgotten password: its emailed link works for an hour (and once). Asking for it is limited
    # per address and per email like failed sign-ins, but every request counts, answered or not.
    password_reset_link_ttl_minutes: int = 60
    """How long a password-reset link works (once)."""
    password_resets_per_address: int = 30
    """Password-reset requests per client address within the window (429 beyond)."""
    password_resets_per_email: int = 3
    """Password-reset requests per email address within the window."""
    password_reset_window_seconds: float = 900.0
    """The window over which password-reset requests are given back."""
    # Account emails (sign-up, password reset, invitations) are kept in the gateway's database until
    # the notifications service takes them: the sender looks every poll interval (and at once after
    # a commit on this instance that kept one), up to a batch at a time; an email the service could
    # not take waits the first delay, doubled after each failure up to the longest.
    account_email_poll_seconds: float = 0.5
    """How often the sender of account emails looks for emails waiting in the gateway's database (a
    commit on this instance wakes it at once)."""
    account_email_batch_size: int = 20
    """Account emails handed to notifications per pass."""
    account_email_retry_first_seconds: float = 1.0
    """First wait before an account email notifications could not take is tried again."""
    account_email_retry_longest_seconds: float = 60.0
    """Longest wait between tries of an account email."""
    cors_origins: list[str] = []
    """Origins allowed to call the API from a browser, a JSON list:
    `'["https://unionmatch.example.org"]'`."""
    # Proxies (addresses or networks, a JSON list) whose Forwarded / X-Forwarded-For / X-Real-IP
    # name the client; from any other peer those headers are ignored. None by default.
    trusted_proxies: list[str] = []
    """Peers (JSON list of addresses or CIDRs) whose `Forwarded` / `X-Forwarded-For` / `X-Real-IP`
    name the client for the rate limits and throttles; anybody else's are ignored."""
    demo_mode: bool = False
    """Demo mode: see below."""
    log_level: str = "INFO"
    """Log level."""

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, proxies: list[str]) -> list[str]:
        for proxy in proxies:
            ipaddress.ip_network(proxy.strip(), strict=False)  # a ValueError names the bad entry
        return proxies

    def secrets(self) -> dict[str, SecretStr]:
        """The gateway's secrets, by their environment variable."""
        return {
            "GATEWAY_INTERNAL_TOKEN_SECRET": self.internal_token_secret,
            "GATEWAY_JWT_SECRET": self.jwt_secret,
            **previous_secrets_named(
                "GATEWAY_INTERNAL_TOKEN_PREVIOUS_SECRETS", self.internal_token_previous_secrets
            ),
            **previous_secrets_named("GATEWAY_JWT_PREVIOUS_SECRETS", self.jwt_previous_secrets),
        }

    def default_secrets_in_use(self) -> list[str]:
        """Names of the secrets still set to a value published in this repository."""
        return published_secrets_in_use(self.secrets())
