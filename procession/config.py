"""Settings, read once from the environment (and `.env`), passed into `create_app()`."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-key-change-me"


class Settings(BaseSettings):
    """Every setting Procession reads, from `PROCESSION_<NAME>` environment variables (and
    `.env`); the database URL is read from `DATABASE_URL`."""

    model_config = SettingsConfigDict(
        env_prefix="PROCESSION_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        "sqlite:///var/procession.db",
        validation_alias=AliasChoices("DATABASE_URL", "PROCESSION_DATABASE_URL"),
    )
    """SQLAlchemy URL. `sqlite:///path` (default) or `postgresql+psycopg://user:pass@host/db`."""
    host: str = "127.0.0.1"
    port: int = 8000
    demo_env_file: Path = Path("var/demo.env")
    """Where `procession demo` writes PROCESSION_ORG and PROCESSION_TOKEN."""
    require_client_header: bool = False
    """When true, a request without an `X-Tallyfy-Client` header answers 401 (strict mode)."""
    db_pool_size: int = 10
    """Connections kept per worker (PostgreSQL; SQLite keeps one per concurrent request)."""
    sqlite_driver: Literal["inline", "aiosqlite"] = "inline"
    """How the server reaches SQLite: `inline` runs each statement on the event loop
    (`db/inline_sqlite.py`; writers of one process take turns on an asyncio lock);
    `aiosqlite` on a worker thread per connection, where concurrent writers wait in SQLite's
    busy handler (bench/: 2-3x slower reads, writes timing out under load)."""
    log_level: str = "info"
    rate_limit: str = "6000/minute"
    """Requests per organization, in `limits` notation; several windows with `;` (Tallyfy's
    own: `100/minute;1000/hour`). Empty turns rate limiting off."""
    max_body_bytes: int = 1_048_576
    """Larger request bodies are refused with 413."""
    environment: Literal["development", "production"] = "development"
    """`production` refuses to start with the built-in secret key."""
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    """Signs the admin pages' session cookies. Set your own (`openssl rand -hex 32`)."""
    session_max_age: int = 8 * 3600
    """Seconds an admin-page sign-in lasts."""
    background_jobs: bool = True
    """Run webhook delivery, bulk jobs and scheduled retention inside the server. Turn off
    when `procession worker` runs them instead."""
    poll_seconds: float = 1.0
    """How often background jobs look for new work when idle."""
    retention_interval_minutes: int = 0
    """Apply every organization's retention policy this often (0: never on a schedule; run
    `procession retention run` from cron instead)."""
    webhook_max_attempts: int = 8
    """Attempts before a webhook delivery is dead-lettered."""
    webhook_timeout_seconds: float = 10.0
    """How long a receiver has to answer one delivery."""
    webhook_retry_base_seconds: float = 10.0
    """Wait after a delivery's first failed attempt; it doubles after each further failure
    (at most an hour)."""
    files_dir: Path = Path("var/files")
    """Where uploaded files are stored (one file per asset, named by its id), next to the
    default SQLite database under `var/`."""
    max_upload_bytes: int = 100 * 1024 * 1024
    """The largest file an upload may carry (Tallyfy's own limit is 100 MB); larger ones are
    refused with 413 while they stream in. Uploads are exempt from `max_body_bytes`."""
    bulk_sync_limit: int = 100
    """Bulk operations over at most this many objects answer at once; larger ones run as a
    background job."""

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> "Settings":
        if self.environment != "development" and (
            self.secret_key.get_secret_value() == DEVELOPMENT_SECRET
        ):
            raise ValueError("PROCESSION_SECRET_KEY must be set outside development")
        return self

    @field_validator("database_url")
    @classmethod
    def _normalise_driver(cls, url: str) -> str:
        """Accept the URLs people type and name the drivers Procession runs on."""
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        if url.startswith("sqlite+aiosqlite://"):
            return "sqlite://" + url[len("sqlite+aiosqlite://") :]
        if not url.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("DATABASE_URL must start with sqlite:// or postgresql+psycopg://")
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def async_database_url(self) -> str:
        """The URL for the async engine the app serves requests with."""
        if self.is_sqlite:
            return f"sqlite+{self.sqlite_driver}://" + self.database_url[len("sqlite://") :]
        return self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
