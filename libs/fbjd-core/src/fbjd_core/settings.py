"""Settings shared by every member; each service subclasses `BaseServiceSettings` in its own config.py."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["BaseServiceSettings", "async_dsn", "asyncpg_dsn"]


def async_dsn(url: str) -> str:
    """Normalise any PostgreSQL URL (postgres://, postgresql://, +psycopg) to the asyncpg driver."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"not a database URL: {url!r}")
    if scheme.split("+")[0] not in {"postgres", "postgresql"}:
        raise ValueError(f"only PostgreSQL is supported, got scheme {scheme!r}")
    return f"postgresql+asyncpg://{rest}"


def asyncpg_dsn(url: str) -> str:
    """Any PostgreSQL URL as plain asyncpg (`asyncpg.connect`, pools, COPY) takes it: `postgresql://…`."""
    return async_dsn(url).replace("postgresql+asyncpg://", "postgresql://", 1)


class BaseServiceSettings(BaseSettings):
    """Environment variables are `FBJD_*`, except `DATABASE_URL`, which is read as is."""

    model_config = SettingsConfigDict(env_prefix="FBJD_", extra="ignore")

    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL", "FBJD_DATABASE_URL"))
    service_name: str = "fbjd"
    log_level: str = "INFO"
    log_json: bool = False
    jwt_secret: SecretStr
    jwt_ttl_minutes: int = 30
    #: Served to browsers over TLS (a reverse proxy in front, infra/deploy/TLS.md): send HSTS, mark cookies Secure.
    behind_tls: bool = False

    # Where the rooms are (deployment topology, not any one service's settings).
    registry_url: str = "http://127.0.0.1:8101"
    ingest_url: str = "http://127.0.0.1:8102"
    rules_url: str = "http://127.0.0.1:8103"
    workflow_url: str = "http://127.0.0.1:8104"
    bridge_url: str = "http://127.0.0.1:8105"
    web_url: str = "http://127.0.0.1:8106"

    def require_database_url(self) -> str:
        if not self.database_url:
            raise RuntimeError("DATABASE_URL is not set (`fbjd run` sets it when it starts the embedded server)")
        return self.database_url
