"""One settings object for the whole app, read from `REPLAN_*` environment variables."""

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from replan import PROJECT_ROOT

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "replace-me", "dev"}


class Settings(BaseSettings):
    """Every setting of the app; see `.env.example` and the README for each one."""

    model_config = SettingsConfigDict(
        env_prefix="REPLAN_", env_file=".env", extra="ignore", validate_default=True
    )

    env: Literal["development", "test", "production"] = Field(
        "development", description="development, test or production"
    )
    data_dir: Path = Field(
        Path("data"), description="uploads, the default database and the secret key"
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default sqlite:///<data_dir>/replan.db"
    )
    meili_url: str | None = Field(None, description="Meilisearch URL; unset: the embedded engine")
    meili_key: SecretStr | None = Field(None, description="Meilisearch API key")
    meili_index: str = Field("cases", description="name (alias) of the Meilisearch index")
    secret_key: SecretStr | None = Field(
        None, description="signs sessions and CSRF tokens; required in production"
    )
    host: str = Field("127.0.0.1", description="address `replan serve` listens on")
    port: int = Field(8000, ge=1, le=65535, description="port `replan serve` listens on")
    base_url: str = Field("http://127.0.0.1:8000", description="public URL, used in e-mails")
    smtp_host: str | None = Field(None, description="SMTP server; unset: e-mails go to data/mail")
    smtp_port: int = Field(587, description="SMTP port")
    smtp_user: str | None = Field(None, description="SMTP user name")
    smtp_password: SecretStr | None = Field(None, description="SMTP password")
    smtp_from: str = Field("replan@localhost", description="sender address of e-mails")
    smtp_tls: bool = Field(True, description="use STARTTLS with the SMTP server")
    max_upload_mb: int = Field(20, ge=1, le=200, description="largest upload accepted, in MB")
    login_attempts: int = Field(5, ge=1, description="failed sign-ins allowed per 15 minutes")
    log_level: str = Field("INFO", description="logging level")
    log_format: Literal["auto", "json", "text"] = Field(
        "auto", description="request log lines: auto (JSON unless the output is a terminal)"
    )
    metrics_token: SecretStr | None = Field(
        None, description="bearer token for /metrics; unset: /metrics answers loopback only"
    )
    ready_outbox_lag_seconds: int = Field(
        300, ge=1, description="/readyz fails when a search change waits longer than this"
    )
    ready_mail_failures: int = Field(
        3, ge=1, description="/readyz fails after this many e-mails in a row could not be sent"
    )

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        if self.env == "production":
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < 32:
                raise ValueError(
                    "REPLAN_SECRET_KEY must be set to a random value of at least 32 characters "
                    "when REPLAN_ENV=production (for example: python -c "
                    "'import secrets; print(secrets.token_urlsafe(48))')"
                )
        if self.meili_key and not self.meili_url:
            raise ValueError("REPLAN_MEILI_KEY is set but REPLAN_MEILI_URL is not")
        return self

    @property
    def data_path(self) -> Path:
        path = self.data_dir if self.data_dir.is_absolute() else Path.cwd() / self.data_dir
        return path

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_path / 'replan.db'}"

    @property
    def upload_dir(self) -> Path:
        return self.data_path / "uploads"

    @property
    def search_index_path(self) -> Path:
        """The embedded search engine's own directory (rebuilt from the database at will)."""
        return self.data_path / "search-index"

    @cached_property
    def secret(self) -> str:
        """Return the signing secret: the setting, else a random one kept in the data dir."""
        if self.secret_key:
            return self.secret_key.get_secret_value()
        key_file = self.data_path / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.data_path.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key

    @property
    def templates_dir(self) -> Path:
        return PROJECT_ROOT / "templates"

    @property
    def static_dir(self) -> Path:
        return PROJECT_ROOT / "static"

    @property
    def seeds_dir(self) -> Path:
        return PROJECT_ROOT / "seeds"
