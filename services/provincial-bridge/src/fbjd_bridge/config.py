"""Settings of the bridge service: where the province is and how patiently we push to it.

Every setting is an environment variable with the `FBJD_` prefix (`FBJD_PROVINCE_BASE_URL=https://…`).
Without a province URL the records still queue up in the outbox (nothing is lost); the sender starts
pushing as soon as a process with the URL runs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fbjd_core.auth import Principal, Role, issue_token
from fbjd_core.settings import BaseServiceSettings
from pydantic import Field

__all__ = ["Settings", "SettingsDep", "service_token"]


class Settings(BaseServiceSettings):
    service_name: str = "bridge"

    # The province's platform (省级平台): POST {province_base_url}/pcom/ps/ex/join/abnormal | /limit.
    province_base_url: str | None = None
    province_timeout_seconds: float = Field(default=10.0, gt=0)

    sender_enabled: bool = True  # the outbox sender in this process; off for an API-only process
    outbox_batch_size: int = Field(default=50, ge=1, le=500)  # records per JSON array
    outbox_poll_seconds: float = Field(default=1.0, gt=0)  # also woken at once by a record's arrival
    backoff_base_seconds: float = Field(default=2.0, gt=0)  # first retry after ~this, doubling per failure
    backoff_max_seconds: float = Field(default=600.0, gt=0)  # the cap: an outage is probed at least this often
    invalid_max_attempts: int = Field(default=3, ge=1)  # rejections of one record before it is dead-lettered

    registry_refresh_seconds: float = Field(
        default=60.0, ge=0
    )  # a registry pull re-reads the registry at most this often
    registry_concurrency: int = Field(default=8, ge=1)  # topology requests in flight during a refresh


def service_token(settings: BaseServiceSettings) -> str:
    """A short-lived token for calling another fbjd service (the registry) as the bridge."""
    return issue_token(
        Principal(subject="bridge", role=Role.SERVICE),
        secret=settings.jwt_secret.get_secret_value(),
        ttl=timedelta(minutes=settings.jwt_ttl_minutes),
    )


def settings_dependency(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(settings_dependency)]
