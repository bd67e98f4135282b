"""The registry as the rules see it: topology versions and control measures over a time window (HTTP, cached).

"As of the data's time": the registry logs every change with its instant; an enterprise's change list tells
which topology versions a window spans, and `GET .../topology?at=` gives each version. A version at a past
change instant never changes, so it is cached for good (bounded LRU); the change list itself is refreshed
every `changes_ttl_s` seconds, which is how a new threshold or link reaches the rules.

Control measures: the latest list of periods (`GET /control-periods`) and the enterprise's plans as they stood
over the window (`GET /enterprises/{psId}/control-plan-versions?start=&end=`: each version with its span, so data
is judged by the plan of its own time), both cached for `periods_ttl_s`, judged by `evaluation.control` (the
registry's obligation rule, applied at past instants: see that module).
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
OPERATOR_NAME_MAX, OPERATOR_PHONE_MAX = 100, 20


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
        self._operators: dict[str, tuple[float, dict[str, str | None]]] = {}
        self._plans: dict[tuple[str, datetime, datetime], tuple[float, list[dict[str, Any]]]] = {}

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

    async def plan_versions(self, ps_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The enterprise's plans as they stood over [start, end), each with `valid_from` and `valid_to`."""
        key = (ps_id, start, end)
        cached = self._plans.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._periods_ttl:
            return cached[1]
        window = {"start": start.isoformat(), "end": end.isoformat()}
        plans: list[dict[str, Any]] = await self._get(
            f"/enterprises/{ps_id}/control-plan-versions", ps_id=ps_id, **window
        )
        if len(self._plans) > MAX_CACHED_TOPOLOGIES:
            self._plans.clear()
        self._plans[key] = (time.monotonic(), plans)
        return plans

    async def control_spans(
        self, versions: Sequence[TopologyVersion], start: datetime, end: datetime, *, now: datetime
    ) -> list[ControlSpan]:
        """The measures in force on the enterprise's facilities over [start, end) (latest periods; plans as they
        stood at each instant)."""
        del now
        if not versions:
            return []
        periods = await self.periods()
        topology = versions[-1].topology
        if not any(covers(p, topology) for p in periods):
            return []
        return spans_in_force(
            periods=periods,
            plans=await self.plan_versions(topology.ps_id, start, end),
            topology=topology,
            start=start,
            end=end,
        )

    async def operator_of(self, ps_id: str) -> dict[str, str | None]:
        """The enterprise's third-party operator (运维单位) as the registry assigns it: `operator_name` and
        `operator_phone` (its contact), both None where none is assigned (cached for `periods_ttl_s`)."""
        cached = self._operators.get(ps_id)
        if cached is not None and time.monotonic() - cached[0] < self._periods_ttl:
            return cached[1]
        assignments: list[dict[str, Any]] = await self._get(f"/enterprises/{ps_id}/vendors", ps_id=ps_id)
        operator: dict[str, str | None] = {"operator_name": None, "operator_phone": None}
        chosen = next((a for a in assignments if a.get("role") == "operator"), None)
        if chosen is not None:
            vendor: dict[str, Any] = await self._get(f"/vendors/{chosen['vendor_id']}")
            phone = vendor.get("contact_phone")
            operator = {  # the workflow's intake takes at most 100 and 20 characters
                "operator_name": str(chosen["vendor_name"])[:OPERATOR_NAME_MAX],
                "operator_phone": None if phone is None else str(phone)[:OPERATOR_PHONE_MAX],
            }
        if len(self._operators) > MAX_CACHED_TOPOLOGIES:
            self._operators.clear()
        self._operators[ps_id] = (time.monotonic(), operator)
        return operator

    async def with_operator(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A maintenance finding's payload with its enterprise's operator, so the workflow can assign the ticket
        to it; unchanged when the registry cannot say (the ticket then waits for the county to assign it)."""
        try:
            operator = await self.operator_of(str(payload["ps_id"]))
        except (UpstreamError, EnterpriseUnknown) as exc:
            log.warning("operator unknown for a finding", extra={"ps_id": payload.get("ps_id"), "error": repr(exc)})
            return payload
        return {**payload, **{k: v for k, v in operator.items() if v is not None}}

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
