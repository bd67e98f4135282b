"""Settings of the bridge service: where the province is and how patiently we push to it.

Every setting is an environment variable with the `FBJD_` prefix (`FBJD_PROVINCE_BASE_URL=https://…`).
Without a province URL the records still queue up in the outbox (nothing is lost); the sender starts
pushing as soon as a process with the URL runs. Without FBJD_UPSTREAM_HJ212 no readings are forwarded
upstream; set (one or several upstreams, forwarding/targets.py), each upstream's forwarder starts from where
its cursor stands (forwarding/).
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fbjd_core.auth import Principal, Role, issue_token
from fbjd_core.settings import BaseServiceSettings
from pydantic import AwareDatetime, Field, field_validator, model_validator

from fbjd_bridge.forwarding.targets import Upstream, parse_address, parse_upstreams

__all__ = ["Settings", "SettingsDep", "parse_address", "service_token"]


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

    # Registry push (registry_push/): the sync's changes POSTed to this URL; unset: the push is off.
    province_registry_push_url: str | None = None
    registry_push_interval_seconds: float = Field(default=60.0, gt=0)  # a push round at most this often
    registry_push_batch_size: int = Field(default=500, ge=1, le=5000)  # registry items per push
    registry_push_timeout_seconds: float = Field(default=10.0, gt=0)

    self_audit_concurrency: int = Field(default=8, ge=1)  # requests in flight while the self-audit reads
    # The daily self-audit (self_audit/job.py): the window it is stored for, when it runs (China Standard Time),
    # how many reports are kept, after how long a run whose process died no longer blocks a new one, and how
    # many of the window's last days the rules judge again from the data (check 1; the rules allow 31 at most).
    self_audit_days: int = Field(default=30, ge=1, le=366)
    self_audit_at: time = time(2, 0)
    self_audit_keep: int = Field(default=3, ge=1, le=100)
    self_audit_stale_hours: float = Field(default=6.0, gt=0)
    self_audit_stretch_days: int = Field(default=7, ge=1, le=31)

    # Data upload (forwarding/): the readings re-sent as an HJ 212 stream to each upstream of the list
    # (`province=10.0.0.1:9000,cangxian=10.0.0.2:9000`, or a bare host:port); unset: forwarding is off.
    upstream_hj212: str | None = None
    # Upstreams limited to one county's terminals (`cangxian=130921`): county platforms connected to the city.
    upstream_counties: str | None = None
    upstream_password: str = "123456"  # PW of every forwarded packet (the upstream's access password)
    upstream_batch_size: int = Field(default=200, ge=1, le=5000)  # receipts per round (the cursor moves per round)
    upstream_window: int = Field(default=32, ge=1, le=1000)  # packets sent and not yet answered (1: stop-and-wait)
    upstream_ack_timeout_seconds: float = Field(default=10.0, gt=0)  # a packet unanswered this long: link failed
    upstream_connect_timeout_seconds: float = Field(default=10.0, gt=0)
    upstream_poll_seconds: float = Field(default=1.0, gt=0)  # a round at least this often when idle
    # Where a new upstream starts (received_at, UTC): receipts received from then on; unset: the receipts that
    # commit from the moment its forwarder first runs.
    upstream_from: AwareDatetime | None = None

    @field_validator("upstream_password")
    @classmethod
    def _upstream_password(cls, value: str) -> str:
        if not value or any(c in value for c in ";,=&") or value != value.strip():
            raise ValueError("the upstream password must be non-empty, without ';', ',', '=', '&' or edge spaces")
        return value

    @field_validator("upstream_hj212", "upstream_counties")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _upstreams_parse(self) -> Settings:
        parse_upstreams(self.upstream_hj212, self.upstream_counties)  # ValueError: the settings are refused
        return self

    @property
    def upstreams(self) -> list[Upstream]:
        """The upstreams the readings are forwarded to, in the order configured ([]: forwarding is off)."""
        return parse_upstreams(self.upstream_hj212, self.upstream_counties)


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
