"""What the pages and statistics read: power curves, live state, consumption rollups, overview figures.

Each test sends its data over HJ 212 to the real ingest service (real TCP, real PostgreSQL) and reads it back
over real HTTP. Consumption is brought up to date by the rollup function the service's background task runs.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from fbjd_core.auth import Role
from fbjd_core.time import CST, now
from fbjd_ingest.consumption.rollup import refresh_all

from .conftest import IngestUnderTest, Terminal, Values, cst, new_ps_id

POWER, ENERGY = "d20501", "d20601"


def new_point() -> str:
    return f"P-{uuid.uuid4().hex[:10]}"


def today() -> date:
    return cst(now()).date()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A CST wall-clock DataTime, as terminals write it."""
    return datetime.combine(day, time(hour, minute))


async def metered_point(
    ingest: IngestUnderTest, *, ps_id: str | None = None, county: str | None = None, codes: tuple[str, ...] = ()
) -> tuple[Terminal, str, str]:
    """A terminal carrying one registry point on `codes` (power d20501, energy d20601): (terminal, point, psId)."""
    point, ps_id = new_point(), ps_id or new_ps_id()
    quantities = {POWER: "active_power_kw", ENERGY: "energy_kwh"}
    factor_map = {code: {"point_id": point, "quantity": quantities[code]} for code in codes or (POWER, ENERGY)}
    fields: dict[str, Any] = {"factor_map": factor_map}
    if county is not None:
        fields["county"] = county
    device = await ingest.register(ps_id=ps_id, **fields)
    return await ingest.terminal(device["mn"]), point, ps_id


async def send(terminal: Terminal, cn: str, data_time: datetime, values: Values) -> None:
    await terminal.ack(await terminal.send(cn, data_time, values))


ROUND_LOCK = "hashtext('fbjd_ingest.consumption_rollup')"


async def settle(ingest: IngestUnderTest, points: list[str]) -> None:
    """Run the rollup until the points' keys are clean and no round is running (the service's own task may be in
    the middle of one: wait for it)."""
    pool = ingest.app.state.runtime.pool
    for _ in range(200):
        await refresh_all(pool)
        left = await ingest.sql(
            f"SELECT count(*) AS n, pg_try_advisory_lock({ROUND_LOCK}) AS free, pg_advisory_unlock_all() "
            "FROM ingest.consumption_dirty WHERE point_id = ANY($1)",
            points,
        )
        if left[0]["n"] == 0 and left[0]["free"]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("consumption keys stayed dirty")


async def get(ingest: IngestUnderTest, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
    reply = await ingest.http.get(f"/api/ingest{path}", params=params, headers=headers or ingest.auth())
    assert reply.status_code == 200, reply.text
    return reply.json()


async def daily(ingest: IngestUnderTest, point: str, first: date, last: date) -> dict[str, float]:
    body = await get(
        ingest, "/consumption", period="day", group="point", start=first.isoformat(), end=last.isoformat(),
        point_id=point,
    )  # fmt: skip
    return {row["period_start"]: row["kwh"] for row in body["rows"]}


# -- power curves -----------------------------------------------------------------------------------------------


async def test_a_day_of_five_minute_power_comes_back_as_raw_samples(ingest: IngestUnderTest) -> None:
    terminal, point, ps_id = await metered_point(ingest, codes=(POWER,))
    day = today() - timedelta(days=2)
    for i in range(12):
        await send(terminal, "2051", at(day, 10, 5 * i), {POWER: {"Avg": f"{100 + i}", "Flag": "N"}})
    body = await get(ingest, f"/points/{point}/series", start=at(day, 10).isoformat(), end=at(day, 11).isoformat())
    assert (body["point_id"], body["ps_id"], body["quantity"], body["step_seconds"]) == (point, ps_id, "power_kw", 300)
    assert [s["kw"] for s in body["samples"]] == [100.0 + i for i in range(12)]
    assert {(s["min_kw"], s["max_kw"]) for s in body["samples"]} == {(None, None)}
    assert datetime.fromisoformat(body["samples"][0]["t"]) == at(day, 10).replace(tzinfo=CST)
    await terminal.close()


async def test_more_samples_than_asked_for_come_back_as_buckets_with_average_minimum_and_maximum(
    ingest: IngestUnderTest,
) -> None:
    terminal, point, _ = await metered_point(ingest, codes=(POWER,))
    day = today() - timedelta(days=2)
    for i in range(24):  # two hours of 5-min data, kW = 0, 1, 2, ...
        await send(terminal, "2051", at(day, 8, 0) + timedelta(minutes=5 * i), {POWER: {"Avg": f"{i}"}})
    body = await get(
        ingest, f"/points/{point}/series", start=at(day, 8).isoformat(), end=at(day, 10).isoformat(), max_samples=10
    )
    assert body["step_seconds"] == 720  # 2 h in at most 10 buckets of whole minutes
    first, *_, last = body["samples"]
    assert len(body["samples"]) == 10
    assert (first["kw"], first["min_kw"], first["max_kw"]) == (1.0, 0.0, 2.0)  # 08:00, 08:05, 08:10
    assert (last["min_kw"], last["max_kw"]) == (22.0, 23.0)
    await terminal.close()


async def test_where_only_energy_arrives_power_comes_from_the_register_and_a_reset_is_never_negative(
    ingest: IngestUnderTest,
) -> None:
    terminal, point, _ = await metered_point(ingest, codes=(ENERGY,))
    day = today() - timedelta(days=2)
    for i, register in enumerate(["1000", "1010", "1020", "2", "12"]):  # the meter was reset after 10:10
        await send(terminal, "2051", at(day, 10, 5 * i), {ENERGY: {"Max": register, "Flag": "N"}})
    body = await get(ingest, f"/points/{point}/series", start=at(day, 10).isoformat(), end=at(day, 11).isoformat())
    # 10 kWh in 5 minutes is 120 kW; the reset counts from zero (2 kWh: 24 kW); the last reading has no next
    assert [s["kw"] for s in body["samples"]] == [120.0, 120.0, 24.0, 120.0]
    await terminal.close()


async def test_energy_with_its_period_consumption_gives_power_over_the_interval(ingest: IngestUnderTest) -> None:
    terminal, point, _ = await metered_point(ingest, codes=(ENERGY,))
    day = today() - timedelta(days=2)
    await send(terminal, "2051", at(day, 9), {ENERGY: {"Cou": "2.5", "Max": "500"}})
    body = await get(ingest, f"/points/{point}/series", start=at(day, 9).isoformat(), end=at(day, 10).isoformat())
    assert [s["kw"] for s in body["samples"]] == [30.0]  # 2.5 kWh in 5 minutes
    await terminal.close()


async def test_a_point_that_is_unknown_or_not_yours_answers_404_and_bad_ranges_422(ingest: IngestUnderTest) -> None:
    terminal, point, ps_id = await metered_point(ingest, codes=(POWER,))
    own = ingest.auth(Role.ENTERPRISE, enterprise_id=ps_id)
    other = ingest.auth(Role.ENTERPRISE, enterprise_id=new_ps_id())
    path = f"/api/ingest/points/{point}/series"
    assert (await ingest.http.get(path, headers=own)).status_code == 200
    assert (await ingest.http.get(path, headers=other)).json()["error"]["code"] == "point_not_found"
    assert (await ingest.http.get(path, headers=ingest.auth(Role.COUNTY, county="999999"))).status_code == 404
    assert (await ingest.http.get("/api/ingest/points/P-nobody/series", headers=ingest.auth())).status_code == 404
    for params in (
        {"start": "2026-01-02T00:00:00", "end": "2026-01-01T00:00:00"},
        {"start": "2024-01-01T00:00:00", "end": "2025-06-01T00:00:00"},
        {"max_samples": 100_000},
        {"start": "9999-12-31T00:00:00", "end": "9999-12-31T23:59:59"},  # no overflow past the last instant
    ):
        reply = await ingest.http.get(path, params=params, headers=ingest.auth())
        assert reply.status_code == 422, params
    await terminal.close()


# -- live state ---------------------------------------------------------------------------------------------------


async def test_live_state_holds_the_newest_power_value_even_when_older_data_arrives_after_it(
    ingest: IngestUnderTest,
) -> None:
    terminal, point, ps_id = await metered_point(ingest)
    newest = at(today(), 0) + timedelta(hours=cst(now()).hour)
    await send(terminal, "2011", newest, {POWER: {"Rtd": "132.5", "Flag": "N"}, ENERGY: {"Rtd": "880.0"}})
    await send(terminal, "2011", newest - timedelta(minutes=30), {POWER: {"Rtd": "7.0", "Flag": "N"}})
    rows = await get(ingest, "/points/latest", ps_id=ps_id)
    assert [(r["point_id"], r["kw"], r["mn"]) for r in rows] == [(point, 132.5, terminal.mn)]
    assert datetime.fromisoformat(rows[0]["data_time"]) == newest.replace(tzinfo=CST)
    await terminal.close()


async def test_live_state_of_an_energy_only_point_is_the_power_between_its_last_two_registers(
    ingest: IngestUnderTest,
) -> None:
    terminal, point, ps_id = await metered_point(ingest, codes=(ENERGY,))
    start = at(today(), 0) + timedelta(hours=cst(now()).hour) - timedelta(minutes=10)
    await send(terminal, "2011", start, {ENERGY: {"Rtd": "500.0"}})
    await send(terminal, "2011", start + timedelta(minutes=1), {ENERGY: {"Rtd": "501.5"}})
    rows = await get(ingest, "/points/latest", point_id=point)
    assert [(r["point_id"], r["kw"]) for r in rows] == [(point, 90.0)]  # 1.5 kWh in one minute
    await terminal.close()


async def test_live_state_shows_each_caller_only_its_own_points(ingest: IngestUnderTest) -> None:
    county = uuid.uuid4().hex[:6]
    ours, point, ps_id = await metered_point(ingest, county=county, codes=(POWER,))
    theirs, other_point, other_ps_id = await metered_point(ingest, codes=(POWER,))
    moment = at(today(), 0) + timedelta(hours=cst(now()).hour)
    for terminal in (ours, theirs):
        await send(terminal, "2011", moment, {POWER: {"Rtd": "5"}})
    mine = await get(ingest, "/points/latest", ingest.auth(Role.ENTERPRISE, enterprise_id=ps_id))
    assert [r["point_id"] for r in mine] == [point]
    asked = await get(ingest, "/points/latest", ingest.auth(Role.ENTERPRISE, enterprise_id=ps_id), ps_id=other_ps_id)
    assert asked == []
    by_county = await get(
        ingest, "/points/latest", ingest.auth(Role.COUNTY, county=county), point_id=[point, other_point]
    )
    assert [r["point_id"] for r in by_county] == [point]
    both = await get(ingest, "/points/latest", point_id=[point, other_point])
    assert sorted(r["point_id"] for r in both) == sorted([point, other_point])
    assert (await ingest.http.get("/api/ingest/points/latest", headers=ingest.auth())).status_code == 422
    for terminal in (ours, theirs):
        await terminal.close()


# -- consumption --------------------------------------------------------------------------------------------------


async def test_a_reading_that_arrives_two_days_late_changes_that_days_consumption_and_no_other(
    ingest: IngestUnderTest,
) -> None:
    terminal, point, _ = await metered_point(ingest, codes=(ENERGY,))
    days = [today() - timedelta(days=n) for n in (3, 2, 1)]
    register = 1000.0
    for day in days:
        for minute in (0, 5, 10, 20):  # 10:15 of each day is missing
            register += 1.5
            await send(terminal, "2051", at(day, 10, minute), {ENERGY: {"Cou": "1.5", "Max": f"{register:.1f}"}})
    await settle(ingest, [point])
    before = await daily(ingest, point, days[0], days[-1])
    assert before == {d.isoformat(): 6.0 for d in days}
    late = days[1]  # two days ago
    await send(terminal, "2051", at(late, 10, 15), {ENERGY: {"Cou": "2.5", "Max": "1011.0"}})
    await settle(ingest, [point])
    after = await daily(ingest, point, days[0], days[-1])
    assert after == {**before, late.isoformat(): 8.5}
    await terminal.close()


async def test_data_arriving_in_order_is_added_to_the_day_without_recounting_it(ingest: IngestUnderTest) -> None:
    terminal, point, _ = await metered_point(ingest, codes=(POWER,))
    day = today() - timedelta(days=1)
    for minute in (0, 5):
        await send(terminal, "2051", at(day, 9, minute), {POWER: {"Avg": "12.0"}})
    await settle(ingest, [point])
    assert await daily(ingest, point, day, day) == {day.isoformat(): 2.0}  # 12 kW for two 5-min periods
    await send(terminal, "2051", at(day, 9, 10), {POWER: {"Avg": "24.0"}})
    await settle(ingest, [point])
    assert await daily(ingest, point, day, day) == {day.isoformat(): 4.0}
    rows = await ingest.sql("SELECT samples, prio FROM ingest.consumption_daily WHERE point_id = $1", point)
    assert [tuple(r) for r in rows] == [(3, 1)]  # three samples of minute power
    await terminal.close()


async def test_the_services_own_rollup_task_brings_consumption_up_to_date(ingest: IngestUnderTest) -> None:
    terminal, point, _ = await metered_point(ingest, codes=(POWER,))
    day = today() - timedelta(days=1)
    await send(terminal, "2051", at(day, 6), {POWER: {"Avg": "36"}})
    for _ in range(200):  # the task runs every consumption_refresh_s (5 s)
        if await daily(ingest, point, day, day):
            break
        await asyncio.sleep(0.1)
    assert await daily(ingest, point, day, day) == {day.isoformat(): 3.0}
    await terminal.close()


async def test_a_meter_reset_and_a_register_rollover_never_make_consumption_negative(ingest: IngestUnderTest) -> None:
    reset, reset_point, _ = await metered_point(ingest, codes=(ENERGY,))
    wrap, wrap_point, _ = await metered_point(ingest, codes=(ENERGY,))
    day = today() - timedelta(days=1)
    for i, register in enumerate(["100", "110", "120", "0", "5", "15"]):  # reset (meter replaced) after 120
        await send(reset, "2011", at(day, 14, i), {ENERGY: {"Rtd": register}})
    for i, register in enumerate(["999990.0", "999995.0", "3.0"]):  # a 6-digit register wraps
        await send(wrap, "2011", at(day, 14, i), {ENERGY: {"Rtd": register}})
    await settle(ingest, [reset_point, wrap_point])
    assert await daily(ingest, reset_point, day, day) == {day.isoformat(): 35.0}  # 10 + 10 + 0 + 5 + 10
    assert await daily(ingest, wrap_point, day, day) == {day.isoformat(): 13.0}  # 5 + 8
    for terminal in (reset, wrap):
        await terminal.close()


async def test_a_late_last_reading_of_a_day_moves_the_first_register_difference_of_the_next(
    ingest: IngestUnderTest,
) -> None:
    terminal, point, _ = await metered_point(ingest, codes=(ENERGY,))
    first, second = today() - timedelta(days=3), today() - timedelta(days=2)
    await send(terminal, "2011", at(first, 22), {ENERGY: {"Rtd": "100"}})
    await send(terminal, "2011", at(second, 1), {ENERGY: {"Rtd": "130"}})
    await send(terminal, "2011", at(second, 2), {ENERGY: {"Rtd": "140"}})
    await settle(ingest, [point])
    assert await daily(ingest, point, first, second) == {first.isoformat(): 0.0, second.isoformat(): 40.0}
    await send(terminal, "2011", at(first, 23, 30), {ENERGY: {"Rtd": "120"}})  # arrives late
    await settle(ingest, [point])
    assert await daily(ingest, point, first, second) == {first.isoformat(): 20.0, second.isoformat(): 20.0}
    await terminal.close()


async def test_consumption_by_month_and_year_sums_the_days_of_each_enterprise(ingest: IngestUnderTest) -> None:
    ps_id = new_ps_id()
    a, point_a, _ = await metered_point(ingest, ps_id=ps_id, codes=(POWER,))
    b, point_b, _ = await metered_point(ingest, ps_id=ps_id, codes=(POWER,))
    month_start = today().replace(day=1)
    last_month = month_start - timedelta(days=1)
    for terminal, kw in ((a, "12"), (b, "24")):
        for day in (last_month - timedelta(days=1), last_month, month_start):
            await send(terminal, "2051", at(day, 1), {POWER: {"Avg": kw}})  # 1 or 2 kWh in 5 minutes
    await settle(ingest, [point_a, point_b])
    span = {"start": (last_month - timedelta(days=1)).isoformat(), "end": month_start.isoformat(), "ps_id": ps_id}
    months = await get(ingest, "/consumption", period="month", group="enterprise", **span)
    assert (months["period"], months["group"]) == ("month", "enterprise")
    assert [(r["ps_id"], r["point_id"], r["period_start"], r["kwh"]) for r in months["rows"]] == [
        (ps_id, None, last_month.replace(day=1).isoformat(), 6.0),
        (ps_id, None, month_start.isoformat(), 3.0),
    ]
    by_point = await get(ingest, "/consumption", period="month", group="point", **span)
    assert sorted((r["point_id"], r["kwh"]) for r in by_point["rows"]) == sorted(
        [(point_a, 2.0), (point_a, 1.0), (point_b, 4.0), (point_b, 2.0)]
    )
    years = await get(ingest, "/consumption", period="year", **span)
    assert sum(r["kwh"] for r in years["rows"]) == 9.0
    assert {r["period_start"][5:] for r in years["rows"]} == {"01-01"}
    days = await get(ingest, "/consumption", period="day", **span)
    assert [r["kwh"] for r in days["rows"]] == [3.0, 3.0, 3.0]
    for terminal in (a, b):
        await terminal.close()


async def test_consumption_is_shown_within_the_callers_scope_only(ingest: IngestUnderTest) -> None:
    county = uuid.uuid4().hex[:6]
    ours, point, ps_id = await metered_point(ingest, county=county, codes=(POWER,))
    theirs, other_point, other_ps_id = await metered_point(ingest, codes=(POWER,))
    day = today() - timedelta(days=1)
    for terminal in (ours, theirs):
        await send(terminal, "2051", at(day, 3), {POWER: {"Avg": "60"}})
    await settle(ingest, [point, other_point])
    span = {"start": day.isoformat(), "end": day.isoformat(), "ps_id": [ps_id, other_ps_id]}
    for headers in (ingest.auth(Role.ENTERPRISE, enterprise_id=ps_id), ingest.auth(Role.COUNTY, county=county)):
        body = await get(ingest, "/consumption", headers, **span)
        assert [(r["ps_id"], r["kwh"]) for r in body["rows"]] == [(ps_id, 5.0)]
    city = await get(ingest, "/consumption", **span)
    assert sorted(r["ps_id"] for r in city["rows"]) == sorted([ps_id, other_ps_id])
    for params in ({"start": "2026-02-01", "end": "2026-01-01"}, {"start": "2024-01-01", "end": "2025-06-01"}):
        reply = await ingest.http.get("/api/ingest/consumption", params=params, headers=ingest.auth())
        assert reply.status_code == 422, params
    for terminal in (ours, theirs):
        await terminal.close()


async def test_named_groups_of_enterprises_are_summed_per_month_within_the_callers_scope(
    ingest: IngestUnderTest,
) -> None:
    county = uuid.uuid4().hex[:6]
    terminals, enterprises = [], []
    for kw in ("12", "24", "36"):  # 1, 2 and 3 kWh in one 5-minute interval
        terminal, point, ps_id = await metered_point(ingest, county=county, codes=(POWER,))
        await send(terminal, "2051", at(today() - timedelta(days=1), 2), {POWER: {"Avg": kw}})
        await settle(ingest, [point])
        terminals.append(terminal)
        enterprises.append(ps_id)
    a, b, c = enterprises
    month = (today() - timedelta(days=1)).replace(day=1).isoformat()
    query = {
        "period": "month",
        "start": month,
        "end": today().isoformat(),
        "groups": {"化工": [a, b], "新型建材": [c], "两者": [a, c], "无数据": [new_ps_id()]},
    }
    reply = await ingest.http.post("/api/ingest/consumption/groups", json=query, headers=ingest.auth())
    assert reply.status_code == 200, reply.text
    sums = {(r["group"], r["period_start"]): r["kwh"] for r in reply.json()["rows"]}
    assert sums == {("两者", month): 4.0, ("化工", month): 3.0, ("新型建材", month): 3.0}, "no row for no data"

    own = ingest.auth(Role.ENTERPRISE, enterprise_id=a)
    mine = (await ingest.http.post("/api/ingest/consumption/groups", json=query, headers=own)).json()["rows"]
    assert sorted((r["group"], r["kwh"]) for r in mine) == [("两者", 1.0), ("化工", 1.0)], "only its own share"
    for bad in ({**query, "groups": {"x": ["NOT-A-PSID"]}}, {**query, "end": "2020-01-01"}):
        refused = await ingest.http.post("/api/ingest/consumption/groups", json=bad, headers=ingest.auth())
        assert refused.status_code == 422, refused.text
    for terminal in terminals:
        await terminal.close()


# -- overview -----------------------------------------------------------------------------------------------------


async def test_the_overview_counts_devices_online_now_and_today_and_the_months_transmission_rate(
    ingest: IngestUnderTest,
) -> None:
    county = uuid.uuid4().hex[:6]
    sending, _, ps_sending = await metered_point(ingest, county=county, codes=(POWER,))
    ps_silent = new_ps_id()
    await ingest.register(ps_id=ps_silent, county=county)  # registered, never connected
    start_of_today = datetime.combine(today(), time(0))
    for minutes in (0, 5, 10):  # three DataTimes of today, from its first minutes
        await send(sending, "2051", start_of_today + timedelta(minutes=minutes), {POWER: {"Avg": "1"}})
    body = await get(ingest, "/overview", ingest.auth(Role.COUNTY, county=county))
    assert (body["devices_total"], body["online_now"], body["offline_now"]) == (2, 1, 1)
    assert body["online_rate_today"] == 0.5
    expected = int((now() - start_of_today.replace(tzinfo=CST)).total_seconds() // 300)
    by_ps = {e["ps_id"]: e for e in body["enterprises"]}
    assert set(by_ps) == {ps_sending, ps_silent}
    assert (by_ps[ps_sending]["devices"], by_ps[ps_sending]["online_now"]) == (1, 1)
    rate = by_ps[ps_sending]["transmission_rate_month"]
    assert rate is not None and min(3, expected) / (expected + 1) <= rate <= min(3, expected) / max(expected - 1, 1)
    assert by_ps[ps_silent]["transmission_rate_month"] is None  # registered just now: nothing expected yet
    assert body["transmission_rate_month"] == rate
    own = await get(ingest, "/overview", ingest.auth(Role.ENTERPRISE, enterprise_id=ps_silent))
    assert ([e["ps_id"] for e in own["enterprises"]], own["devices_total"], own["online_now"]) == ([ps_silent], 1, 0)
    one = await get(ingest, "/overview", ingest.auth(Role.COUNTY, county=county), ps_id=ps_sending)
    assert ([e["ps_id"] for e in one["enterprises"]], one["devices_total"], one["online_now"]) == ([ps_sending], 1, 1)
    other = await get(ingest, "/overview", ingest.auth(Role.ENTERPRISE, enterprise_id=ps_silent), ps_id=ps_sending)
    assert (other["enterprises"], other["devices_total"]) == ([], 0), "another enterprise's figures: none"
    await sending.close()
