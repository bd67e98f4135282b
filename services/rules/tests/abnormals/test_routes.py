"""GET /abnormals and /abnormals/{id}: filters, scopes (enterprise own, county own county), evidence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fbjd_core.auth import Role
from fbjd_core.time import now


async def _one_record(plant: Any, flow: Any, registry_at: Any) -> dict[str, Any]:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    await plant.power("kiln", start, [(150, 80.0)])
    _, end = await plant.power("fan", start, [(60, 30.0), (70, 1.0), (20, 30.0)])
    await flow.notify(plant, start, end)
    (record,) = await flow.settled(plant.ps_id)
    return record


async def test_each_role_sees_only_its_scope(plant: Any, flow: Any, clients: Any, registry_at: Any) -> None:
    record = await _one_record(plant, flow, registry_at)
    own = clients("rules", Role.ENTERPRISE, enterprise_id=plant.ps_id)
    other = clients("rules", Role.ENTERPRISE, enterprise_id="f" * 32)
    xinhua = clients("rules", Role.COUNTY, county="130902")
    cangxian = clients("rules", Role.COUNTY, county="130921")
    for client, visible in ((own, True), (other, False), (xinhua, True), (cangxian, False)):
        listed = (await client.get("/abnormals", params={"ps_id": plant.ps_id})).json()
        assert [r["id"] for r in listed] == ([record["id"]] if visible else [])
        reply = await client.get(f"/abnormals/{record['id']}")
        assert reply.status_code == (200 if visible else 404), reply.text
    assert (await cangxian.get("/abnormals", params={"county": "130902"})).json() == []


async def test_filters_by_type_grade_status_and_time(plant: Any, flow: Any, registry_at: Any) -> None:
    record = await _one_record(plant, flow, registry_at)
    assert record["grade"] == "serious"  # 70 minutes

    async def ids(**params: Any) -> list[str]:
        return [r["id"] for r in await flow.records(plant.ps_id, **params)]

    assert await ids(type="treatment_abnormal", grade="serious", status="open") == [record["id"]]
    assert await ids(type="stop_violation") == [] and await ids(grade="grave") == []
    assert await ids(status="withdrawn") == []
    assert await ids(**{"from": record["end"]}) == [record["id"]]
    assert await ids(to=record["start"]) == []


async def test_one_record_with_the_evidence_of_both_facilities(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    record = await _one_record(plant, flow, registry_at)
    detail = (await clients("rules", Role.CITY).get(f"/abnormals/{record['id']}")).json()
    evidence = detail["evidence"]
    by_role = {p["role"]: p for p in evidence["points"]}
    assert set(by_role) == {"production", "treatment"}
    assert (by_role["production"]["threshold_kw"], by_role["treatment"]["threshold_kw"]) == (20.0, 5.0)
    fan = [s["kw"] for s in by_role["treatment"]["samples"]]
    assert min(fan) == 1.0 and max(fan) == 30.0  # the margin shows the fan running before and after
    assert evidence["start"] < detail["start"] and evidence["end"] > detail["end"]
