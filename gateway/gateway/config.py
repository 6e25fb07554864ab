from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """The gateway's settings, read from GATEWAY_* environment variables at start-up."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_")

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    registry_url: str = "http://127.0.0.1:8001"
    matching_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    internal_token_secret: SecretStr = Field(min_length=32)
    internal_token_ttl_seconds: int = 60
    upstream_timeout_seconds: float = 10.0
    breaker_failure_threshold: int = 5
    breaker_cooldown_seconds: float = 5.0
    max_body_bytes: int = 256 * 1024
    demo_mode: bool = False
    log_level: str = "INFO"
