"""`fbjd simulate --from-registry`: the registry's demo devices, simulated against the real ingest, land on the
registry's points (the registry seeds, ingest registers with the demo's factor map, the simulator sends)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_core.settings import asyncpg_dsn
from fbjd_infra.demo import device_registration
from fbjd_infra.simulators.clock import SimClock
from fbjd_infra.simulators.dtu import Simulation
from fbjd_infra.simulators.packets import meter_codes
from fbjd_infra.simulators.plant import MeterRole
from fbjd_infra.simulators.register import fetch_registry_devices
from fbjd_infra.simulators.registry_fleet import RegistryFleetError, fleet_from_registry
from fbjd_infra.simulators.terminal import TerminalOptions
from fbjd_ingest.app import create_app as create_ingest
from fbjd_ingest.config import Settings as IngestSettings
from fbjd_registry.app import create_app as create_registry
from fbjd_registry.config import Settings as RegistrySettings
from fbjd_testing.plugin import serve
from hj212.factors import Quantity
from pydantic import SecretStr


async def _sql(url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows: list[asyncpg.Record] = await conn.fetch(query, *args)
        return rows
    finally:
        await conn.close()


@pytest.fixture
async def platform(database_url: str, jwt_secret: str) -> AsyncIterator[tuple[str, str, int]]:
    """(registry URL, ingest URL, ingest HJ 212 port), both services on real HTTP."""
    secret = SecretStr(jwt_secret)
    registry = create_registry(RegistrySettings(database_url=database_url, jwt_secret=secret))
    ingest = create_ingest(
        IngestSettings(
            database_url=database_url,
            jwt_secret=secret,
            hj212_host="127.0.0.1",
            hj212_port=0,
            command_timeout_s=5.0,
            clock_skew_s=86400.0,
        )
    )
    async with serve(registry) as registry_url, serve(ingest) as ingest_url:
        yield registry_url, ingest_url, ingest.state.runtime.server.port


@pytest.mark.slow
async def test_registry_devices_are_simulated_onto_the_registrys_points(
    platform: tuple[str, str, int], database_url: str, make_token: Callable[..., str]
) -> None:
    registry_url, ingest_url, port = platform
    headers = {"Authorization": f"Bearer {make_token(Role.ADMIN)}"}
    async with httpx.AsyncClient(headers=headers, timeout=120) as client:
        seeded = await client.post(f"{registry_url}/api/registry/demo/seed")
        assert seeded.status_code == 200, seeded.text
        devices = (await client.get(f"{registry_url}/api/registry/devices")).json()
        assert devices
        devices = devices[:3]
        for device in devices:
            reply = await client.post(f"{ingest_url}/api/ingest/devices", json=device_registration(device))
            assert reply.status_code in (201, 409), reply.text

    fleet = fleet_from_registry(devices, violations_per_day=0.0)
    for spec, device in zip(fleet, devices, strict=True):
        assert (spec.mn, spec.password, spec.ps_id) == (device["mn"], device["demo_password"], device["ps_id"])
        sent_codes = {code for m in spec.plant.meters for code in meter_codes(spec.profile, m).values()}
        for point in device["points"]:  # every code the registry expects is in the packets
            assert point["factor_code"] in sent_codes
            assert point["energy_factor_code"] is None or point["energy_factor_code"] in sent_codes

    options = TerminalOptions(ack_timeout_s=2.0, reconnect_delay_s=0.1)
    simulation = Simulation(fleet, host="127.0.0.1", port=port, clock=SimClock(speed=120.0), options=options)
    run = asyncio.create_task(simulation.run(summary_every_s=5))
    mns = [d["mn"] for d in devices]
    try:
        async with asyncio.timeout(30):
            while True:
                rows = await _sql(
                    database_url,
                    "SELECT mn, count(*) AS n FROM ingest.receipts WHERE mn = ANY($1) AND cn = '2051' GROUP BY mn",
                    mns,
                )
                if len(rows) == len(mns) and all(r["n"] >= 3 for r in rows):
                    break
                await asyncio.sleep(0.2)
    finally:
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)

    for device in devices:
        stored = {
            (r["code"], r["point_id"], r["quantity"])
            for r in await _sql(
                database_url,
                "SELECT DISTINCT code, point_id, quantity FROM ingest.readings WHERE mn = $1 AND cn = '2051'",
                device["mn"],
            )
        }
        for point in device["points"]:  # readings arrive attributed to the registry's points
            assert (point["factor_code"], point["point_id"], Quantity.ACTIVE_POWER_KW.value) in stored
            if point["energy_factor_code"]:
                assert (point["energy_factor_code"], point["point_id"], Quantity.ENERGY_KWH.value) in stored


def test_standby_groups_become_main_and_standby_fans_and_the_total_line_keeps_its_code() -> None:
    device: dict[str, Any] = {
        "mn": "0123456789ABCDEF01234567", "ps_id": "0" * 32, "enterprise_name": "沧州市演示玻璃有限公司",
        "county_code": "130921", "factor_profile": "hj212-2025-electric", "demo_password": "123456",
        "points": [
            {"point_id": "p1", "name": "玻璃熔窑-1", "role": "production", "factor_code": "d20501",
             "energy_factor_code": "d20601", "rated_kw": 1200.0, "threshold_kw": 150.0, "standby_group": None},
            {"point_id": "t1", "name": "脱硝风机-主", "role": "treatment", "factor_code": "d30501",
             "energy_factor_code": "d30601", "rated_kw": 200.0, "threshold_kw": 40.0, "standby_group": "G1"},
            {"point_id": "t2", "name": "脱硝风机-备", "role": "treatment", "factor_code": "d30502",
             "energy_factor_code": "d30602", "rated_kw": 200.0, "threshold_kw": 40.0, "standby_group": "G1"},
            {"point_id": "total", "name": "厂区总进线", "role": "total_line", "factor_code": "d20502",
             "energy_factor_code": "d20602", "rated_kw": 2000.0, "threshold_kw": None, "standby_group": None},
        ],
    }  # fmt: skip
    (spec,) = fleet_from_registry([device])
    roles = {m.key: m.role for m in spec.plant.meters}
    assert roles == {
        "p1": MeterRole.PRODUCTION,
        "t1": MeterRole.TREATMENT_MAIN,
        "t2": MeterRole.TREATMENT_STANDBY,
        "total": MeterRole.TOTAL,
    }
    total = next(m for m in spec.plant.meters if m.key == "total")
    assert meter_codes(spec.profile, total)[Quantity.ACTIVE_POWER_KW] == "d20502"
    for meter in spec.plant.meters:  # running well above, idle well below the registry's threshold
        threshold = next(p["threshold_kw"] for p in device["points"] if p["point_id"] == meter.key)
        if threshold:
            assert meter.rated_kw * meter.idle_share < threshold < meter.rated_kw * meter.load_factor
    with pytest.raises(RegistryFleetError, match="demo_password"):
        fleet_from_registry([{**device, "demo_password": None}])


async def test_fetch_waits_until_the_registry_has_devices() -> None:
    answers = iter([[], [], [{"mn": "X"}]])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/auth/token":
            return httpx.Response(200, json={"access_token": "t"})
        return httpx.Response(200, json=next(answers))

    devices = await fetch_registry_devices(
        "http://gw", password="pw", retry_s=0.01, transport=httpx.MockTransport(handler)
    )
    assert devices == [{"mn": "X"}]
