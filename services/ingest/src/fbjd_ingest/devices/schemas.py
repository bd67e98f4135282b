"""Devices in and out of the HTTP API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from fbjd_core.ids import PSID_PATTERN, is_epc_mn
from hj212 import BUILTIN_PROFILES, Quantity
from pydantic import BaseModel, Field, field_validator, model_validator

__all__ = [
    "AdoptionOut",
    "DataCn",
    "DeviceCreate",
    "DeviceOut",
    "DevicePatch",
    "DeviceRegistered",
    "FactorTargetIn",
]

DataCn = Literal["2011", "2051", "2061", "2031"]
MIN_INTERVAL_MINUTES = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)
_PSID = re.compile(PSID_PATTERN)
_LEGACY_MN = re.compile(r"^[0-9A-Za-z]{1,24}$")
_PASSWORD = re.compile(r"^[^;,=&\s]{1,32}$")
_QUANTITIES = sorted(q.value for q in Quantity)


class FactorTargetIn(BaseModel):
    """Where a factor code of this device goes (overrides the profile for that code)."""

    point_id: str | None = Field(default=None, max_length=64, description="the registry's monitoring point id")
    quantity: str | None = Field(default=None, description=f"one of {', '.join(_QUANTITIES)}")

    @field_validator("quantity")
    @classmethod
    def _known_quantity(cls, value: str | None) -> str | None:
        if value is not None and value not in _QUANTITIES:
            raise ValueError(f"unknown quantity {value!r}; use one of {', '.join(_QUANTITIES)}")
        return value


def _check_password(value: str) -> str:
    if not _PASSWORD.match(value):
        raise ValueError("password must be 1-32 characters without spaces, ';', ',', '=' or '&' (HJ 212 PW field)")
    return value


def _check_profile(value: str | None) -> str | None:
    if value is not None and value not in BUILTIN_PROFILES:
        raise ValueError(f"unknown factor profile {value!r}; built-in profiles: {', '.join(sorted(BUILTIN_PROFILES))}")
    return value


def _check_rtd(value: int | None) -> int | None:
    if value is not None and not 30 <= value <= 3600:
        raise ValueError("rtd_interval_s must be 30..3600 seconds (HJ 212 RtdInterval)")
    return value


def _check_min(value: int | None) -> int | None:
    if value is not None and (value % 60 or value // 60 not in MIN_INTERVAL_MINUTES):
        raise ValueError(
            f"min_interval_s must be one of {[m * 60 for m in MIN_INTERVAL_MINUTES]} seconds "
            f"(HJ 212 MinInterval {MIN_INTERVAL_MINUTES} minutes)"
        )
    return value


class DeviceCreate(BaseModel):
    mn: str = Field(description="device ID: 24 upper-case hex characters (EPC-96), as the terminal sends it")
    password: str = Field(description="the access password (PW) the terminal sends")
    ps_id: str = Field(description="the enterprise's psId: 32 lower-case hex characters")
    name: str = Field(min_length=1, max_length=200)
    county: str | None = Field(default=None, max_length=32, description="county code, for county scope")
    profile: str | None = Field(default=None, description="factor profile; the service default when omitted")
    factor_map: dict[str, FactorTargetIn] = Field(default_factory=dict)
    rtd_interval_s: int | None = None
    min_interval_s: int | None = None
    data_cn: DataCn = Field(default="2051", description="the data stream whose arrival defines online and rates")
    allow_nonstandard_mn: bool = Field(
        default=False, description="accept a legacy MN that is not 24 hex characters (1-24 letters/digits)"
    )

    _password = field_validator("password")(_check_password)
    _profile = field_validator("profile")(_check_profile)
    _rtd = field_validator("rtd_interval_s")(_check_rtd)
    _min = field_validator("min_interval_s")(_check_min)

    @field_validator("ps_id")
    @classmethod
    def _psid(cls, value: str) -> str:
        if not _PSID.match(value):
            raise ValueError("ps_id must be the enterprise's psId: 32 lower-case hex characters [0-9a-f]")
        return value

    @model_validator(mode="after")
    def _mn(self) -> DeviceCreate:
        if self.allow_nonstandard_mn:
            if not _LEGACY_MN.match(self.mn):
                raise ValueError("mn must be 1-24 letters or digits")
        elif not is_epc_mn(self.mn):
            raise ValueError(
                f"mn {self.mn!r} is not 24 upper-case hex characters (EPC-96); "
                "set allow_nonstandard_mn for a legacy terminal"
            )
        return self


class DevicePatch(BaseModel):
    password: str | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    county: str | None = Field(default=None, max_length=32)
    profile: str | None = None
    factor_map: dict[str, FactorTargetIn] | None = None
    rtd_interval_s: int | None = None
    min_interval_s: int | None = None
    data_cn: DataCn | None = None

    _password = field_validator("password")(lambda v: v if v is None else _check_password(v))
    _profile = field_validator("profile")(_check_profile)
    _rtd = field_validator("rtd_interval_s")(_check_rtd)
    _min = field_validator("min_interval_s")(_check_min)


class DeviceOut(BaseModel):
    mn: str
    ps_id: str
    county: str | None
    name: str
    profile: str
    factor_map: dict[str, FactorTargetIn]
    rtd_interval_s: int
    min_interval_s: int
    data_cn: str
    expected_interval_s: int = Field(description="seconds between two DataTimes of data_cn")
    protocol_version: str | None
    last_seen: datetime | None
    last_peer: str | None
    online: bool = Field(description="data arrived within online_factor × expected_interval_s")
    connected: bool = Field(description="a TCP connection of this terminal is open to this ingest process")
    created_at: datetime


class AdoptionOut(BaseModel):
    packets: int = Field(description="quarantined packets adopted")
    readings: int = Field(description="readings stored from them (resends counted once)")
    left: int = Field(description="packets left in quarantine (wrong password, unreadable, DataTime out of range)")


class DeviceRegistered(DeviceOut):
    adopted: AdoptionOut
