from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.cli import ServiceSettings

_REPOSITORY_DATA = Path(__file__).resolve().parents[3] / "data"


class Settings(ServiceSettings):
    """The registry's settings, read from REGISTRY_* environment variables when the service
    starts."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/registry"
    """SQLAlchemy URL of the service's own database (asyncpg driver)."""
    http_port: int = 8001
    """HTTP port."""
    data_dir: Path = _REPOSITORY_DATA
    """Folder with the sector taxonomy and regions."""
    relay_enabled: bool = True
    """Run the outbox relay inside `serve`; set `false` when the relay runs as its own process
    (`python -m registry relay`)."""
    relay_batch_size: int = 500
    """Outbox rows published per batch."""
    # The shortest time between two of the relay's passes over the outbox: a pass costs a
    # transaction, so under load fewer, fuller batches spare the CPU the requests share.
    relay_pass_interval_seconds: float = 0.1
    """Shortest time between two relay passes over the outbox (fuller batches under load)."""
    # Listings published while a transaction is under way are written together in the next one:
    # at most this many in one transaction, by at most this many transactions at a time.
    publish_batch_max: int = Field(default=64, ge=1)
    """Most listings written in one group-committed transaction."""
    publish_writers: int = Field(default=2, ge=1)
    """Transactions writing published listings at a time (group commit)."""
    max_body_bytes: int = 256 * 1024
    """Largest accepted request body (larger: 413)."""
    # The consumer of matching's events (the introductions behind GET /enterprises/{id}/partners):
    # inside `serve` when enabled, or alone as `python -m registry consume`.
    consumer_enabled: bool = True
    """Run the consumer of `matching.matches` (the introductions behind `GET
    /enterprises/{id}/partners`) inside `serve`; `false` when it runs as `python -m registry
    consume`."""
    consumer_group: str = "registry"
    """Kafka consumer group of the registry's consumer of `matching.matches`."""
    # Listings expire (domain/expiry.py): inside `serve` a sweep closes every listing whose
    # valid_until (a Moscow date) has passed and reminds owners this many days ahead, once per date;
    # `python -m registry expire-listings` runs one pass.
    expiry_enabled: bool = True
    """Run the sweep that closes listings past their `valid_until` (a Moscow date) and reminds
    owners ahead, inside `serve`."""
    expiry_interval_seconds: float = Field(default=600.0, gt=0)
    """Time between two passes of the expiry sweep."""
    expiry_reminder_days: int = Field(default=7, ge=0)
    """Owners are reminded this many days before a listing expires, once per date."""
