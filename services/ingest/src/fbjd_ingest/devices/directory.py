"""The in-memory directory of registered devices that the TCP path consults for every packet.

Looking a device up in PostgreSQL per packet would cost a round trip per packet; instead the directory holds
every device (a city has ~30,000 terminals: a few MB) and is

* loaded at start,
* updated at once by this process's own registrations and changes (devices.service),
* reloaded every `device_refresh_s` to pick up changes made by other ingest processes behind the load balancer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from hj212 import FactorProfile, get_profile

__all__ = ["DeviceDirectory", "DeviceInfo", "FactorTarget", "expected_interval_s"]

log = logging.getLogger(__name__)

_FIXED_INTERVALS = {"2061": 3600, "2031": 86400, "2041": 86400}


def expected_interval_s(cn: str, *, rtd_interval_s: int, min_interval_s: int) -> int:
    """Seconds between two DataTimes of `cn`: real-time at RtdInterval, minute data at MinInterval, hour, day."""
    if cn in ("2011", "2021"):
        return rtd_interval_s
    if cn == "2051":
        return min_interval_s
    return _FIXED_INTERVALS.get(cn, min_interval_s)


@dataclass(frozen=True, slots=True)
class FactorTarget:
    """Where one factor code of a device goes: the registry's point id and the quantity it measures."""

    point_id: str | None
    quantity: str | None


@dataclass(slots=True)
class DeviceInfo:
    """What the TCP path needs to know about a registered device."""

    mn: str
    password: str
    ps_id: str
    county: str | None
    profile: str
    factor_map: Mapping[str, FactorTarget]
    rtd_interval_s: int
    min_interval_s: int
    data_cn: str
    _profile: FactorProfile | None = field(default=None, repr=False)
    _resolved: dict[str, tuple[str | None, str | None]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        try:
            self._profile = get_profile(self.profile)
        except KeyError:
            log.warning("unknown factor profile: codes stay unmapped", extra={"mn": self.mn, "profile": self.profile})
            self._profile = None

    @property
    def expected_interval_s(self) -> int:
        return expected_interval_s(self.data_cn, rtd_interval_s=self.rtd_interval_s, min_interval_s=self.min_interval_s)

    def interval_of(self, cn: str) -> int:
        return expected_interval_s(cn, rtd_interval_s=self.rtd_interval_s, min_interval_s=self.min_interval_s)

    def resolve(self, code: str) -> tuple[str | None, str | None]:
        """(quantity, point_id) of a factor code: the device's own map first, then its profile; (None, None)
        for a code neither knows (stored as received and shown to the operator)."""
        found = self._resolved.get(code)
        if found is not None:
            return found
        target = self.factor_map.get(code)
        if target is not None:
            found = (target.quantity, target.point_id)
        elif self._profile is not None:
            meaning = self._profile.match(code).meaning
            found = (None if meaning is None else meaning.quantity.value, None)
        else:
            found = (None, None)
        if len(self._resolved) < 1000:  # codes come from the network: bound the cache
            self._resolved[code] = found
        return found

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> DeviceInfo:
        return cls(
            mn=row["mn"],
            password=row["password"],
            ps_id=row["ps_id"],
            county=row["county"],
            profile=row["profile"],
            factor_map=parse_factor_map(row["factor_map"]),
            rtd_interval_s=row["rtd_interval_s"],
            min_interval_s=row["min_interval_s"],
            data_cn=row["data_cn"],
        )


def parse_factor_map(raw: Mapping[str, Any] | str | None) -> dict[str, FactorTarget]:
    """jsonb `{code: {point_id, quantity}}` → targets (asyncpg returns jsonb as text)."""
    data: Any = json.loads(raw) if isinstance(raw, str) else (raw or {})
    return {
        str(code): FactorTarget(point_id=(spec or {}).get("point_id"), quantity=(spec or {}).get("quantity"))
        for code, spec in data.items()
    }


_SELECT = (
    "SELECT mn, password, ps_id, county, profile, factor_map, rtd_interval_s, min_interval_s, data_cn "
    "FROM ingest.devices"
)


class DeviceDirectory:
    """MN → DeviceInfo for every registered device."""

    def __init__(self) -> None:
        self._devices: dict[str, DeviceInfo] = {}
        self._generation = 0
        self._put_at: dict[str, int] = {}  # MN → generation of this process's latest put

    def __len__(self) -> int:
        return len(self._devices)

    def get(self, mn: str) -> DeviceInfo | None:
        return self._devices.get(mn)

    def put(self, info: DeviceInfo) -> None:
        self._generation += 1
        self._devices[info.mn] = info
        self._put_at[info.mn] = self._generation

    async def load(self, pool: asyncpg.Pool) -> None:
        """Reload every device. A put made while the query ran wins over the (older) row it returned."""
        started = self._generation
        async with pool.acquire() as conn:
            rows = await conn.fetch(_SELECT)
        fresh = {row["mn"]: DeviceInfo.from_row(row) for row in rows}
        for mn, generation in self._put_at.items():
            if generation > started and mn in self._devices:
                fresh[mn] = self._devices[mn]
        self._devices = fresh
        self._put_at = {}

    async def load_one(self, pool: asyncpg.Pool, mn: str) -> DeviceInfo | None:
        async with pool.acquire() as conn:
            row = await conn.fetchrow(_SELECT + " WHERE mn = $1", mn)
        if row is None:
            return None
        info = DeviceInfo.from_row(row)
        self.put(info)
        return info
