"""What the registry knows about an enterprise's site (地址、坐标、联系人), read over HTTP as the service role.

Used where the workflow needs more than the abnormal record carries: the county of an enterprise that
declares before it ever had an alarm, and the address and coordinates an officer needs on site. The registry
being down must not stop the process: callers get None and fall back (the record's own fields).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from fbjd_core.auth import Principal, Role, issue_token
from pydantic import BaseModel

from fbjd_workflow.config import Settings

__all__ = ["Site", "SiteDirectory", "SitesDep"]

log = logging.getLogger(__name__)


class Site(BaseModel):
    ps_id: str
    name: str
    county: str
    address: str | None = None
    longitude: float | None = None
    latitude: float | None = None
    industry: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    operator_name: str | None = None  # 第三方运维单位, as the enterprise registered it
    operator_phone: str | None = None


class SiteDirectory:
    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        self._base = settings.registry_url.rstrip("/") + "/api/registry"
        self._secret = settings.jwt_secret.get_secret_value()
        self._timeout = settings.registry_timeout_seconds
        self._client = client

    def _headers(self) -> dict[str, str]:
        token = issue_token(
            Principal(subject="workflow", role=Role.SERVICE), secret=self._secret, ttl=timedelta(minutes=5)
        )
        return {"Authorization": f"Bearer {token}"}

    async def site(self, ps_id: str) -> Site | None:
        """The registry's facts about the enterprise, or None when it is unknown or the registry unreachable."""
        try:
            reply = await self._client.get(
                f"{self._base}/enterprises/{ps_id}", headers=self._headers(), timeout=self._timeout
            )
        except httpx.HTTPError as exc:
            log.warning("registry unreachable", extra={"ps_id": ps_id, "error": repr(exc)})
            return None
        if reply.status_code != 200:
            log.warning("registry has no such enterprise", extra={"ps_id": ps_id, "status": reply.status_code})
            return None
        return _site({"ps_id": ps_id, **reply.json()})

    async def enterprises(self, *, stages: Iterable[str], page: int = 1000) -> list[Site] | None:
        """Every enterprise at one of these lifecycle stages, or None when the registry cannot be read now."""
        found: list[Site] = []
        for stage in stages:
            offset = 0
            while True:
                params: dict[str, str | int] = {"stage": stage, "limit": page, "offset": offset}
                try:
                    reply = await self._client.get(
                        f"{self._base}/enterprises", params=params, headers=self._headers(), timeout=self._timeout
                    )
                    reply.raise_for_status()
                except httpx.HTTPError as exc:
                    log.warning("registry unreachable", extra={"error": repr(exc)})
                    return None
                rows: list[dict[str, Any]] = reply.json()
                found += [_site(row) for row in rows]
                if len(rows) < page:
                    break
                offset += page
        return found


def _site(data: dict[str, Any]) -> Site:
    return Site(
        ps_id=data["ps_id"],
        name=data.get("name", ""),
        county=data.get("county_code", ""),
        address=data.get("address"),
        longitude=data.get("longitude"),
        latitude=data.get("latitude"),
        industry=data.get("industry"),
        contact_name=data.get("env_contact_name"),
        contact_phone=data.get("env_contact_phone"),
        operator_name=data.get("operator_name"),
        operator_phone=data.get("operator_phone"),
    )


def sites_dependency(request: Request) -> SiteDirectory:
    directory: SiteDirectory = request.app.state.sites
    return directory


SitesDep = Annotated[SiteDirectory, Depends(sites_dependency)]
