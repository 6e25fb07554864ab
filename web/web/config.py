from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

LANGUAGES = ("ru", "be", "en")


class Settings(BaseSettings):
    """The web application's settings, read from WEB_* environment variables at start-up."""

    model_config = SettingsConfigDict(env_prefix="WEB_")

    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # The public API this application is a client of, like any integrator.
    gateway_url: str = "http://127.0.0.1:8000"
    # Signs the session and CSRF cookies; a restart with a new secret only signs everyone out.
    session_secret: SecretStr = Field(min_length=32)
    # None: Secure cookies exactly when the request arrived over TLS (directly or, behind a
    # proxy, as uvicorn's --proxy-headers reports it).
    secure_cookies: bool | None = None
    # Proxies in front of this application (comma-separated addresses or networks) whose
    # X-Forwarded-For / X-Forwarded-Proto name the visitor; none by default, so nobody else can
    # pose as another visitor to the gateway's limits.
    forwarded_allow_ips: str = ""
    session_max_age_seconds: int = 30 * 24 * 3600
    gateway_timeout_seconds: float = 15.0
    # How long a reviewer's approve or reject waits in the browser before it is sent, so that
    # "undo" can still take it back (an approval sends emails: it cannot be recalled later).
    undo_seconds: int = 5
    default_language: str = "ru"
    # Only in demo mode may the session secret keep a value published in this repository.
    demo_mode: bool = False
    log_level: str = "INFO"
