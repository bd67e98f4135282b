"""What the registry knows about an enterprise's site (地址、坐标、联系人), read over HTTP as the service role.

Used where the workflow needs more than the abnormal record carries: the county of an enterprise that
declares before it ever had an alarm, and the address and coordinates an officer needs on site. The registry
being down must not stop the process: callers get None and fall back (the record's own fields).
"""

from __future__ import annotations

import logging
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


class SiteDirectory:
    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        self._base = settings.registry_url.rstrip("/") + "/api/registry"
        self._secret = settings.jwt_secret.get_secret_value()
        self._timeout = settings.registry_timeout_seconds
        self._client = client

    async def site(self, ps_id: str) -> Site | None:
        """The registry's facts about the enterprise, or None when it is unknown or the registry unreachable."""
        token = issue_token(
            Principal(subject="workflow", role=Role.SERVICE), secret=self._secret, ttl=timedelta(minutes=5)
        )
        try:
            reply = await self._client.get(
                f"{self._base}/enterprises/{ps_id}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:
            log.warning("registry unreachable", extra={"ps_id": ps_id, "error": repr(exc)})
            return None
        if reply.status_code != 200:
            log.warning("registry has no such enterprise", extra={"ps_id": ps_id, "status": reply.status_code})
            return None
        data: dict[str, Any] = reply.json()
        return Site(
            ps_id=ps_id,
            name=data.get("name", ""),
            county=data.get("county_code", ""),
            address=data.get("address"),
            longitude=data.get("longitude"),
            latitude=data.get("latitude"),
            industry=data.get("industry"),
            contact_name=data.get("env_contact_name"),
            contact_phone=data.get("env_contact_phone"),
        )


def sites_dependency(request: Request) -> SiteDirectory:
    directory: SiteDirectory = request.app.state.sites
    return directory


SitesDep = Annotated[SiteDirectory, Depends(sites_dependency)]
