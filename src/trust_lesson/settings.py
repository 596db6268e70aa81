"""One settings class, read from the environment (prefix ``TL_``)."""

import os
import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    LOCAL = "local"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Everything that changes between machines. Embedded defaults need nothing set."""

    model_config = SettingsConfigDict(env_prefix="TL_", env_file=".env", extra="ignore")

    env: Environment = Environment.LOCAL
    data_dir: Path = Path("./var")
    database_url: str | None = None
    redis_url: str | None = None
    blob_url: str | None = None
    embedded_worker: bool | None = Field(
        default=None,
        description="`serve` runs the worker in a child process; default: only without Redis",
    )
    worker_threads: int = Field(
        default_factory=lambda: min(os.cpu_count() or 1, 8),
        ge=1,
        le=32,
        description="threads of the embedded worker's process: one per core (vision releases "
        "the GIL)",
    )
    secret_key: str | None = Field(default=None, min_length=32)

    registration_open: bool = True
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    login_failure_limit: str = "100/hour"
    login_address_limit: str = "10/minute"
    registration_address_limit: str = "30/hour"
    trusted_proxies: str = Field(
        default="",
        description="comma-separated addresses of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed; none by default (the client address is the peer's)",
    )
    max_request_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    max_page_size: int = Field(default=200, ge=1)
    storage_quota_mb: int = Field(
        default=1024,
        ge=1,
        description="pictures one person may have stored at once (MiB); uploads past it: 413",
    )
    identity_document_retention_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="identity document photos and selfies are deleted this long after the "
        "verification was decided (the outcome stays)",
    )
    evidence_origin: str = Field(
        default="localhost/trust-lesson",
        pattern=r"^[^\s+]+$",
        description="the log's name in checkpoints, a schema-less URL (school.example/tl)",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^\s]+$",
        description="where people reach the service; certificates point at its status list",
    )
    evidence_signing_key: str | None = Field(
        default=None, description="Multikey Ed25519 private key (z3u2...); default: data dir"
    )
    evidence_retired_keys: list[str] = Field(
        default_factory=list, description="earlier public keys (z6Mk...) still listed"
    )
    log_json: bool | None = Field(
        default=None, description="JSON log lines; default: only in production"
    )

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> "Settings":
        if self.env is Environment.PRODUCTION and not self.secret_key:
            raise ValueError("TL_SECRET_KEY is required when TL_ENV=production")
        return self

    @property
    def runs_embedded_worker(self) -> bool:
        """Explicit setting, else: yes on the embedded default; tests start workers themselves."""
        if self.embedded_worker is not None:
            return self.embedded_worker
        return self.redis_url is None and self.env is not Environment.TEST

    def uvicorn_proxy_options(self) -> dict[str, Any]:
        """uvicorn trusts 127.0.0.1's X-Forwarded-For by default; we trust only the setting."""
        proxies = ",".join(part.strip() for part in self.trusted_proxies.split(",") if part.strip())
        return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies}

    @property
    def json_logs(self) -> bool:
        return self.log_json if self.log_json is not None else self.env is Environment.PRODUCTION

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'trust_lesson.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    def ensure_data_dir(self) -> Path:
        """The data dir, owner-only (0700): database, key, queue and pictures live inside."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        return self.data_dir

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in the data dir (embedded mode)."""
        if self.secret_key:
            return self.secret_key
        key_file = self.ensure_data_dir() / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()
