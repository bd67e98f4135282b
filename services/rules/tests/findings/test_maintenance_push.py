"""Device and data findings go to the workflow's maintenance tickets, every version through the outbox
(destination `maintenance`); a terminal-offline finding whose gap the terminal's resent history fills is
withdrawn, one that ends with fresh data is resolved; both closings carry their reason. What the rules send,
the real workflow accepts and turns into a ticket that closes with that reason."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_core.time import now
from fbjd_rules.outbox.models import OutboxMessage
from fbjd_testing.plugin import serve
from fbjd_workflow.app import create_app as create_workflow_app
from fbjd_workflow.config import Settings as WorkflowSettings
from pydantic import SecretStr
from sqlalchemy import select


async def _offline(plant: Any, flow: Any, registry_at: Any, *, registered: bool = False) -> Any:
    """A terminal heard from an hour ago, then silent: the sweep opens its offline finding."""
    if not registered:
        with registry_at(now() - timedelta(days=1)):
            await plant.kiln_and_bag_filter()
    last = (now() - timedelta(hours=1)).replace(microsecond=0)
    await flow.notify(plant, last - timedelta(minutes=5), last)
    await flow.settled(plant.ps_id)
    assert await flow.app.state.sweep.offline_terminals() >= 1
    return last


async def _offline_pushed(plant: Any, flow: Any, workflow: Any, registry_at: Any) -> Any:
    """As `_offline`, and its first version delivered (a later one would supersede it while both wait)."""
    last = await _offline(plant, flow, registry_at)
    assert [m["version"] for m in await _pushed(workflow, flow, plant.ps_id, 1)] == [1]
    return last


async def _pushed(workflow: Any, flow: Any, ps_id: str, versions: int) -> list[dict[str, Any]]:
    await flow.settled(ps_id)
    for _ in range(100):
        if len(workflow.findings_of(ps_id)) >= versions:
            break
        await asyncio.sleep(0.05)
    received: list[dict[str, Any]] = workflow.findings_of(ps_id)
    return received


async def test_an_offline_terminal_back_with_fresh_data_is_pushed_open_then_resolved(
    plant: Any, flow: Any, workflow: Any, registry_at: Any
) -> None:
    await _offline(plant, flow, registry_at)
    (opened,) = await _pushed(workflow, flow, plant.ps_id, 1)
    assert opened["schema"] == "fbjd.maintenance-finding/v1" and opened["kind"] == "terminal_offline"
    assert (opened["version"], opened["status"], opened["mn"]) == (1, "open", plant.mn)
    assert opened["county"] == "130902" and opened["message"].startswith("数采仪离线")
    await flow.notify(plant, now() - timedelta(minutes=1), now())
    _, resolved = await _pushed(workflow, flow, plant.ps_id, 2)
    assert (resolved["id"], resolved["version"], resolved["status"]) == (opened["id"], 2, "resolved")
    assert "恢复上传数据" in resolved["reason"]


async def test_resent_history_that_fills_the_gap_withdraws_the_offline_finding(
    plant: Any, flow: Any, workflow: Any, registry_at: Any, clients: Any
) -> None:
    last = await _offline_pushed(plant, flow, workflow, registry_at)
    await flow.notify(plant, last + timedelta(minutes=5), now())  # the buffered history from the first gap on
    opened, withdrawn = await _pushed(workflow, flow, plant.ps_id, 2)
    assert (withdrawn["id"], withdrawn["version"], withdrawn["status"]) == (opened["id"], 2, "withdrawn")
    assert "补传" in withdrawn["reason"]
    city = clients("rules", Role.CITY)
    (finding,) = (await city.get("/findings", params={"ps_id": plant.ps_id, "kind": "terminal_offline"})).json()
    assert finding["status"] == "withdrawn" and finding["version"] == 2 and "补传" in finding["status_reason"]


async def test_history_older_than_the_spell_neither_resolves_nor_withdraws_it(
    plant: Any, flow: Any, workflow: Any, registry_at: Any, clients: Any
) -> None:
    last = await _offline_pushed(plant, flow, workflow, registry_at)
    await flow.notify(plant, last - timedelta(hours=3), last - timedelta(hours=2))
    await flow.settled(plant.ps_id)
    city = clients("rules", Role.CITY)
    (finding,) = (await city.get("/findings", params={"ps_id": plant.ps_id, "kind": "terminal_offline"})).json()
    assert finding["status"] == "open" and finding["version"] == 1
    assert [m["version"] for m in workflow.findings_of(plant.ps_id)] == [1]


async def test_findings_go_only_to_maintenance_and_records_never_do(plant: Any, flow: Any, registry_at: Any) -> None:
    await _offline(plant, flow, registry_at)
    start = (now() - timedelta(minutes=50)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(40, 80.0)])
    await plant.power("fan", start, [(40, 1.0)])
    await flow.notify(plant, start, start + timedelta(minutes=40))
    (record,) = await flow.settled(plant.ps_id)
    async with flow.app.state.sessionmaker() as session:
        rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.ps_id == plant.ps_id))).all()
    by_destination: dict[str, set[str]] = {}
    for row in rows:
        by_destination.setdefault(row.destination, set()).add(str(row.record_id))
    assert by_destination["workflow"] == by_destination["bridge"] == {record["id"]}
    assert record["id"] not in by_destination["maintenance"] and len(by_destination["maintenance"]) == 1


@pytest.fixture
async def real_workflow(database_url: str, jwt_secret: str) -> AsyncIterator[Callable[[], httpx.AsyncClient]]:
    """The real workflow service (its own schema in the same test database), called as the rules would."""
    settings = WorkflowSettings(database_url=database_url, jwt_secret=SecretStr(jwt_secret), scheduler_enabled=False)
    async with serve(create_workflow_app(settings)) as url:
        yield lambda: httpx.AsyncClient(base_url=f"{url}/api/workflow", timeout=30)


async def test_the_real_workflow_opens_a_ticket_and_closes_it_with_the_rules_reason(
    plant: Any,
    flow: Any,
    workflow: Any,
    registry_at: Any,
    real_workflow: Callable[[], httpx.AsyncClient],
    make_token: Callable[..., str],
) -> None:
    last = await _offline_pushed(plant, flow, workflow, registry_at)
    await flow.notify(plant, last + timedelta(minutes=5), now())
    opened, withdrawn = await _pushed(workflow, flow, plant.ps_id, 2)
    rules = {"Authorization": f"Bearer {make_token(Role.SERVICE, subject='rules')}"}
    city = {"Authorization": f"Bearer {make_token(Role.CITY, subject='city-01')}"}
    async with real_workflow() as client:
        created = await client.post("/maintenance/findings", json=opened, headers=rules)
        assert created.status_code == 201, created.text
        assert (await client.post("/maintenance/findings", json=opened, headers=rules)).json()["applied"] == "duplicate"
        closed = await client.post("/maintenance/findings", json=withdrawn, headers=rules)
        assert closed.status_code == 200 and closed.json()["status"] == "closed"
        ticket = (await client.get(f"/maintenance/{created.json()['ticket_id']}", headers=city)).json()
    assert ticket["mn"] == plant.mn and ticket["county"] == "130902" and ticket["close_reason"] == "finding_withdrawn"
    assert "补传" in ticket["events"][-1]["reason"]


async def test_a_finding_names_the_enterprises_operator_so_the_ticket_can_be_assigned_to_it(
    plant: Any, flow: Any, workflow: Any, registry_at: Any, clients: Any
) -> None:
    """The enterprise's 第三方运维单位 is registered with its contact: the maintenance finding carries both."""
    import random

    from fbjd_registry.samples import credit_code

    registry = clients("registry", Role.CITY)
    vendor = {
        "name": f"沧州市环测运维有限公司{random.randint(10000, 99999)}",
        "credit_code": credit_code("130902"),
        "kind": "operator",
        "contact_name": "李工",
        "contact_phone": "13803170009",
    }
    created = await registry.post("/vendors", json=vendor)
    assert created.status_code == 201, created.text
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    assignment = {"vendor_id": created.json()["id"], "role": "operator"}
    assert (await registry.post(f"/enterprises/{plant.ps_id}/vendors", json=assignment)).status_code == 201
    await _offline(plant, flow, registry_at, registered=True)
    (opened,) = await _pushed(workflow, flow, plant.ps_id, 1)
    assert (opened["operator_name"], opened["operator_phone"]) == (vendor["name"], "13803170009")


async def test_without_an_operator_the_finding_names_none(
    plant: Any, flow: Any, workflow: Any, registry_at: Any
) -> None:
    await _offline(plant, flow, registry_at)
    (opened,) = await _pushed(workflow, flow, plant.ps_id, 1)
    assert "operator_name" not in opened
