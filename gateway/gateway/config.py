import ipaddress

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from eventkit.published_secrets import DEMO_JWT_SECRET, published_secrets_in_use


class Settings(BaseSettings):
    """The gateway's settings, read from GATEWAY_* environment variables at start-up."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_")

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # The operations listener (readiness, metrics): never public, loopback unless a probe needs
    # more.
    ops_host: str = "127.0.0.1"
    ops_port: int = 8009
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/gateway"
    registry_url: str = "http://127.0.0.1:8001"
    matching_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    internal_token_secret: SecretStr = Field(min_length=32)
    internal_token_ttl_seconds: int = 60
    jwt_secret: SecretStr = Field(default=SecretStr(DEMO_JWT_SECRET), min_length=32)
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_days: int = 30
    ownership_cache_seconds: float = 10.0
    # Kafka, to read the registry's enterprise events: an enterprise whose ownership write failed
    # after the registry's reply is bound to its company from `enterprise.registered`
    # (entrypoints/accounts/registry_events.py). None: no consumer (a gateway started without
    # Kafka).
    kafka_bootstrap_servers: str | None = None
    consumer_group: str = "gateway"
    # How long the door trusts that a session lasts before asking the database again: the bound on
    # how long a signed-out access token still works through another gateway instance.
    session_cache_seconds: float = 5.0
    # Argon2id at OWASP's recommended floor (19 MiB, 2 passes): ~30 ms a hash here; raise on
    # machines that can afford it, hashes made with other costs keep verifying.
    argon2_time_cost: int = 2
    argon2_memory_cost_kib: int = 19456
    upstream_timeout_seconds: float = 10.0
    breaker_failure_threshold: int = 5
    breaker_cooldown_seconds: float = 5.0
    max_body_bytes: int = 256 * 1024
    # Generous for one address (offices share one behind NAT); a flood still meets the wall.
    rate_limit_ip_per_second: float = 100.0
    rate_limit_ip_burst: int = 1000
    rate_limit_account_per_second: float = 50.0
    rate_limit_account_burst: int = 500
    # Wrong passwords (sign-in, change-password), per (account, address) pair and per address, never
    # per account alone (that would let anyone lock its owner out): the first ones are free, each
    # further one doubles the wait from the first delay up to the longest; each failure is forgotten
    # over its time (a minute for a pair, 10 s for an address). A right password costs none.
    sign_in_free_failures_per_pair: int = 5
    sign_in_free_failures_per_address: int = 30
    sign_in_first_delay_seconds: float = 1.0
    sign_in_longest_delay_seconds: float = 900.0
    sign_in_pair_failure_forgotten_seconds: float = 60.0
    sign_in_address_failure_forgotten_seconds: float = 10.0
    # Registrations (POST /auth/register) per address, given back over the window: 429 beyond.
    registrations_per_address: int = 20
    registration_window_seconds: float = 3600.0
    # Where the agency's web console answers: the set-password link of an invitation opens there.
    web_base_url: str = "http://127.0.0.1:8080"
    set_password_link_ttl_hours: int = 72
    # A forgotten password: its emailed link works for an hour (and once). Asking for it is limited
    # per address and per email like failed sign-ins, but every request counts, answered or not.
    password_reset_link_ttl_minutes: int = 60
    password_resets_per_address: int = 30
    password_resets_per_email: int = 3
    password_reset_window_seconds: float = 900.0
    # Account emails (sign-up, password reset, invitations) are kept in the gateway's database until
    # the notifications service takes them: the sender looks every poll interval (and at once after
    # a commit on this instance that kept one), up to a batch at a time; an email the service could
    # not take waits the first delay, doubled after each failure up to the longest.
    account_email_poll_seconds: float = 0.5
    account_email_batch_size: int = 20
    account_email_retry_first_seconds: float = 1.0
    account_email_retry_longest_seconds: float = 60.0
    cors_origins: list[str] = []
    # Proxies (addresses or networks, a JSON list) whose Forwarded / X-Forwarded-For / X-Real-IP
    # name the client; from any other peer those headers are ignored. None by default.
    trusted_proxies: list[str] = []
    demo_mode: bool = False
    log_level: str = "INFO"

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
        }

    def default_secrets_in_use(self) -> list[str]:
        """Names of the secrets still set to a value published in this repository."""
        return published_secrets_in_use(self.secrets())
