"""The HTTP API: who may do what, what it returns, rates."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from fbjd_core.auth import Role
from fbjd_core.time import CST, now

from .conftest import IngestUnderTest, cst, minute_floor, new_mn, new_ps_id


async def test_without_a_token_the_api_answers_401(ingest: IngestUnderTest) -> None:
    for method, path in [
        ("GET", "/api/ingest/devices"),
        ("POST", "/api/ingest/devices"),
        ("GET", "/api/ingest/quarantine"),
        ("GET", "/api/ingest/rates"),
        ("GET", "/api/ingest/stats"),
    ]:
        reply = await ingest.http.request(method, path)
        assert reply.status_code == 401, (method, path)
        assert reply.json()["error"]["code"] == "unauthorized"


async def test_a_role_that_may_not_act_gets_403(ingest: IngestUnderTest) -> None:
    ps_id = new_ps_id()
    enterprise = ingest.auth(Role.ENTERPRISE, enterprise_id=ps_id)
    body = {"mn": new_mn(), "password": "123456", "ps_id": ps_id, "name": "脱硝系统"}
    assert (await ingest.http.post("/api/ingest/devices", json=body, headers=enterprise)).status_code == 403
    assert (await ingest.http.get("/api/ingest/quarantine", headers=enterprise)).status_code == 403
    assert (await ingest.http.get("/api/ingest/stats", headers=enterprise)).status_code == 403
    for role in (Role.ENFORCEMENT, Role.PROVINCE):
        assert (await ingest.http.get("/api/ingest/devices", headers=ingest.auth(role))).status_code == 403


async def test_an_enterprise_sees_only_its_own_devices(ingest: IngestUnderTest) -> None:
    ours, theirs = new_ps_id(), new_ps_id()
    mine = (await ingest.register(ps_id=ours))["mn"]
    other = (await ingest.register(ps_id=theirs))["mn"]
    headers = ingest.auth(Role.ENTERPRISE, enterprise_id=ours)
    reply = await ingest.http.get("/api/ingest/devices", headers=headers)
    listing = reply.json()
    assert [d["mn"] for d in listing] == [mine] and reply.headers["X-Total-Count"] == "1"
    assert "password" not in listing[0]
    assert (await ingest.http.get(f"/api/ingest/devices/{mine}", headers=headers)).status_code == 200
    for path in (
        f"/api/ingest/devices/{other}",
        f"/api/ingest/devices/{other}/data",
        f"/api/ingest/devices/{other}/rates",
        f"/api/ingest/devices/{other}/commands",
    ):
        assert (await ingest.http.get(path, headers=headers)).status_code == 404, path
    rates = (await ingest.http.get("/api/ingest/rates", headers=headers)).json()
    assert [r["mn"] for r in rates["items"]] == [mine]


async def test_a_county_sees_the_devices_of_its_county(ingest: IngestUnderTest) -> None:
    county = "130921"
    ours = (await ingest.register(county=county))["mn"]
    elsewhere = (await ingest.register(county="130922"))["mn"]
    headers = ingest.auth(Role.COUNTY, county=county)
    assert (await ingest.http.get(f"/api/ingest/devices/{ours}", headers=headers)).status_code == 200
    assert (await ingest.http.get(f"/api/ingest/devices/{elsewhere}", headers=headers)).status_code == 404


async def test_registering_a_bad_mn_or_ps_id_is_refused_with_a_clear_message_and_a_duplicate_with_409(
    ingest: IngestUnderTest,
) -> None:
    good = {"mn": new_mn(), "password": "123456", "ps_id": new_ps_id(), "name": "1号炉"}
    for field, value, words in [
        ("mn", "ZX00001", "24 upper-case hex"),
        ("ps_id", "ABC", "32 lower-case hex"),
        ("min_interval_s", 420, "min_interval_s"),
        ("profile", "nope", "factor profile"),
    ]:
        reply = await ingest.http.post("/api/ingest/devices", json={**good, field: value}, headers=ingest.auth())
        assert reply.status_code == 422, field
        assert words in reply.text, reply.text
    legacy = {**good, "mn": "LD130133000015", "allow_nonstandard_mn": True}
    assert (await ingest.http.post("/api/ingest/devices", json=legacy, headers=ingest.auth())).status_code == 201
    assert (await ingest.http.post("/api/ingest/devices", json=good, headers=ingest.auth())).status_code == 201
    again = await ingest.http.post("/api/ingest/devices", json=good, headers=ingest.auth())
    assert again.status_code == 409 and again.json()["error"]["code"] == "device_exists"


async def test_the_data_endpoint_returns_what_was_received(ingest: IngestUnderTest) -> None:
    mn = (await ingest.register(factor_map={"d20401": {"point_id": "P-0001", "quantity": "current_a"}}))["mn"]
    terminal = await ingest.terminal(mn)
    at = minute_floor(cst(now()) - timedelta(hours=1))
    values = {
        "d20501": {"Avg": "132.5", "Min": "120.0", "Max": "140.0", "Flag": "N"},  # profile: active power
        "d20401": {"Avg": "7.5", "Flag": "N"},  # the device's own map: point P-0001
        "x99001": {"Avg": "--", "Flag": "D", "EFlag": "E7"},  # unknown code, value not a number: kept as sent
    }
    await terminal.ack(await terminal.send("2051", at, values))
    await terminal.ack(await terminal.send("2081", at, {}, params={"RestartTime": "20260101080000"}))
    data = await ingest.data(mn, start=(at - timedelta(minutes=1)).isoformat())
    by_cn = {item["cn"]: item for item in data["items"]}
    assert set(by_cn) == {"2051", "2081"}
    minute = by_cn["2051"]
    assert datetime.fromisoformat(minute["data_time"]) == at.replace(tzinfo=CST)
    assert minute["values"]["d20501"] | {"extra": None} == {
        "quantity": "active_power_kw",
        "point_id": None,
        "rtd": None,
        "avg": 132.5,
        "min": 120.0,
        "max": 140.0,
        "cou": None,
        "flag": "N",
        "extra": None,
    }
    assert (minute["values"]["d20401"]["quantity"], minute["values"]["d20401"]["point_id"]) == ("current_a", "P-0001")
    unknown = minute["values"]["x99001"]
    assert (unknown["quantity"], unknown["avg"], unknown["flag"], unknown["extra"]) == (
        None,
        None,
        "D",
        {"Avg": "--", "EFlag": "E7"},
    )
    assert by_cn["2081"]["params"] == {"RestartTime": "20260101080000"}
    only = await ingest.data(mn, start=(at - timedelta(minutes=1)).isoformat(), cn="2081")
    assert [i["cn"] for i in only["items"]] == ["2081"]
    view = await ingest.sql("SELECT code, quantity, avg FROM ingest.readings_v1 WHERE mn = $1 ORDER BY code", mn)
    assert [tuple(r) for r in view] == [
        ("d20401", "current_a", 7.5),
        ("d20501", "active_power_kw", 132.5),
        ("x99001", None, None),
    ]
    await terminal.close()


async def test_the_data_endpoint_pages_through_long_ranges(ingest: IngestUnderTest) -> None:
    mn = (await ingest.register())["mn"]
    terminal = await ingest.terminal(mn)
    base = minute_floor(cst(now()) - timedelta(hours=10))
    for i in range(7):
        await terminal.ack(await terminal.send("2051", base + timedelta(minutes=5 * i), {"d20501": {"Avg": str(i)}}))
    seen: list[float] = []
    cursor = None
    while True:
        params = {"start": (base - timedelta(minutes=1)).isoformat(), "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = await ingest.data(mn, **params)
        seen += [item["values"]["d20501"]["avg"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [0, 1, 2, 3, 4, 5, 6]
    await terminal.close()


async def test_the_transmission_rate_is_received_over_expected_intervals(ingest: IngestUnderTest) -> None:
    mn = (await ingest.register(data_cn="2061"))["mn"]  # hour data: 24 expected per day
    terminal = await ingest.terminal(mn)
    today = now().astimezone(CST).date()
    day = today - timedelta(days=2)
    start = datetime(day.year, day.month, day.day)
    hours = [start + timedelta(hours=h) for h in range(0, 24, 2)]  # every other hour: 12 of 24
    for t in hours + hours[:3]:  # three of them resent
        await terminal.ack(await terminal.send("2061", t, {"d20601": {"Cou": "12.5", "Flag": "N"}}))
    month = f"{day:%Y-%m}"
    reply = await ingest.http.get(f"/api/ingest/devices/{mn}/rates", params={"month": month}, headers=ingest.auth())
    assert reply.status_code == 200, reply.text
    rates = reply.json()
    first = next(d for d in rates["days"] if d["day"] == day.isoformat())
    assert (first["received"], first["expected"], first["rate"]) == (12, 24, 0.5)
    following = [d for d in rates["days"] if day.isoformat() < d["day"] < today.isoformat()]
    assert all(d["expected"] == 24 and d["received"] == 0 for d in following)
    assert rates["expected_interval_s"] == 3600 and rates["needs_maintenance"] is True
    listing = await ingest.http.get("/api/ingest/rates", params={"month": month}, headers=ingest.auth())
    summary = next(r for r in listing.json()["items"] if r["mn"] == mn)
    assert summary["received"] == 12 and summary["rate"] == rates["rate"]
    bad = await ingest.http.get(f"/api/ingest/devices/{mn}/rates", params={"month": "2026-13"}, headers=ingest.auth())
    assert bad.status_code == 422
    await terminal.close()


async def test_a_device_is_online_while_data_arrives_within_two_intervals(ingest: IngestUnderTest) -> None:
    mn = (await ingest.register(min_interval_s=60))["mn"]
    device = (await ingest.http.get(f"/api/ingest/devices/{mn}", headers=ingest.auth())).json()
    assert (device["online"], device["last_seen"], device["connected"]) == (False, None, False)
    terminal = await ingest.terminal(mn)
    await terminal.ack(await terminal.send("2051", minute_floor(cst(now()), 1), {"d20501": {"Avg": "1"}}))
    await ingest.app.state.runtime.writer.barrier()  # last_seen is written with the next batch
    device = (await ingest.http.get(f"/api/ingest/devices/{mn}", headers=ingest.auth())).json()
    assert device["online"] is True and device["connected"] is True and device["protocol_version"] == "2017"
    await ingest.sql("UPDATE ingest.devices SET last_seen = now() - interval '121 seconds' WHERE mn = $1", mn)
    device = (await ingest.http.get(f"/api/ingest/devices/{mn}", headers=ingest.auth())).json()
    assert device["online"] is False
    await terminal.close()


async def test_the_openapi_document_describes_every_endpoint(ingest: IngestUnderTest) -> None:
    spec = (await ingest.http.get("/api/ingest/openapi.json")).json()
    operations = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    assert {path for path, _, _ in operations} >= {
        "/api/ingest/devices",
        "/api/ingest/devices/{mn}",
        "/api/ingest/devices/{mn}/data",
        "/api/ingest/devices/{mn}/rates",
        "/api/ingest/rates",
        "/api/ingest/quarantine",
        "/api/ingest/quarantine/{mn}/adopt",
        "/api/ingest/devices/{mn}/commands",
        "/api/ingest/stats",
    }
    assert all(op.get("summary") for path, _, op in operations if not path.endswith("/health"))


async def test_changing_a_device_s_intervals_reaches_its_connected_terminal(ingest: IngestUnderTest) -> None:
    ps_id = new_ps_id()
    mn = (await ingest.register(ps_id=ps_id, min_interval_s=300))["mn"]
    terminal = await ingest.terminal(mn)
    await terminal.ack(await terminal.send("2051", minute_floor(cst(now())), {"d20501": {"Avg": "1"}}))
    own = ingest.auth(Role.ENTERPRISE, enterprise_id=ps_id)
    assert (await ingest.http.patch(f"/api/ingest/devices/{mn}", json={"name": "x"}, headers=own)).status_code == 403
    reply = await ingest.http.patch(
        f"/api/ingest/devices/{mn}",
        headers=ingest.auth(),
        json={"name": "2号窑脱硝", "min_interval_s": 600, "password": "abcdef"},
    )
    assert reply.status_code == 200, reply.text
    assert (reply.json()["name"], reply.json()["min_interval_s"]) == ("2号窑脱硝", 600)
    for _ in range(100):
        if any(c.cn == "1064" and c.cp.params == {"MinInterval": "10"} for c in terminal.commands):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("no 1064 MinInterval=10 reached the terminal")
    refused = await terminal.send("2051", minute_floor(cst(now())) - timedelta(minutes=5), {"d20501": {"Avg": "1"}})
    assert await terminal.no_ack(refused, wait=0.3), "the old password is refused from now on"
    await terminal.close()
