"""What the self-audit reads, over HTTP as the bridge (role service), with a bounded number of requests in flight.

| source | path | for checks |
|---|---|---|
| registry | `/regions`, `/enterprises` (paged), `/enterprises/{psId}` | the enterprises in scope |
| registry | `/enterprises/{psId}/audit/latest` (404: `/audit`, run now) | 2 (thresholds missing), 3, 4, 5 |
| rules | `/abnormals?ps_id=&from=` (paged) | 1 |
| rules | `/findings?ps_id=&status=open` (paged) | 2 (threshold findings), 6 (device and data findings) |
| rules | `/stretches?ps_id=&from=&to=` (the window's last FBJD_SELF_AUDIT_STRETCH_DAYS) | 1 (what the data shows) |
| workflow | `/alarms?ps_id=&from=` (paged) | 1 (a record with no alarm), 5 (false alarms) |

One enterprise's source that fails is recorded as its error (that check is `not_checkable`), never the report's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from fbjd_core.http import service_client

from fbjd_bridge.errors import BridgeNotFound
from fbjd_bridge.self_audit.errors import SelfAuditUnavailable

__all__ = ["MAX_STRETCH_DAYS", "AuditSources", "EnterpriseSources", "Sourced", "stretch_window"]

PAGE = 1000  # the rules' and workflow's largest page
MAX_STRETCH_DAYS = 31  # the longest window the rules judge on demand (the setting is capped there)
MAX_PAGES = 20  # per list and enterprise: beyond 20,000 items the report says the list was cut
REGISTRY_PAGE = 5000


class SourceFailed(Exception):
    """One read of one source went wrong (kept as the enterprise's source error, in Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Sourced:
    """What one source answered for one enterprise: its items, or why they could not be read."""

    items: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class EnterpriseSources:
    ps_id: str
    name: str
    county: str
    audit: Sourced  # the registry audit's findings
    audit_path: str
    records: Sourced  # rules records in the window
    findings: Sourced  # open rules findings
    alarms: Sourced  # workflow alarms in the window
    stretches: Sourced = field(default_factory=Sourced)  # rule 1's stretches, one item each with its pair's fields
    stretches_from: datetime | None = None  # where the stretches were judged from (the window's last days)


def stretch_window(since: datetime, at: datetime, days: int) -> datetime:
    """The start of the stretches read: the window's, or `days` before `at` when the window is longer."""
    return max(since, at - timedelta(days=min(days, MAX_STRETCH_DAYS)))


class AuditSources:
    """HTTP clients of the registry, rules and workflow for one report; `async with` closes them."""

    def __init__(
        self,
        *,
        registry_url: str,
        rules_url: str,
        workflow_url: str,
        token: Callable[[], str],
        concurrency: int,
        stretch_days: int = 7,
    ) -> None:
        self._clients = {
            "registry": service_client(registry_url.rstrip("/")),
            "rules": service_client(rules_url.rstrip("/")),
            "workflow": service_client(workflow_url.rstrip("/")),
        }
        self._token = token
        self._gate = asyncio.Semaphore(concurrency)
        self._stretch_days = stretch_days

    async def __aenter__(self) -> AuditSources:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def _get(self, service: str, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token()}"}
        async with self._gate:
            try:
                return await self._clients[service].get(path, params=params, headers=headers)
            except httpx.HTTPError as exc:
                raise SourceFailed(f"{service} 服务不可达：{type(exc).__name__}") from exc

    async def _json(self, service: str, path: str, params: dict[str, Any] | None = None) -> Any:
        reply = await self._get(service, path, params)
        if reply.status_code != 200:
            raise SourceFailed(f"{service} 服务 {path} 答复 HTTP {reply.status_code}：{reply.text[:200]}")
        return reply.json()

    async def _pages(self, service: str, path: str, params: dict[str, Any]) -> Sourced:
        items: list[dict[str, Any]] = []
        try:
            for _ in range(MAX_PAGES):
                page: list[dict[str, Any]] = await self._json(
                    service, path, {**params, "limit": PAGE, "offset": len(items)}
                )
                items.extend(page)
                if len(page) < PAGE:
                    return Sourced(items)
        except SourceFailed as exc:
            return Sourced(error=exc.message)
        return Sourced(items, truncated=True)

    # --- the enterprises in scope -------------------------------------------------------------------------

    async def counties(self) -> dict[str, str]:
        try:
            regions: list[dict[str, Any]] = await self._json("registry", "/api/registry/regions")
        except SourceFailed as exc:
            raise SelfAuditUnavailable(f"无法读取行政区划：{exc.message}") from exc
        return {c["code"]: c["name"] for city in regions for c in city.get("counties", [])}

    async def enterprises(self, *, county: str | None, ps_id: str | None) -> list[dict[str, Any]]:
        try:
            if ps_id is not None:
                reply = await self._get("registry", f"/api/registry/enterprises/{ps_id}")
                found: dict[str, Any] | None = reply.json() if reply.status_code == 200 else None
                if reply.status_code not in (200, 404):
                    raise SourceFailed(f"登记服务答复 HTTP {reply.status_code}")
                if found is None or county not in (None, found["county_code"]):
                    raise BridgeNotFound(f"企业 {ps_id} 不存在或不在您的管辖范围内")
                return [found]
            listed: list[dict[str, Any]] = []
            while True:
                params: dict[str, Any] = {"limit": REGISTRY_PAGE, "offset": len(listed)}
                if county is not None:
                    params["county_code"] = county
                page: list[dict[str, Any]] = await self._json("registry", "/api/registry/enterprises", params)
                listed.extend(page)
                if len(page) < REGISTRY_PAGE:
                    return listed
        except SourceFailed as exc:
            raise SelfAuditUnavailable(f"无法读取企业名录：{exc.message}") from exc

    # --- one enterprise ------------------------------------------------------------------------------------

    async def _audit(self, ps_id: str) -> tuple[Sourced, str]:
        latest = f"/api/registry/enterprises/{ps_id}/audit/latest"
        try:
            reply = await self._get("registry", latest)
            if reply.status_code == 404:  # never audited yet: run it now
                path = f"/api/registry/enterprises/{ps_id}/audit"
                report: dict[str, Any] = await self._json("registry", path)
                return Sourced(report["findings"]), path
            if reply.status_code != 200:
                raise SourceFailed(f"登记服务 {latest} 答复 HTTP {reply.status_code}")
            return Sourced(reply.json()["findings"]), latest
        except SourceFailed as exc:
            return Sourced(error=exc.message), latest

    async def _stretches(self, ps_id: str, start: datetime, end: datetime) -> Sourced:
        """Rule 1's stretches judged now by the rules, flattened: each stretch with its pair's fields."""
        params = {"ps_id": ps_id, "from": start.isoformat(), "to": end.isoformat()}
        try:
            answer: dict[str, Any] = await self._json("rules", "/api/rules/stretches", params)
        except SourceFailed as exc:
            return Sourced(error=exc.message)
        items = [
            {**{k: v for k, v in pair.items() if k != "stretches"}, **stretch}
            for pair in answer["pairs"]
            for stretch in pair["stretches"]
        ]
        return Sourced(items)

    async def of_enterprise(self, enterprise: dict[str, Any], *, since: datetime, at: datetime) -> EnterpriseSources:
        ps_id = enterprise["ps_id"]
        window = since.isoformat()
        stretches_from = stretch_window(since, at, self._stretch_days)
        (audit, audit_path), records, findings, alarms, stretches = await asyncio.gather(
            self._audit(ps_id),
            self._pages("rules", "/api/rules/abnormals", {"ps_id": ps_id, "from": window}),
            self._pages("rules", "/api/rules/findings", {"ps_id": ps_id, "status": "open"}),
            self._pages("workflow", "/api/workflow/alarms", {"ps_id": ps_id, "from": window, "order": "newest"}),
            self._stretches(ps_id, stretches_from, at),
        )
        return EnterpriseSources(
            ps_id=ps_id,
            name=enterprise["name"],
            county=enterprise["county_code"],
            audit=audit,
            audit_path=audit_path,
            records=records,
            findings=findings,
            alarms=alarms,
            stretches=stretches,
            stretches_from=stretches_from,
        )
