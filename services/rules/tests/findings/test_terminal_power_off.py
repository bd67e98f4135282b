"""Terminal power-off (数采仪断电) through the service: a terminal silent, then its 2081 power-on report and fresh
data → one power-off finding from its last data to the power-on, the offline finding of that silence explained
(resolved with the power-off as its reason), both pushed to the workflow's maintenance intake. Without a 2081
the silence stays an offline finding only.

The 2081 is written into ingest's receipts as ingest stores it (DataTime, params with RestartTime); the rules
read it through `ingest.receipts_v1`. A terminal sends it once it is connected again, a little after the power
came back: the power-on is its RestartTime, not its DataTime.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest
from fbjd_core.auth import Role
from fbjd_core.time import now, to_cst

from .test_device import findings_of, rows


async def write_2081(plant: Any, data_time: datetime, restart: datetime) -> None:
    """A 2081 packet (data-logger power-on time) as ingest stores it; a resend of the same DataTime adds nothing."""
    params = json.dumps({"RestartTime": f"{to_cst(restart):%Y%m%d%H%M%S}"})
    conn = await asyncpg.connect(plant.database_url)
    try:
        await conn.execute(
            """
            INSERT INTO ingest.receipts (ps_id, mn, cn, data_time, qn, st, flag, pnum, pno, params, peer, received_at)
            VALUES ($1, $2, '2081', $3, $4, '44', 5, NULL, NULL, $5::jsonb, NULL, $6)
            ON CONFLICT (mn, cn, data_time) DO NOTHING
            """,
            plant.ps_id,
            plant.mn,
            data_time,
            f"{to_cst(data_time):%Y%m%d%H%M%S}000",
            params,
            now(),
        )
    finally:
        await conn.close()


def _power(plant: Any, start: datetime, count: int) -> list[tuple[Any, ...]]:
    code = plant.points["kiln"]["factor_code"]
    return rows(plant, "kiln", start, [50.0 + i % 3 for i in range(count)], quantity="active_power_kw", code=code)


async def _silent_since(plant: Any, flow: Any, registry_at: Any) -> datetime:
    """Minute data until an hour ago, then silence; the sweep opens the terminal's offline finding."""
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    last = (now() - timedelta(minutes=60)).replace(second=0, microsecond=0)
    await plant.write(_power(plant, last - timedelta(minutes=9), 10))
    await flow.notify(plant, last - timedelta(minutes=9), last)
    await flow.settled(plant.ps_id)
    assert await flow.app.state.sweep.offline_terminals() >= 1
    return last


async def _back(plant: Any, flow: Any, since: datetime) -> None:
    end = now().replace(second=0, microsecond=0)
    await plant.write(_power(plant, since, int((end - since).total_seconds() // 60)))
    await flow.notify(plant, since, end)
    await flow.settled(plant.ps_id)


async def _pushed(workflow: Any, ps_id: str, kind: str, versions: int) -> list[dict[str, Any]]:
    for _ in range(100):
        received = [f for f in workflow.findings_of(ps_id) if f["kind"] == kind]
        if len(received) >= versions:
            return received
        await asyncio.sleep(0.05)
    return [f for f in workflow.findings_of(ps_id) if f["kind"] == kind]


async def test_silent_50_min_then_a_2081_gives_one_power_off_from_the_last_data_to_the_power_on(
    plant: Any, flow: Any, clients: Any, workflow: Any, registry_at: Any
) -> None:
    last = await _silent_since(plant, flow, registry_at)
    power_on = last + timedelta(minutes=50)
    await write_2081(plant, power_on + timedelta(minutes=2), power_on)  # connected two minutes after power-on
    await _back(plant, flow, power_on + timedelta(minutes=1))

    (finding,) = await findings_of(clients, plant, "terminal_power_off", Role.ENTERPRISE, enterprise_id=plant.ps_id)
    assert finding["subject"] == plant.mn and finding["mn"] == plant.mn and finding["point_id"] is None
    assert finding["start_at"].startswith(last.strftime("%Y-%m-%dT%H:%M"))
    assert finding["end_at"].startswith(power_on.strftime("%Y-%m-%dT%H:%M"))
    assert finding["status"] == "resolved" and finding["severity"] == "general" and "数采仪断电" in finding["message"]
    (offline,) = await findings_of(clients, plant, "terminal_offline")
    assert offline["status"] == "resolved" and offline["end_at"].startswith(power_on.strftime("%Y-%m-%dT%H:%M"))
    assert offline["detail"]["explained_by"] == finding["id"] and "断电" in offline["status_reason"]
    (pushed,) = await _pushed(workflow, plant.ps_id, "terminal_power_off", 1)
    assert (pushed["id"], pushed["status"]) == (finding["id"], "resolved")
    assert workflow.of(plant.ps_id) == [], "operations alarms never go to the workflow's abnormals or the province"


async def test_a_resent_2081_still_gives_one_power_off(
    plant: Any, flow: Any, clients: Any, workflow: Any, registry_at: Any
) -> None:
    last = await _silent_since(plant, flow, registry_at)
    power_on = last + timedelta(minutes=50)
    await write_2081(plant, power_on, power_on)
    await write_2081(plant, power_on, power_on)  # the same packet again (its 9014 was lost): stored once
    await write_2081(plant, power_on + timedelta(seconds=40), power_on)  # sent again with a new DataTime
    await _back(plant, flow, power_on + timedelta(minutes=1))
    await flow.notify(plant, power_on, power_on + timedelta(minutes=2))  # evaluated again: nothing new
    await flow.settled(plant.ps_id)

    (finding,) = await findings_of(clients, plant, "terminal_power_off")
    assert finding["end_at"].startswith(power_on.strftime("%Y-%m-%dT%H:%M")) and finding["version"] == 1
    assert len(await _pushed(workflow, plant.ps_id, "terminal_power_off", 1)) == 1


async def test_a_silence_without_a_2081_is_offline_only(plant: Any, flow: Any, clients: Any, registry_at: Any) -> None:
    last = await _silent_since(plant, flow, registry_at)
    await _back(plant, flow, last + timedelta(minutes=51))
    assert await findings_of(clients, plant, "terminal_power_off") == []
    (offline,) = await findings_of(clients, plant, "terminal_offline")
    assert offline["status"] == "resolved" and "恢复上传数据" in offline["status_reason"]
    assert "explained_by" not in offline["detail"]


@pytest.mark.parametrize("sent_as", ["Rtd", "Info"])
async def test_instrument_status_power_fault_for_20_min_gives_one_power_off_with_its_end(
    plant: Any, flow: Any, clients: Any, registry_at: Any, sent_as: str
) -> None:
    """The terminal sends i12001 (instrument status) with its minute data, as a number (i12001-Rtd=6) or as
    text (i12001-Info=6): 6 (power fault) for 20 minutes."""
    with registry_at(now() - timedelta(days=1)):
        await plant.kiln_and_bag_filter()
    start = (now() - timedelta(minutes=50)).replace(second=0, microsecond=0)
    statuses = [0.0] * 10 + [6.0] * 20 + [0.0] * 10

    def status(value: float) -> tuple[float | None, str | None]:
        return (value, None) if sent_as == "Rtd" else (None, json.dumps({"Info": f"{value:.0f}"}))

    status_rows = [
        (plant.ps_id, plant.mn, "2051", "i12001", start + timedelta(minutes=i), status(value)[0], None, None, None,
         None, None, None, None, status(value)[1], now())
        for i, value in enumerate(statuses)
    ]  # fmt: skip
    await plant.write(_power(plant, start, 40) + status_rows)
    await flow.notify(plant, start, start + timedelta(minutes=40))
    await flow.settled(plant.ps_id)

    (finding,) = await findings_of(clients, plant, "terminal_power_off")
    assert finding["subject"] == plant.mn and finding["detail"]["source"] == "status"
    assert finding["start_at"].startswith((start + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"))
    assert finding["end_at"].startswith((start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    assert "i12001" in finding["message"]
