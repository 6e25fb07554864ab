from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from notifications.domain.plans import DEFAULT_AGENCY_EMAIL
from servicekit.cli import ServiceSettings


class Settings(ServiceSettings):
    """The notifications service's settings, read from NOTIFICATIONS_* environment variables at
    start-up."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/notifications"
    """SQLAlchemy URL of the service's own database (asyncpg driver)."""
    http_port: int = 8003
    """HTTP port."""
    consumer_group: str = "notifications"
    """Kafka consumer group of all notifications replicas."""
    smtp_host: str = "127.0.0.1"
    """SMTP server."""
    smtp_port: int = 1025
    """SMTP port."""
    smtp_starttls: bool = False
    """Upgrade the connection with STARTTLS."""
    smtp_username: str | None = None
    """SMTP login; unset means no login (an empty value is still sent)."""
    smtp_password: SecretStr | None = None
    """SMTP password."""
    smtp_timeout_seconds: float = 10.0
    """SMTP timeout."""
    # SMTP connections kept open by one instance: as many emails are on their way at once.
    smtp_connections: int = Field(default=4, ge=1, le=32)
    """SMTP connections one instance keeps open: as many emails are on their way at once."""
    mail_from: str = "Union Match <noreply@unionmatch.local>"
    """Sender of every email."""
    # How a company reaches the investment agency: the suspension email names it.
    agency_email: str = DEFAULT_AGENCY_EMAIL
    """How a company reaches the investment agency: the suspension email names it."""
    agency_phone: str | None = None
    """The agency's phone in the suspension email; unset: none."""
    public_base_url: str = "http://127.0.0.1:8000"
    """Public address of the gateway, the base of the links in emails (confirmation,
    unsubscribe)."""
    # The public API's address (the gateway's /api/v1), for bulk mail's one-click unsubscribe;
    # unset: public_base_url + /api/v1, where one proxy serves the pages and the API.
    public_api_url: str | None = None
    """Public address of the API (`…/api/v1`), the base of bulk mail's one-click `List-Unsubscribe`
    (RFC 8058), which mail providers POST to."""
    max_attempts: int = 8
    """Sending attempts before an email is marked `dead` (and published to
    `notifications.deliveries.dlq`)."""
    retry_base_seconds: float = 2.0
    """First delay of the exponential back-off between attempts (with jitter)."""
    retry_cap_seconds: float = 300.0
    """Longest delay between attempts."""
    sending_lease_seconds: float = 30.0
    """How long a replica holds an email it is sending before another may send it again (after a
    crash)."""
    sender_poll_seconds: float = 0.2
    """How often an idle sender looks for due emails (a new event wakes it at once)."""
    # How long a match email waits for its recipient's registration event before it is given up.
    recipient_wait_max_seconds: float = 7 * 24 * 3600
    """How long a match email waits for its recipient's registration event before it is given up
    (`dead`)."""
    reminder_after_seconds: float = 3 * 24 * 3600
    """A suggestion unanswered this long gets one `reminder` email per side."""
    digest_hour_utc: int = Field(default=7, ge=0, le=23)
    """Hour (0-23, UTC) of the daily digest, for enterprises that chose `daily` suggestions."""
    housekeeping_interval_seconds: float = 1.0
    """How often the sender looks for due reminders and digests."""
    send_batch_size: int = 50
    """Emails claimed per sender pass."""
