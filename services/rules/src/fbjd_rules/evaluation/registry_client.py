"""The registry as the rules see it: topology versions and control measures over a time window (HTTP, cached).

"As of the data's time": the registry logs every change with its instant; an enterprise's change list tells
which topology versions a window spans, and `GET .../topology?at=` gives each version. A version at a past
change instant never changes, so it is cached for good (bounded LRU); the change list itself is refreshed
every `changes_ttl_s` seconds, which is how a new threshold or link reaches the rules.

Control measures: the latest list of periods (`GET /control-periods`) and the enterprise's plans
(`GET /enterprises/{psId}/control-plans`), both cached for `periods_ttl_s`, judged by `evaluation.control`
(the registry's obligation rule, applied at past instants with what is known now: see that module).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import httpx

from fbjd_rules.engine.model import ControlSpan, Topology, TopologyVersion
from fbjd_rules.errors import EnterpriseUnknown, UpstreamError
from fbjd_rules.evaluation.control import covers, spans_in_force
from fbjd_rules.evaluation.topology import parse_time, topology_from_json

__all__ = ["RegistryClient"]

log = logging.getLogger(__name__)

TOPOLOGY_ENTITIES = frozenset({"enterprise", "facility", "point", "link"})
MAX_CACHED_TOPOLOGIES = 4096


class RegistryClient:
    def __init__(
        self,
        base_url: str,
        token: Callable[[], str],
        *,
        changes_ttl_s: float = 5.0,
        periods_ttl_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=f"{base_url.rstrip('/')}/api/registry",
            timeout=httpx.Timeout(10.0, connect=3.0),
            transport=transport,
        )
        self._token = token
        self._changes_ttl = changes_ttl_s
        self._periods_ttl = periods_ttl_s
        self._changes: dict[str, tuple[float, list[datetime]]] = {}
        self._topologies: OrderedDict[tuple[str, datetime], Topology | None] = OrderedDict()
        self._periods: tuple[float, list[dict[str, Any]]] | None = None
        self._plans: dict[str, tuple[float, list[dict[str, Any]]]] = {}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _get(self, path: str, *, ps_id: str | None = None, **params: Any) -> Any:
        try:
            reply = await self._http.get(path, params=params, headers={"Authorization": f"Bearer {self._token()}"})
        except httpx.HTTPError as exc:
            raise UpstreamError(f"registry unreachable: {exc!r}") from exc
        if reply.status_code == 404 and ps_id is not None:
            raise EnterpriseUnknown(f"the registry does not know enterprise {ps_id}")
        if reply.status_code != 200:
            raise UpstreamError(f"registry answered {reply.status_code} to GET {path}: {reply.text[:300]}")
        return reply.json()

    def forget(self, ps_id: str) -> None:
        """Drop the cached change list of an enterprise (e.g. the registry told us it changed)."""
        self._changes.pop(ps_id, None)

    async def change_instants(self, ps_id: str) -> list[datetime]:
        cached = self._changes.get(ps_id)
        if cached is not None and time.monotonic() - cached[0] < self._changes_ttl:
            return cached[1]
        log_rows = await self._get(f"/enterprises/{ps_id}/changes", ps_id=ps_id, limit=1000)
        instants = sorted({parse_time(row["at"]) for row in log_rows if row["entity"] in TOPOLOGY_ENTITIES})
        self._changes[ps_id] = (time.monotonic(), instants)
        return instants

    async def topology_at(self, ps_id: str, at: datetime) -> Topology | None:
        key = (ps_id, at)
        if key in self._topologies:
            self._topologies.move_to_end(key)
            return self._topologies[key]
        doc = await self._get(f"/enterprises/{ps_id}/topology", ps_id=ps_id, at=at.isoformat())
        topology = topology_from_json(doc)
        self._topologies[key] = topology
        if len(self._topologies) > MAX_CACHED_TOPOLOGIES:
            self._topologies.popitem(last=False)
        return topology

    async def versions(self, ps_id: str, start: datetime, end: datetime) -> list[TopologyVersion]:
        """The topology versions in force over [start, end): the one at `start` and every later change."""
        instants = await self.change_instants(ps_id)
        before = [t for t in instants if t <= start][-1:]
        inside = [t for t in instants if start < t < end]
        result = []
        for instant in before + inside:
            topology = await self.topology_at(ps_id, instant)
            if topology is not None:
                result.append(TopologyVersion(instant, topology))
        return result

    async def periods(self) -> list[dict[str, Any]]:
        if self._periods is not None and time.monotonic() - self._periods[0] < self._periods_ttl:
            return self._periods[1]
        periods: list[dict[str, Any]] = await self._get("/control-periods")
        self._periods = (time.monotonic(), periods)
        return periods

    async def active_periods(self, at: datetime) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._get("/control-periods", active_at=at.isoformat())
        return result

    async def plans(self, ps_id: str) -> list[dict[str, Any]]:
        cached = self._plans.get(ps_id)
        if cached is not None and time.monotonic() - cached[0] < self._periods_ttl:
            return cached[1]
        plans: list[dict[str, Any]] = await self._get(f"/enterprises/{ps_id}/control-plans", ps_id=ps_id)
        self._plans[ps_id] = (time.monotonic(), plans)
        return plans

    async def control_spans(
        self, versions: Sequence[TopologyVersion], start: datetime, end: datetime, *, now: datetime
    ) -> list[ControlSpan]:
        """The measures in force on the enterprise's facilities over [start, end) (latest periods and plans)."""
        del now
        if not versions:
            return []
        periods = await self.periods()
        topology = versions[-1].topology
        if not any(covers(p, topology) for p in periods):
            return []
        return spans_in_force(
            periods=periods, plans=await self.plans(topology.ps_id), topology=topology, start=start, end=end
        )

    async def patch_point_threshold(self, point_id: str, threshold_kw: float, *, bearer: str) -> dict[str, Any]:
        """Make an accepted proposal the point's threshold (source learned), as the person who accepted it."""
        try:
            reply = await self._http.patch(
                f"/points/{point_id}",
                json={"threshold_kw": threshold_kw, "threshold_source": "learned"},
                headers={"Authorization": f"Bearer {bearer}"},
            )
        except httpx.HTTPError as exc:
            raise UpstreamError(f"registry unreachable: {exc!r}") from exc
        if reply.status_code != 200:
            raise UpstreamError(f"the registry refused the threshold ({reply.status_code}): {reply.text[:300]}")
        result: dict[str, Any] = reply.json()
        return result
