"""Rule 2 through the registry: a plan that stops the kiln and a city control period around the data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fbjd_core.auth import Role
from fbjd_core.time import now


async def test_a_kiln_running_through_a_stop_order_is_a_stop_violation_within_the_period(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    start = (now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    registry = clients("registry", Role.CITY)
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
        plan = {
            "name": "重污染天气应急减排一厂一策（红色）",
            "measures": [{"facility_id": plant.facilities["kiln"]["id"], "action": "stop"}],
        }
        assert (await registry.put(f"/enterprises/{plant.ps_id}/control-plans/red", json=plan)).status_code == 200
        period = {
            "name": "沧州市重污染天气红色预警（测试）",
            "level": "red",
            "counties": ["130902"],
            "starts_at": (start + timedelta(minutes=30)).isoformat(),
            "ends_at": (start + timedelta(minutes=120)).isoformat(),
        }
        reply = await registry.post("/control-periods", json=period)
        assert reply.status_code == 201, reply.text
    await plant.power("kiln", start, [(150, 80.0)])
    _, end = await plant.power("fan", start, [(150, 30.0)])
    await flow.notify(plant, start, end)
    (record,) = await flow.settled(plant.ps_id)
    assert record["type"] == "stop_violation" and record["duration_minutes"] == 90
    assert record["start"].startswith((start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    assert "红色预警" in record["remark"] and record["treatment_facility_id"] is None
