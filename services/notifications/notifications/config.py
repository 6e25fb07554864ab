from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from notifications.domain.plans import DEFAULT_AGENCY_EMAIL
from servicekit.cli import ServiceSettings


class Settings(ServiceSettings):
    """The notifications service's settings, read from NOTIFICATIONS_* environment variables at
    start-up."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/notifications"
    http_port: int = 8003
    consumer_group: str = "notifications"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 10.0
    # SMTP connections kept open by one instance: as many emails are on their way at once.
    smtp_connections: int = Field(default=4, ge=1, le=32)
    mail_from: str = "Union Match <noreply@unionmatch.local>"
    # How a company reaches the investment agency: the suspension email names it.
    agency_email: str = DEFAULT_AGENCY_EMAIL
    agency_phone: str | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    # The public API's address (the gateway's /api/v1), for bulk mail's one-click unsubscribe;
    # unset: public_base_url + /api/v1, where one proxy serves the pages and the API.
    public_api_url: str | None = None
    max_attempts: int = 8
    retry_base_seconds: float = 2.0
    retry_cap_seconds: float = 300.0
    sending_lease_seconds: float = 30.0
    sender_poll_seconds: float = 0.2
    # How long a match email waits for its recipient's registration event before it is given up.
    recipient_wait_max_seconds: float = 7 * 24 * 3600
    reminder_after_seconds: float = 3 * 24 * 3600
    digest_hour_utc: int = Field(default=7, ge=0, le=23)
    housekeeping_interval_seconds: float = 1.0
    send_batch_size: int = 50
