"""One settings object for the whole app, read from `REPLAN_*` environment variables."""

import re
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from replan import PROJECT_ROOT

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
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
    base_url: str | None = Field(
        None, description="public URL, used in e-mails; default http://<host>:<port>"
    )
    map_tiles: str = Field(
        OSM_TILES,
        description="URL template of the map tiles ({z}, {x}, {y}; {s} for subdomains); empty: "
        "no base map",
    )
    map_attribution: str = Field(
        "© OpenStreetMap contributors", description="credit line shown on maps for the tiles"
    )
    smtp_host: str | None = Field(None, description="SMTP server; unset: e-mails go to data/mail")
    smtp_port: int = Field(587, description="SMTP port")
    smtp_user: str | None = Field(None, description="SMTP user name")
    smtp_password: SecretStr | None = Field(None, description="SMTP password")
    smtp_from: str = Field("replan@localhost", description="sender address of e-mails")
    smtp_tls: bool = Field(True, description="use STARTTLS with the SMTP server")
    max_upload_mb: int = Field(20, ge=1, le=200, description="largest upload accepted, in MB")
    login_attempts: int = Field(5, ge=1, description="failed sign-ins allowed per 15 minutes")
    log_level: str = Field("INFO", description="logging level")

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
        self.map_tiles = self.map_tiles.strip()
        if self.map_tiles and not (
            re.match(r"^(https?://[^/\s]+)?/\S*$", self.map_tiles)
            and all(f"{{{p}}}" in self.map_tiles for p in "zxy")
        ):
            raise ValueError(
                "REPLAN_MAP_TILES must be an http(s) URL (or a path on this site) with {z}, {x} "
                f"and {{y}}, e.g. {OSM_TILES}, or empty for no base map"
            )
        if not self.base_url:
            self.base_url = f"http://{_url_host(self.host)}:{self.port}"
        self.base_url = self.base_url.rstrip("/")
        return self

    @property
    def map_tiles_origin(self) -> str | None:
        """Return the origin the CSP must allow images from for the tiles (None: this site)."""
        match = re.match(r"^(https?)://([^/]+)", self.map_tiles)
        if not match:
            return None
        host = re.sub(r"^\{s\}\.", "*.", match.group(2))  # {s}.tile.example -> *.tile.example
        return f"{match.group(1)}://{host}"

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


def _url_host(host: str) -> str:
    """Return how a listening address is written in a URL (a wildcard address: this machine)."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
