from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from eventkit.published_secrets import PreviousSecrets

LANGUAGES = ("ru", "be", "en")


class Settings(BaseSettings):
    """The web application's settings, read from WEB_* environment variables at start-up."""

    model_config = SettingsConfigDict(env_prefix="WEB_", use_attribute_docstrings=True)

    http_host: str = "127.0.0.1"
    """Address the HTTP server binds."""
    http_port: int = 8080
    """HTTP port."""
    ops_host: str = "127.0.0.1"
    """Address of the operations listener (`/healthz`, `/readyz`, `/metrics`), served by the same
    process; loopback unless told."""
    ops_port: int | None = None
    """Port of the operations listener; none by default: then no /metrics is served at all, and
    the probes ask the public port's `/healthz` and `/readyz`."""
    # The public API this application is a client of, like any integrator.
    gateway_url: str = "http://127.0.0.1:8000"
    """The public API this application is a client of (the gateway), like any integrator."""
    # Signs the session and CSRF cookies; a restart with a new secret only signs everyone out.
    session_secret: SecretStr = Field(min_length=32)
    """Signs the session and CSRF cookies (at least 32 characters); a new value only signs everyone
    out."""
    session_previous_secrets: PreviousSecrets = []
    """Session secrets still accepted while `WEB_SESSION_SECRET` is rotated (a JSON list, each at
    least 32 characters): cookies they signed are read, new ones are signed with the current
    secret (docs/OPERATIONS.md)."""
    # None: Secure cookies exactly when the request arrived over TLS (directly or, behind a
    # proxy, as uvicorn's --proxy-headers reports it).
    secure_cookies: bool | None = None
    """Mark cookies Secure; unset: exactly when the request arrived over TLS (directly or as the
    proxy headers report it)."""
    # Proxies in front of this application (comma-separated addresses or networks) whose
    # X-Forwarded-For / X-Forwarded-Proto name the visitor; none by default, so nobody else can
    # pose as another visitor to the gateway's limits.
    forwarded_allow_ips: str = ""
    """Proxies in front of the web application (comma-separated addresses or networks) whose
    `X-Forwarded-For` / `X-Forwarded-Proto` name the visitor; none by default."""
    session_max_age_seconds: int = 30 * 24 * 3600
    """How long a signed-in session lasts."""
    gateway_timeout_seconds: float = 15.0
    """Timeout of calls to the gateway."""
    # How long a reviewer's approve or reject waits in the browser before it is sent, so that
    # "undo" can still take it back (an approval sends emails: it cannot be recalled later).
    undo_seconds: int = 5
    """How long a reviewer's approve or reject waits in the browser before it is sent, so that undo
    can take it back."""
    default_language: str = "ru"
    """Language of the pages when the visitor chose none (`ru`, `be` or `en`)."""
    # Only in demo mode may the session secret keep a value published in this repository.
    demo_mode: bool = False
    """Demo mode: the session secret may keep a value published in this repository."""
    log_level: str = "INFO"
    """Log level."""
