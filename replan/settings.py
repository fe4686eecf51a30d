"""One settings object for the whole app, read from `REPLAN_*` environment variables."""

import re
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from limits import parse as parse_limit
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="host names the app answers to, comma-separated (`*.example.org` allowed); "
        "unset: the host of the base URL, localhost and 127.0.0.1 (and testserver when "
        "REPLAN_ENV=test)",
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
    max_body_kb: int = Field(
        1024, ge=16, description="largest request body accepted where no upload is expected, in KB"
    )
    login_attempts: int = Field(
        5, ge=1, description="failed sign-ins allowed per account from one address per 15 minutes"
    )
    session_idle_hours: int = Field(
        72, ge=1, le=24 * 90, description="a session unused this many hours ends"
    )
    session_max_days: int = Field(
        14, ge=1, le=365, description="a session ends this many days after sign-in, used or not"
    )
    rate_limits: bool = Field(True, description="apply the rate limits below (per client address)")
    rate_limit_storage: str = Field(
        "memory://", description="where hits are counted: memory://, redis://..., memcached://..."
    )
    rate_limit_api: str = Field("600/minute", description="requests to /api/ per address")
    rate_limit_specs: str = Field("100/hour", description="specs created per address")
    rate_limit_exports: str = Field(
        "60/minute", description="exports (specs, search results) per address"
    )
    rate_limit_contact: str = Field(
        "10/hour", description="messages sent through organisations' contact forms per address"
    )
    rate_limit_login_address: str = Field(
        "50 per 15 minutes", description="sign-in attempts per address, any account"
    )
    rate_limit_login_account: str = Field(
        "30 per 15 minutes", description="sign-in attempts per account, any address"
    )
    spec_evidence_cases: int = Field(
        50, ge=0, le=1000, description="case studies listed in a spec's market evidence"
    )
    export_cache: bool = Field(True, description="keep rendered spec exports in data/cache")
    db_busy_timeout_ms: int = Field(
        5000, ge=0, description="how long a write waits for a locked SQLite database"
    )
    import_batch: int = Field(
        500, ge=1, description="records `replan import` commits per transaction"
    )
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
    catalog_title: str = Field(
        "RE-PLAN City Life open data",
        min_length=1,
        description="title of the open-data catalogue (/catalog.ttl, /catalog.jsonld)",
    )
    catalog_publisher: str = Field(
        "RE-PLAN City Life project",
        min_length=1,
        description="publisher named in the open-data catalogue, the feed and the case pages",
    )
    data_licence_url: str = Field(
        "https://creativecommons.org/licenses/by/4.0/",
        pattern=r"^https?://\S+$",
        description="licence of the published case studies and criteria (catalogue, case pages)",
    )
    data_licence_name: str = Field(
        "CC BY 4.0", min_length=1, description="short name of that licence, shown on the pages"
    )

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [host.strip() for host in value.split(",") if host.strip()]
        return value

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
        for name in (
            "rate_limit_api",
            "rate_limit_specs",
            "rate_limit_exports",
            "rate_limit_contact",
            "rate_limit_login_address",
            "rate_limit_login_account",
        ):
            try:
                parse_limit(getattr(self, name))
            except ValueError as exc:
                raise ValueError(f"REPLAN_{name.upper()}: {exc}") from exc
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
    def trusted_hosts(self) -> list[str]:
        """Return the Host header values the app answers (others get 400)."""
        if self.allowed_hosts:
            return list(self.allowed_hosts)
        hosts = {urlsplit(self.base_url).hostname or "127.0.0.1", "localhost", "127.0.0.1"}
        if self.env == "test":
            hosts.add("testserver")  # the host name of Starlette's test client
        return sorted(hosts)

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
