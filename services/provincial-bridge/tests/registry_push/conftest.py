"""The real registry over HTTP and a receiving app standing for the province's registry intake.

The province simulator (infra) has no endpoint for registry pushes — the province's intermediate-database
intake is not in our sources — so the target is a small app here: it keeps what it holds by kind and id
(an upsert, as the push contract asks), answers `{"success": true}`, and has switches to fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fbjd_core.auth import Role
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_registry.app import create_app as create_registry_app
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.config import Settings as RegistrySettings
from fbjd_registry.regions.service import ensure_cangzhou
from fbjd_registry.samples import register_works
from fbjd_testing.plugin import serve
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

XINHUA = "130902"
LISTS = ("enterprises", "productorEquips", "treatments", "ammeters", "relations")
ID_FIELDS = {
    "enterprises": ("enterprise", "psId"),
    "productorEquips": ("productorEquip", "productorEquipId"),
    "treatments": ("treatment", "treatmentId"),
    "ammeters": ("ammeter", "ammeterId"),
    "relations": ("relation", "relationId"),
}


@dataclass
class Target:
    """What the receiving end holds and was sent; `mode`: ok | http_500 | success_false | lost_reply."""

    mode: str = "ok"
    hang_s: float = 1.0
    bodies: list[dict[str, Any]] = field(default_factory=list)  # every body that arrived, in order
    attempts: int = 0
    held: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    cursor: str = "0"

    def apply(self, body: dict[str, Any]) -> None:
        for name in LISTS:
            kind, id_field = ID_FIELDS[name]
            for item in body[name]:
                self.held[(kind, item[id_field])] = item
        for gone in body["deleted"]:
            self.held.pop((gone["kind"], gone["id"]), None)
        self.cursor = body["cursor"]

    def of(self, ps_id: str) -> dict[tuple[str, str], dict[str, Any]]:
        return {key: item for key, item in self.held.items() if item["psId"] == ps_id}


def target_app(target: Target) -> FastAPI:
    app = FastAPI()

    @app.post("/registry")
    async def receive(request: Request) -> JSONResponse:
        target.attempts += 1
        body = await request.json()
        target.bodies.append(body)
        if target.mode == "http_500":
            return JSONResponse({"error": "down"}, status_code=500)
        if target.mode == "success_false":
            return JSONResponse({"success": False, "msg": "系统繁忙"})
        target.apply(body)
        if target.mode == "lost_reply":  # applied, but the answer never comes back in time
            await asyncio.sleep(target.hang_s)
        return JSONResponse({"success": True, "msg": "ok"})

    return app


@pytest.fixture(autouse=True)
async def registry_read_afresh(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Forget when the registry was last read: a test that moved the clock ahead leaves a `refreshed_at` in
    the future, and the refresh would wait for it (registry_refresh_seconds is 0 in these tests)."""
    async with sessionmaker.begin() as session:
        await session.execute(text("DELETE FROM bridge.registry_state"))


@pytest.fixture
async def target() -> AsyncIterator[tuple[Target, str]]:
    """A fresh target at a fresh URL (so a fresh cursor in bridge.registry_push)."""
    held = Target()
    async with serve(target_app(held)) as url:
        yield held, f"{url}/registry"
        held.mode = "ok"


@pytest.fixture
async def registry_url(database_url: str, jwt_secret: str) -> AsyncIterator[str]:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine).begin() as session:
        await ensure_cangzhou(session, ctx=ChangeContext(actor="test:setup", at=datetime.now(UTC)))
    await engine.dispose()
    settings = RegistrySettings(database_url=database_url, jwt_secret=SecretStr(jwt_secret))
    async with serve(create_registry_app(settings)) as url:
        yield url


@pytest.fixture
async def registry(registry_url: str, make_token: Any) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {make_token(Role.CITY)}"}
    async with httpx.AsyncClient(base_url=f"{registry_url}/api/registry", headers=headers, timeout=30) as client:
        yield client


async def ceramics_works(client: httpx.AsyncClient, county: str = XINHUA) -> dict[str, Any]:
    """A ceramics works: a kiln, its bag filter with a main and a standby fan, a total line, the link."""
    return await register_works(client, county, name="沧州市登记推送测试陶瓷有限公司", total_line=True)
