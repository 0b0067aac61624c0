"""Settings from environment variables and .streamlit/secrets.toml (environment wins)."""

from functools import lru_cache
from typing import Annotated
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict,
                               TomlConfigSettingsSource)

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SECRETS_FILE = ROOT / ".streamlit" / "secrets.toml"
VENDOR_NAMES = {"OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OLLAMA_HOST"}


class Settings(BaseSettings):
    """Every knob ContentCraft reads, with the names users set in env or secrets.toml."""

    model_config = SettingsConfigDict(env_prefix="CONTENTCRAFT_", extra="ignore", populate_by_name=True)

    database_url: str = f"sqlite:///{DATA_DIR / 'contentcraft.db'}"
    provider: str = "local"
    model: str | None = None
    fallback: Annotated[list[str], NoDecode] = Field(default_factory=list)
    rate_limit: int = Field(60, ge=1, description="Generations per user per minute.")
    cache_ttl: int = Field(600, ge=0, description="Seconds a generated result is reused.")
    redis_url: str | None = None
    local_model_path: str | None = None
    local_context: int = 4096
    local_threads: int | None = None
    local_idle_seconds: float = Field(300.0, gt=0, description="Seconds an unused local model stays loaded.")
    timeout: float = Field(120.0, gt=0, description="Seconds before a provider call is abandoned.")
    max_retries: int = Field(2, ge=0, description="SDK-level retries for 429/5xx.")
    max_tokens: int = 2048
    log_level: str = "INFO"
    default_tone: str = "friendly"
    default_language: str = "en"
    ui_language: str | None = Field(None, description="Dashboard language when neither the user nor the browser "
                                                      "names one of ours (en fa ar de es fr it ja ko zh).")
    seo_schema: bool = Field(True, description="Add schema.org JSON-LD to every item.")
    seo_internal_links: bool = Field(True, description="Suggest internal links from the connected site.")
    seo_alt_text: bool = Field(True, description="Let the model write image alt text (else the product title).")
    api_cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Extra browser origins the API answers (connected WordPress sites always).")
    api_max_body_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="Largest API request body, in bytes.")
    api_rate_limit: int | None = Field(None, ge=1, description="API calls per token per minute (default: rate_limit).")
    admin_email: str | None = Field(None, description="First admin, created at start when no user exists.")
    admin_password: SecretStr | None = None
    secret_key: SecretStr | None = Field(None, description="Fernet key for secrets kept in the DB.")
    trust_proxy_headers: bool = Field(False, description="Take the client address from X-Forwarded-For "
                                                         "(only behind your own reverse proxy).")
    custom_base_url: str | None = Field(None, description="The OpenAI-compatible server of the 'custom' provider.")
    custom_api_key: SecretStr | None = Field(None, description="The custom server's key; never the OpenAI key.")

    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, validation_alias="OPENAI_BASE_URL")
    anthropic_api_key: SecretStr | None = Field(None, validation_alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = Field(None, validation_alias="ANTHROPIC_BASE_URL")
    ollama_host: str | None = Field(None, validation_alias="OLLAMA_HOST")

    @field_validator("fallback", "api_cors_origins", mode="before")
    @classmethod
    def _split_comma_list(cls, value):
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        secrets = TomlConfigSettingsSource(settings_cls, toml_file=SECRETS_FILE)
        return init_settings, env_settings, _UpperCaseToml(secrets), file_secret_settings


class _UpperCaseToml(PydanticBaseSettingsSource):
    """Reads secrets.toml keys written as env names (CONTENTCRAFT_PROVIDER, OPENAI_API_KEY)."""

    def __init__(self, inner: TomlConfigSettingsSource):
        super().__init__(inner.settings_cls)
        self.inner = inner

    def get_field_value(self, field, field_name):  # pragma: no cover - unused by __call__
        return None, field_name, False

    def __call__(self) -> dict:
        values = {}
        for key, value in self.inner.toml_data.items():
            name = key.lower().removeprefix("contentcraft_")
            values[name.upper() if name.upper() in VENDOR_NAMES else name] = value
        return values


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
