"""Fixtures of the county intake tests: the real registry and workflow over HTTP on the test database, a bridge
pointed at both, and county platforms (machine clients of role county) that push as the province's interface.

Enterprises go into the registry through its API (新华区 and 沧县 works, each with a kiln, a bag filter with
main/standby fans and a link). The bridge's own delivery task is off: the tests drive a deliverer, as the
outbox tests drive the sender.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fbjd_bridge.config import service_token
from fbjd_bridge.county.delivery import CountyDeliverer, WorkflowIntake
from fbjd_core.auth import Role
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_registry.app import create_app as create_registry_app
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.config import Settings as RegistrySettings
from fbjd_registry.regions.service import ensure_cangzhou
from fbjd_registry.samples import register_works
from fbjd_testing.plugin import serve
from fbjd_workflow.app import create_app as create_workflow_app
from fbjd_workflow.config import Settings as WorkflowSettings
from pydantic import SecretStr

if TYPE_CHECKING:
    from conftest import Bridge, BridgeFactory

XINHUA, CANGXIAN = "130902", "130921"


@dataclass
class CityServices:
    registry_url: str
    workflow_url: str
    registry: httpx.AsyncClient  # role city
    workflow: httpx.AsyncClient  # role city (reads alarms)


@pytest.fixture(scope="session")
async def city_services(
    database_url: str, jwt_secret: str, make_token: Callable[..., str]
) -> AsyncIterator[CityServices]:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine).begin() as session:
        await ensure_cangzhou(session, ctx=ChangeContext(actor="test:setup", at=datetime(2020, 1, 1, tzinfo=UTC)))
    await engine.dispose()
    secret = SecretStr(jwt_secret)
    async with serve(create_registry_app(RegistrySettings(database_url=database_url, jwt_secret=secret))) as reg:
        workflow_settings = WorkflowSettings(
            database_url=database_url, jwt_secret=secret, scheduler_enabled=False, registry_url=reg, bridge_url=reg
        )
        city = {"Authorization": f"Bearer {make_token(Role.CITY)}"}
        async with (
            serve(create_workflow_app(workflow_settings)) as wf,
            httpx.AsyncClient(base_url=f"{reg}/api/registry", headers=city) as registry,
            httpx.AsyncClient(base_url=f"{wf}/api/workflow", headers=city) as workflow,
        ):
            yield CityServices(reg, wf, registry, workflow)


@dataclass(frozen=True)
class Works:
    """An enterprise as registered: the ids a county platform reports with."""

    ps_id: str
    county: str
    kiln: str
    bag: str
    fan: str
    standby: str


async def registered_works(registry: httpx.AsyncClient, county: str) -> Works:
    made = await register_works(registry, county, name="沧州市县级上报测试陶瓷有限公司")
    ids = (made["production"], made["treatment"], made["main"], made["standby"])
    return Works(made["ps_id"], county, *(str(item["id"]) for item in ids))


def abnormal_item(works: Works, start: str, end: str, **overrides: Any) -> dict[str, Any]:
    """One treatment abnormal item exactly as the province's interface takes it (CST wall clock)."""
    item: dict[str, Any] = {
        "psId": works.ps_id,
        "exDay": end[:10],
        "productorEquipId": works.kiln,
        "treatmentId": works.bag,
        "treatmentAmmeterId": works.fan,
        "treatmentAmmeterIds": f"{works.fan},{works.standby}",
        "exTimeStart": start,
        "exTimeEnd": end,
        "productorEquipThreshold": "10",
        "treatmentAmmeterThreshold": "12.5",
        "treatmentAmmeterThresholdTime": 15,
        "remark": "生产设施功率高于10kW期间布袋除尘器风机功率低于12.5kW，持续超过15分钟。",
    }
    item.update(overrides)
    return item


def limit_item(works: Works, start: str, end: str, **overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "psId": works.ps_id,
        "exDay": end[:10],
        "productorEquipId": works.kiln,
        "exTimeStart": start,
        "exTimeEnd": end,
        "remark": "橙色预警应急减排期间1#辊道窑应停产，功率持续高于停产阈值10kW。",
    }
    item.update(overrides)
    return item


@dataclass
class Desk:
    """The city's desk for county reports: the bridge, the platforms' clients, the deliverer, the workflow."""

    bridge: Bridge
    services: CityServices
    deliverer: CountyDeliverer

    def county(self, county: str = CANGXIAN) -> httpx.AsyncClient:
        return self.bridge.api(Role.COUNTY, county=county)

    async def push(
        self, items: list[dict[str, Any]], *, endpoint: str = "abnormal", county: str = CANGXIAN
    ) -> dict[str, Any]:
        reply = await self.county(county).post(f"/pcom/ps/ex/join/{endpoint}", json=items)
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = reply.json()
        return body

    async def reports(self, **params: Any) -> list[dict[str, Any]]:
        reply = await self.bridge.api(Role.CITY).get("/county-reports", params=params)
        assert reply.status_code == 200, reply.text
        result: list[dict[str, Any]] = reply.json()
        return result

    async def alarm(self, alarm_id: str) -> dict[str, Any]:
        reply = await self.services.workflow.get(f"/alarms/{alarm_id}")
        assert reply.status_code == 200, reply.text
        result: dict[str, Any] = reply.json()
        return result


@pytest.fixture
async def desk(city_services: CityServices, bridge_factory: BridgeFactory) -> AsyncIterator[Desk]:
    async with bridge_factory(
        registry_url=city_services.registry_url, workflow_url=city_services.workflow_url
    ) as bridge:
        intake = WorkflowIntake(city_services.workflow_url, token=lambda: service_token(bridge.settings))
        try:
            yield Desk(
                bridge,
                city_services,
                CountyDeliverer(bridge.sessionmaker, bridge.settings, intake, rng=random.Random(1)),
            )
        finally:
            await intake.aclose()


@pytest.fixture
async def cangxian_works(city_services: CityServices) -> Works:
    return await registered_works(city_services.registry, CANGXIAN)


@pytest.fixture
async def xinhua_works(city_services: CityServices) -> Works:
    return await registered_works(city_services.registry, XINHUA)
