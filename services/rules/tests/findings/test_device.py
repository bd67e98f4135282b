"""Rule 5 through the service: readings stored → evaluation / sweep → a finding in GET /findings (operator and
enterprise), never a record for the workflow or the province."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fbjd_core.auth import Role
from fbjd_core.time import now, to_cst


def rows(
    plant: Any,
    key: str,
    start: datetime,
    values: list[float],
    *,
    quantity: str,
    code: str,
    ahead: timedelta = timedelta(0),
    every: timedelta = timedelta(minutes=1),
    skip: int = 0,
) -> list[tuple[Any, ...]]:
    """Minute data of one code of a point; `ahead`: the DataTime is this far ahead of its reception;
    `skip`: every `skip`-th minute is not sent."""
    out = []
    for i, value in enumerate(values):
        if skip and i % skip == 0:
            continue
        t = start + i * every
        point = plant.points[key]["id"]
        out.append(
            (
                plant.ps_id,
                plant.mn,
                "2051",
                code,
                t,
                None,
                value,
                value,
                value,
                None,
                "N",
                quantity,
                point,
                None,
                t - ahead if ahead else now(),
            )
        )
    return out


async def findings_of(clients: Any, plant: Any, kind: str, role: Role = Role.CITY, **scope: str) -> list[Any]:
    reply = await clients("rules", role, **scope).get("/findings", params={"ps_id": plant.ps_id, "kind": kind})
    assert reply.status_code == 200, reply.text
    result: list[Any] = reply.json()
    return result


async def test_voltage_lost_for_20_min_gives_one_power_off_finding_with_its_end(
    plant: Any, flow: Any, clients: Any, workflow: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    voltage = [220.0] * 30 + [0.0] * 20 + [221.0] * 30
    await plant.write(rows(plant, "fan", start, voltage, quantity="voltage_v", code="a01"))
    await flow.notify(plant, start, start + timedelta(minutes=80))
    assert await flow.settled(plant.ps_id) == []
    (finding,) = await findings_of(clients, plant, "power_off", Role.ENTERPRISE, enterprise_id=plant.ps_id)
    assert finding["status"] == "resolved" and finding["severity"] == "general" and finding["mn"] == plant.mn
    assert finding["point_id"] == plant.points["fan"]["id"] and "断电" in finding["message"]
    assert finding["start_at"].startswith((start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    assert finding["end_at"].startswith((start + timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M"))
    await flow.notify(plant, start, start + timedelta(minutes=80))  # evaluated again: the same finding
    await flow.settled(plant.ps_id)
    assert len(await findings_of(clients, plant, "power_off")) == 1
    assert workflow.of(plant.ps_id) == [], "operations alarms never go to the workflow or the province"


async def test_power_stuck_for_5_hours_while_current_moves_is_a_stuck_value_finding(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=6)).replace(second=0, microsecond=0)
    power = [40.0] * 20 + [37.5] * 300 + [41.0] * 10
    current = [60.0 + i % 7 for i in range(330)]
    written = rows(plant, "kiln", start, power, quantity="active_power_kw", code=plant.points["kiln"]["factor_code"])
    written += rows(plant, "kiln", start, current, quantity="current_a", code="ia")
    await plant.write(written)
    await flow.notify(plant, start, start + timedelta(minutes=330))
    await flow.settled(plant.ps_id)
    (finding,) = await findings_of(clients, plant, "value_stuck")
    assert finding["point_id"] == plant.points["kiln"]["id"] and finding["severity"] == "grave"
    assert finding["detail"]["value"] == 37.5 and finding["status"] == "resolved"
    assert finding["start_at"].startswith((start + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M"))


async def test_data_ten_minutes_from_the_future_is_a_clock_skew_finding(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    power = [50.0 + i % 3 for i in range(10)]
    code = plant.points["kiln"]["factor_code"]
    written = rows(plant, "kiln", start, power, quantity="active_power_kw", code=code, ahead=timedelta(minutes=10))
    await plant.write(written)
    await flow.notify(plant, start, start + timedelta(minutes=10))
    await flow.settled(plant.ps_id)
    (finding,) = await findings_of(clients, plant, "clock_skew")
    assert finding["point_id"] == plant.points["kiln"]["id"] and len(finding["detail"]["times"]) == 10


async def test_a_day_with_80_percent_of_its_minutes_gives_a_transmission_rate_finding(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=3)):
        await plant.kiln_and_bag_filter()
    day = to_cst(now()).date() - timedelta(days=1)
    midnight = datetime(day.year, day.month, day.day, tzinfo=to_cst(now()).tzinfo)
    code = plant.points["kiln"]["factor_code"]
    power = [50.0] * 1440
    await plant.write(rows(plant, "kiln", midnight, power, quantity="active_power_kw", code=code, skip=5))
    await flow.notify(plant, midnight, midnight + timedelta(days=1))
    await flow.settled(plant.ps_id)
    assert await flow.app.state.sweep.transmission_rates(day) >= 1
    (finding,) = await findings_of(clients, plant, "transmission_low")
    assert finding["detail"]["period"] == day.isoformat() and finding["detail"]["rate"] == 0.8
    assert finding["point_id"] == plant.points["kiln"]["id"] and "80.0%" in finding["message"]
    await flow.app.state.sweep.transmission_rates(day)  # run again: the same finding
    assert len(await findings_of(clients, plant, "transmission_low")) == 1


async def test_a_power_off_of_8_hours_told_in_two_parts_is_one_finding_closed_when_voltage_is_back(
    plant: Any, flow: Any, clients: Any, registry_at: Any
) -> None:
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(hours=9)).replace(second=0, microsecond=0)
    await plant.write(rows(plant, "fan", start, [220.0] * 30 + [0.0] * 30, quantity="voltage_v", code="a01"))
    await flow.notify(plant, start, start + timedelta(minutes=60))
    await flow.settled(plant.ps_id)
    (opened,) = await findings_of(clients, plant, "power_off")
    assert opened["status"] == "open" and opened["end_at"] is None
    later = start + timedelta(minutes=60)
    voltage = [0.0] * 450 + [220.0] * 30  # back after 8 h lost in all
    await plant.write(rows(plant, "fan", later, voltage, quantity="voltage_v", code="a01"))
    await flow.notify(plant, later + timedelta(minutes=450), later + timedelta(minutes=480))
    await flow.settled(plant.ps_id)
    (closed,) = await findings_of(clients, plant, "power_off")
    assert closed["id"] == opened["id"] and closed["status"] == "resolved" and closed["severity"] == "grave"
    assert closed["end_at"].startswith((later + timedelta(minutes=450)).strftime("%Y-%m-%dT%H:%M"))
