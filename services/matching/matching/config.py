from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from servicekit.cli import ServiceSettings

_REPOSITORY_DATA = Path(__file__).resolve().parents[3] / "data"


class WeightSettings(BaseModel):
    """The weight of each score component (MATCHING_WEIGHTS__TEXT=0.4, ...); they need not add up to
    one."""

    sector: float = Field(0.15, ge=0)
    codes: float = Field(0.15, ge=0)
    text: float = Field(0.30, ge=0)
    geography: float = Field(0.15, ge=0)
    quantity: float = Field(0.15, ge=0)
    certifications: float = Field(0.05, ge=0)
    language: float = Field(0.05, ge=0)


class Settings(ServiceSettings):
    """The matching service's settings, read from MATCHING_* environment variables at start-up."""

    model_config = SettingsConfigDict(env_prefix="MATCHING_", env_nested_delimiter="__")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/matching"
    http_port: int = 8002
    consumer_group: str = "matching"
    data_dir: Path = _REPOSITORY_DATA
    weights: WeightSettings = WeightSettings()
    threshold: float = Field(0.5, ge=0, le=1)  # a pair scoring below it is not proposed
    max_proposed_per_listing: int = Field(5, ge=1)
    max_distance_km: float = Field(1200.0, gt=0)
    cross_border_bonus: float = Field(0.25, ge=0, le=1)
    relay_enabled: bool = True
    relay_batch_size: int = 500
