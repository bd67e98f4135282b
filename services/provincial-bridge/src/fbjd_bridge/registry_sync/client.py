"""Reading the registry over HTTP as the service role: regions, every enterprise, each one's topology.

The registry is the one owner of master data; the bridge keeps no copy of its own beyond what it last
served the province (registry_items), so the province always gets the registry's ids.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from fbjd_core.http import service_client

from fbjd_bridge.errors import RegistryUnavailable

__all__ = ["RegistryClient", "RegistrySnapshot"]

PAGE = 5000  # the registry's largest page of enterprises


@dataclass(frozen=True, slots=True)
class RegistrySnapshot:
    counties: dict[str, str]  # county code → name
    enterprises: list[dict[str, Any]]
    topologies: dict[str, dict[str, Any]]  # psId → GET /enterprises/{psId}/topology


class RegistryClient:
    def __init__(
        self,
        base_url: str,
        *,
        token: Callable[[], str],
        concurrency: int = 8,
    ) -> None:
        self._http = service_client(base_url.rstrip("/"))
        self._token = token
        self._concurrency = concurrency

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _get(self, path: str, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {self._token()}"}
        try:
            reply = await self._http.get(path, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise RegistryUnavailable(f"登记服务不可达：{exc!r}") from exc
        if reply.status_code != 200:
            raise RegistryUnavailable(f"登记服务 {path} 答复 {reply.status_code}：{reply.text[:300]}")
        return reply.json()

    async def topology(self, ps_id: str) -> dict[str, Any] | None:
        """One enterprise's facilities and points now (`enterprise` carries its county), None if unknown."""
        headers = {"Authorization": f"Bearer {self._token()}"}
        path = f"/api/registry/enterprises/{ps_id}/topology"
        try:
            reply = await self._http.get(path, headers=headers)
        except httpx.HTTPError as exc:
            raise RegistryUnavailable(f"登记服务不可达：{exc!r}") from exc
        if reply.status_code == 404:
            return None
        if reply.status_code != 200:
            raise RegistryUnavailable(f"登记服务 {path} 答复 {reply.status_code}：{reply.text[:300]}")
        body: dict[str, Any] = reply.json()
        return body if body.get("enterprise") is not None else None

    async def _enterprises(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            page: list[dict[str, Any]] = await self._get("/api/registry/enterprises", limit=PAGE, offset=len(found))
            found.extend(page)
            if len(page) < PAGE:
                return found

    async def snapshot(self) -> RegistrySnapshot:
        regions: list[dict[str, Any]] = await self._get("/api/registry/regions")
        counties = {c["code"]: c["name"] for city in regions for c in city.get("counties", [])}
        enterprises = await self._enterprises()
        gate = asyncio.Semaphore(self._concurrency)

        async def topology(ps_id: str) -> tuple[str, dict[str, Any]]:
            async with gate:
                return ps_id, await self._get(f"/api/registry/enterprises/{ps_id}/topology")

        pairs = await asyncio.gather(*(topology(e["ps_id"]) for e in enterprises))
        return RegistrySnapshot(counties=counties, enterprises=enterprises, topologies=dict(pairs))
