from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """The matching service's settings, read from MATCHING_* environment variables at start-up."""

    model_config = SettingsConfigDict(env_prefix="MATCHING_")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/matching"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    consumer_group: str = "matching"
    http_host: str = "127.0.0.1"
    http_port: int = 8002
    internal_token_secret: SecretStr = Field(min_length=32)
    log_level: str = "INFO"
