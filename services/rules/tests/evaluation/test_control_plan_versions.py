"""Rules 2 and 3 through the registry, with the enterprise's plan (一厂一策) as it stood at the time of the data.

A yellow warning is in force over the whole morning. The plan first limits the kiln to 50 % of its normal
consumption; three hours into the period the bureau revises it: the kiln must stop. The kiln runs flat out
all along, and its data only reaches the rules after the revision (a resend): the hours before the revision
are still judged by the limit, the hours after by the stop order.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fbjd_core.auth import Role
from fbjd_core.time import now


def _iso_minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


async def _plan(registry: Any, plant: Any, measure: dict[str, Any]) -> None:
    plan = {
        "name": "重污染天气黄色预警一厂一策",
        "measures": [{"facility_id": plant.facilities["kiln"]["id"], **measure}],
    }
    reply = await registry.put(f"/enterprises/{plant.ps_id}/control-plans/yellow", json=plan)
    assert reply.status_code == 200, reply.text


async def test_a_plan_changed_from_limit_to_stop_mid_period_judges_late_data_by_the_plan_of_its_hour(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    period_start = (now() - timedelta(hours=5)).replace(second=0, microsecond=0)
    revised, period_end = period_start + timedelta(hours=3), now() + timedelta(hours=1)
    registry = clients("registry", Role.CITY)
    with registry_at(now() - timedelta(days=2)):
        await plant.kiln_and_bag_filter()
        await _plan(registry, plant, {"action": "limit", "limit_share": 0.5})
        period = {
            "name": "沧州市重污染天气黄色预警（测试）",
            "level": "yellow",
            "counties": ["130902"],
            "starts_at": period_start.isoformat(),
            "ends_at": period_end.isoformat(),
        }
        assert (await registry.post("/control-periods", json=period)).status_code == 201
    with registry_at(revised):
        await _plan(registry, plant, {"action": "stop"})

    await plant.power("kiln", period_start - timedelta(days=1), [(1440, 80.0)])  # a normal day: the baseline
    await plant.power("kiln", period_start, [(300, 80.0)])
    _, end = await plant.power("fan", period_start, [(300, 30.0)])
    await flow.notify(plant, period_start, end)
    records = sorted(await flow.settled(plant.ps_id), key=lambda r: r["start"])
    assert [r["type"] for r in records] == ["limit_violation", "stop_violation"], records
    limit, stop = records
    assert limit["start"].startswith(_iso_minute(period_start + timedelta(hours=1)))
    assert limit["end"].startswith(_iso_minute(revised)) and "50%" in limit["remark"]
    assert stop["start"].startswith(_iso_minute(revised)) and "停产" in stop["remark"]

    # A resend of the first hours, judged again now that the plan says "stop": still the limit, same records.
    await plant.power("kiln", period_start + timedelta(minutes=30), [(60, 80.0)])
    await flow.notify(plant, period_start + timedelta(minutes=30), period_start + timedelta(minutes=90))
    again = sorted(await flow.settled(plant.ps_id), key=lambda r: r["start"])
    assert [(r["id"], r["type"], r["status"]) for r in again] == [(r["id"], r["type"], "open") for r in records]
    assert again[0]["end"] == limit["end"]
