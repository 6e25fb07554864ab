from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from servicekit.cli import ServiceSettings

_REPOSITORY_DATA = Path(__file__).resolve().parents[3] / "data"


class WeightSettings(BaseModel):
    """The weight of each score component (MATCHING_WEIGHTS__TEXT=0.4, ...); they need not add up to
    one."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    sector: float = Field(0.15, ge=0)
    """Weight of the shared sector."""
    codes: float = Field(0.15, ge=0)
    """Weight of shared product (HS / TN VED) code prefixes."""
    text: float = Field(0.30, ge=0)
    """Weight of the text similarity (ru, be, en)."""
    geography: float = Field(0.15, ge=0)
    """Weight of the distance between the cities."""
    quantity: float = Field(0.15, ge=0)
    """Weight of capacity against volume."""
    certifications: float = Field(0.05, ge=0)
    """Weight of the certifications the need requires."""
    language: float = Field(0.05, ge=0)
    """Weight of a shared language."""


class Settings(ServiceSettings):
    """The matching service's settings, read from MATCHING_* environment variables at start-up."""

    model_config = SettingsConfigDict(env_prefix="MATCHING_", env_nested_delimiter="__")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/matching"
    """SQLAlchemy URL of the service's own database (asyncpg driver)."""
    http_port: int = 8002
    """HTTP port."""
    consumer_group: str = "matching"
    """Kafka consumer group of all matching replicas."""
    data_dir: Path = _REPOSITORY_DATA
    """Folder with the sector taxonomy and cities."""
    weights: WeightSettings = WeightSettings()
    """Weight of each score component (see the `MATCHING_WEIGHTS__*` variables), or all at once
    as JSON."""
    threshold: float = Field(0.5, ge=0, le=1)  # a pair scoring below it is not proposed
    """Lowest score (0..1) of a pair that is proposed."""
    max_proposed_per_listing: int = Field(5, ge=1)
    """At most this many proposed matches per listing."""
    max_distance_km: float = Field(1200.0, gt=0)
    """Geography is worth 0 beyond this distance."""
    cross_border_bonus: float = Field(0.25, ge=0, le=1)
    """Preference (0..1) for RU<->BY pairs in the geography component; `0` turns it off."""
    relay_enabled: bool = True
    """Publish matching's outbox (`match.*` events) from `serve`."""
    relay_batch_size: int = 500
    """Outbox rows published per batch."""
