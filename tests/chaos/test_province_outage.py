"""The bridge and the province over real HTTP, the bridge as its own process: the province goes down and comes back,
and the bridge process is killed (SIGKILL) in the middle of draining its outbox and started again.

Nothing is lost (every record ends at the province), nothing is doubled (the province holds each record once), and
while the province is down the backlog is visible in GET /api/bridge/status.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_infra.postgres import free_port
from fbjd_infra.simulators.province import create_app as create_province
from fbjd_infra.simulators.province.app import ProvinceState
from fbjd_testing.plugin import serve

pytestmark = pytest.mark.slow

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


@dataclass
class Province:
    url: str
    state: ProvinceState
    client: httpx.AsyncClient

    async def switch(self, mode: str, **extra: Any) -> None:
        reply = await self.client.post("/_switch", json={"mode": mode, **extra})
        assert reply.status_code == 200, reply.text

    def held(self, ps_ids: set[str]) -> list[Any]:
        return [h for h in self.state.store.held() if h.ps_id in ps_ids]

    def arrivals(self, ps_ids: set[str]) -> list[dict[str, Any]]:
        return [item for _, item, _ in self.state.store.arrivals if item.get("psId") in ps_ids]


@pytest.fixture
async def province() -> AsyncIterator[Province]:
    app = create_province(hang_s=3.0)
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=5) as client:
        yield Province(url, app.state.province, client)
        await client.post("/_switch", json={"mode": "ok"})


class BridgeProcess:
    """`uvicorn --factory fbjd_bridge.app:main` in a process of its own, started and killed by the test."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        args = [sys.executable, "-m", "uvicorn", "--factory", "fbjd_bridge.app:main", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*args, "--log-level", "warning"], env=self.env, stdout=subprocess.DEVNULL, start_new_session=True
        )
        async with httpx.AsyncClient(base_url=self.url, timeout=1) as client:
            for _ in range(300):
                if self.process.poll() is not None:
                    raise RuntimeError(f"the bridge exited with {self.process.returncode}")
                try:
                    if (await client.get("/api/bridge/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("the bridge did not start in 30 s")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no last commit (what a power cut or an OOM kill does)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def bridge_env(database_url: str, jwt_secret: str, province: Province) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "FBJD_JWT_SECRET": jwt_secret,
        "FBJD_PROVINCE_BASE_URL": province.url,
        "FBJD_OUTBOX_POLL_SECONDS": "0.05",
        "FBJD_OUTBOX_BATCH_SIZE": "5",
        "FBJD_BACKOFF_BASE_SECONDS": "0.2",
        "FBJD_BACKOFF_MAX_SECONDS": "0.5",
        "FBJD_PROVINCE_TIMEOUT_SECONDS": "2",
        "FBJD_REGISTRY_REFRESH_SECONDS": "3600",
        "FBJD_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def bridges() -> Iterator[list[BridgeProcess]]:
    """The bridge processes a test starts; stopped (SIGTERM, then SIGKILL) whatever the test's outcome."""
    started: list[BridgeProcess] = []
    yield started
    for bridge in started:
        bridge.stop()


def record(ps_id: str, n: int) -> dict[str, Any]:
    """A treatment abnormal record as the rules service posts it (version 1)."""
    start = T0 + timedelta(minutes=30 * n)
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "type": "treatment_abnormal",
        "ps_id": ps_id,
        "enterprise_name": "沧州市某陶瓷有限公司",
        "county": "130902",
        "industry": "陶瓷",
        "production_facility_id": f"pf-{ps_id[:6]}",
        "production_facility_name": "1#喷雾干燥塔",
        "treatment_facility_id": f"tf-{ps_id[:6]}",
        "treatment_facility_name": "1#布袋除尘器",
        "treatment_point_id": f"tp-{ps_id[:6]}-{n}",
        "treatment_point_ids": [f"tp-{ps_id[:6]}-{n}"],
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (start + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ongoing": False,
        "duration_minutes": 20,
        "grade": "general",
        "production_threshold_kw": 12.5,
        "treatment_threshold_kw": 3.0,
        "judgement_minutes": 15,
        "remark": "生产设施运行期间治污设施未运行，持续20分钟。",
        "status": "open",
    }


Check = Callable[[], Awaitable[bool]]


async def wait_until(check: Check, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.1)


async def post_all(bridge: BridgeProcess, token: str, records: list[dict[str, Any]]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=bridge.url, headers=headers, timeout=10) as client:
        for item in records:
            reply = await client.post("/api/bridge/abnormals", json=item)
            assert reply.status_code == 202, reply.text


async def status(bridge: BridgeProcess, token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=bridge.url, timeout=10) as client:
        reply = await client.get("/api/bridge/status", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    return {e["endpoint"]: e for e in reply.json()["endpoints"]}


def assert_each_record_held_once(province: Province, records: list[dict[str, Any]]) -> None:
    ps_ids = {r["ps_id"] for r in records}
    held = province.held(ps_ids)
    points = sorted(h.point for h in held)
    assert points == sorted(r["treatment_point_id"] for r in records), "each record exactly once at the province"


async def test_the_province_down_then_back_loses_nothing_doubles_nothing_and_shows_the_backlog(
    province: Province, bridge_env: dict[str, str], bridges: list[BridgeProcess], make_token: Callable[..., str]
) -> None:
    bridge = BridgeProcess(bridge_env)
    bridges.append(bridge)
    await bridge.start()
    service, city = make_token(Role.SERVICE), make_token(Role.CITY)
    ps_ids = [uuid.uuid4().hex for _ in range(6)]
    records = [record(ps_id, n) for n in range(5) for ps_id in ps_ids]
    succeeded_before = (await status(bridge, city))["abnormal"]["last_success_at"]  # the session's earlier tests

    await province.switch("error500")
    await post_all(bridge, service, records)

    async def backlog_visible() -> bool:
        abnormal = (await status(bridge, city))["abnormal"]
        return bool(abnormal["backlog"] >= len(records) and abnormal["consecutive_failures"] >= 2)

    await wait_until(backlog_visible, 20, "the backlog and the failures shown in /status")
    down = (await status(bridge, city))["abnormal"]
    assert down["last_error"] and down["last_success_at"] == succeeded_before, "no success while the province is down"
    assert province.held(set(ps_ids)) == []

    await province.switch("ok")

    async def drained() -> bool:
        return bool((await status(bridge, city))["abnormal"]["backlog"] == 0)

    await wait_until(drained, 30, "the outbox drained after the province came back")
    up = (await status(bridge, city))["abnormal"]
    assert up["consecutive_failures"] == 0 and up["last_success_at"] is not None
    assert_each_record_held_once(province, records)
    assert len(province.arrivals(set(ps_ids))) == len(records), "no record was sent twice"


async def test_the_bridge_killed_mid_drain_and_restarted_delivers_every_record_once(
    province: Province, bridge_env: dict[str, str], bridges: list[BridgeProcess], make_token: Callable[..., str]
) -> None:
    first = BridgeProcess(bridge_env)
    bridges.append(first)
    await first.start()
    service, city = make_token(Role.SERVICE), make_token(Role.CITY)
    ps_ids = [uuid.uuid4().hex for _ in range(10)]
    records = [record(ps_id, n) for n in range(4) for ps_id in ps_ids]

    await province.switch("slow", delay_s=0.3)  # each batch of 5 takes a while: the kill lands mid-drain
    await post_all(first, service, records)

    async def some_arrived() -> bool:
        return len(province.arrivals(set(ps_ids))) >= 10

    await wait_until(some_arrived, 30, "the drain under way")
    first.kill()
    at_kill = len(province.arrivals(set(ps_ids)))
    assert at_kill < len(records), "killed before the outbox was empty"

    second = BridgeProcess(bridge_env)
    bridges.append(second)
    await second.start()
    await province.switch("ok")

    async def drained() -> bool:
        return bool((await status(second, city))["abnormal"]["backlog"] == 0)

    await wait_until(drained, 30, "the restarted bridge drained the outbox")
    assert_each_record_held_once(province, records)
    resent = len(province.arrivals(set(ps_ids))) - len(records)
    assert 0 <= resent <= 5, f"at most the one batch in flight at the kill is sent again ({resent} were)"
