"""The city's self-audit (附件4 §4): per enterprise and county, the six things the province checks, each
finding linked to the evidence the services hold, read from the real registry, rules and workflow."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import openpyxl
from fbjd_core.auth import Role

from .conftest import (
    CANGXIAN,
    XINHUA,
    City,
    approve_after_escalation,
    careless_works,
    finding_row,
    raise_alarm,
    record_row,
    stored,
    well_kept_works,
)


async def seeded_works(city: City) -> dict[str, Any]:
    """A works with a week of history: one record alarmed, one whose alarm never came, one withdrawn, one just
    made, three alarms the city approved as explained, and the rules' threshold and data findings."""
    works = await well_kept_works(city.registry)
    at = datetime.now(UTC).replace(microsecond=0)
    alarmed = record_row(works, start=at - timedelta(days=2))
    lost = record_row(works, start=at - timedelta(days=1))
    withdrawn = record_row(works, start=at - timedelta(days=3), status="withdrawn")
    fresh = record_row(works, start=at - timedelta(minutes=50), created=at - timedelta(minutes=1))
    explained = [record_row(works, start=at - timedelta(days=4 + i)) for i in range(3)]
    point = works["main"]["id"]
    contradicted = finding_row(
        works,
        kind="declared_contradicted",
        message="申报阈值10kW与运行数据不符：停运时32%的数据高于阈值（阈值设置不准确）",
        start=at - timedelta(days=15),
        point_id=point,
    )
    low_rate = finding_row(
        works,
        kind="transmission_low",
        message="测点数据传输率低于90%，需运维检修",
        start=at - timedelta(days=1),
        point_id=point,
    )
    old_low_rate = finding_row(
        works,
        kind="transmission_low",
        message="测点数据传输率低于90%，需运维检修",
        start=at - timedelta(days=60),
        point_id=point,
    )
    stuck = finding_row(
        works,
        kind="value_stuck",
        message="测点数值长时间固定不变（同一数采仪其他数据正常变化），疑似数据卡死",
        start=at - timedelta(hours=5),
        point_id=works["production_point"]["id"],
    )
    async with city.sessionmaker.begin() as session:
        session.add_all([alarmed, lost, withdrawn, fresh, *explained, contradicted, low_rate, old_low_rate, stuck])
    for row in (alarmed, *explained):
        await raise_alarm(city, row)
    await approve_after_escalation(city, [str(row.id) for row in explained])
    return {
        **works,
        "lost": str(lost.id),
        "withdrawn": str(withdrawn.id),
        "fresh": str(fresh.id),
        "contradicted": str(contradicted.id),
        "low_rate": str(low_rate.id),
        "old_low_rate": str(old_low_rate.id),
        "stuck": str(stuck.id),
    }


def bridge_reading(bridge_factory: Callable[..., Any], city: City, **overrides: Any) -> Any:
    urls = {"registry_url": city.registry_url, "rules_url": city.rules_url, "workflow_url": city.workflow_url}
    return bridge_factory(**{**urls, **overrides})


def checks_of(report: dict[str, Any], ps_id: str) -> dict[int, dict[str, Any]]:
    (enterprise,) = [e for e in report["enterprises"] if e["ps_id"] == ps_id]
    return {check["code"]: check for check in enterprise["checks"]}


async def test_the_report_finds_what_the_province_would_and_each_finding_leads_to_its_evidence(
    city: City, bridge_factory: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    works = await seeded_works(city)
    async with bridge_reading(bridge_factory, city) as bridge:
        reply = await bridge.api(Role.CITY).get("/self-audit", params={"ps_id": works["ps_id"]})
    assert reply.status_code == 200, reply.text
    report = reply.json()
    checks = checks_of(report, works["ps_id"])
    assert [checks[code]["status"] for code in range(1, 7)] == [
        "findings",
        "findings",
        "ok",
        "ok",
        "findings",
        "findings",
    ]

    # (1) the record whose alarm never reached the workflow, and the withdrawn one; not the one just made
    unalarmed = {f["evidence"]["path"]: f["text"] for f in checks[1]["findings"]}
    assert set(unalarmed) == {f"/api/rules/abnormals/{works['lost']}", f"/api/rules/abnormals/{works['withdrawn']}"}
    assert "没有报警" in unalarmed[f"/api/rules/abnormals/{works['lost']}"]
    assert "撤销" in unalarmed[f"/api/rules/abnormals/{works['withdrawn']}"]
    assert checks[1]["notes"] == []  # the data, judged again, shows no more
    assert "最近 7 天" in checks[1]["unchecked"]  # of 30 days, the last 7 judged again (FBJD_SELF_AUDIT_STRETCH_DAYS)

    # (2) the declared threshold the data contradicts
    assert [(f["evidence"]["service"], f["evidence"]["id"]) for f in checks[2]["findings"]] == [
        ("rules", works["contradicted"])
    ]
    # (5) three of four alarms approved as explained: many false alarms
    (false_alarms,) = checks[5]["findings"]
    assert "报警 4 条" in false_alarms["text"] and "办结 3 条" in false_alarms["text"]
    assert false_alarms["evidence"]["service"] == "workflow"
    # (6) the recent transmission rate and the stuck value; the rate of two months ago is outside the window
    assert sorted(f["evidence"]["id"] for f in checks[6]["findings"]) == sorted([works["low_rate"], works["stuck"]])

    assert report["counties"] == [
        {
            "county": XINHUA,
            "county_name": "新华区",
            "enterprises": 1,
            "enterprises_with_findings": 1,
            "findings_by_check": {"1": 2, "2": 1, "3": 0, "4": 0, "5": 1, "6": 2},
            "not_checkable_by_check": dict.fromkeys("123456", 0),
        }
    ]

    # every evidence path answers, through the services, with what the finding rests on
    bases = {"registry": city.registry_url, "rules": city.rules_url, "workflow": city.workflow_url}
    headers = {"Authorization": f"Bearer {make_token(Role.CITY)}"}
    async with httpx.AsyncClient(headers=headers, timeout=10) as client:
        for check in checks.values():
            for finding in check["findings"]:
                evidence = finding["evidence"]
                answer = await client.get(bases[evidence["service"]] + evidence["path"])
                assert answer.status_code == 200, (evidence, answer.text)
                if evidence["id"] is not None:
                    assert evidence["id"] in answer.text
        lost = await client.get(f"{city.workflow_url}/api/workflow/alarms/{works['lost']}")
    assert lost.status_code == 404  # indeed no alarm


async def test_a_county_sees_its_own_county_only(city: City, bridge_factory: Callable[..., Any]) -> None:
    kept = await well_kept_works(city.registry)
    careless = await careless_works(city.registry)
    async with bridge_reading(bridge_factory, city) as bridge:
        county = bridge.api(Role.COUNTY, county=CANGXIAN)
        own = await stored(county)  # the daily report, cut to the county
        other_county = await county.get("/self-audit", params={"county": XINHUA})
        other_works = await county.get("/self-audit", params={"ps_id": kept["ps_id"]})
        enterprise = await bridge.api(Role.ENTERPRISE, enterprise_id=careless["ps_id"]).get("/self-audit")
        province = await bridge.api(Role.PROVINCE).get("/self-audit")
        whole_city = await bridge.api(Role.CITY).get("/self-audit")

    report = own
    assert {e["county"] for e in report["enterprises"]} == {CANGXIAN}
    assert [c["county"] for c in report["counties"]] == [CANGXIAN]
    checks = checks_of(report, careless["ps_id"])
    assert checks[3]["status"] == "findings"
    assert any("2#隧道窑" in f["text"] for f in checks[3]["findings"])  # a kiln with no point, no treatment
    assert checks[4]["status"] == "findings"
    assert any("2#电表" in f["text"] for f in checks[4]["findings"])  # a bare point name
    assert all(
        f["evidence"]["path"].startswith(f"/api/registry/enterprises/{careless['ps_id']}/audit")
        for code in (3, 4)
        for f in checks[code]["findings"]
    )
    assert checks[1]["status"] == checks[6]["status"] == "ok"

    assert other_county.status_code == 403
    assert other_works.status_code == 404
    assert enterprise.status_code == 403
    assert province.status_code == 403
    assert whole_city.status_code == 200
    assert {kept["ps_id"], careless["ps_id"]} <= {e["ps_id"] for e in whole_city.json()["enterprises"]}


async def test_a_service_that_does_not_answer_makes_its_checks_not_checkable_not_ok(
    city: City, bridge_factory: Callable[..., Any], unused_port: int
) -> None:
    works = await well_kept_works(city.registry)
    async with bridge_reading(bridge_factory, city, rules_url=f"http://127.0.0.1:{unused_port}") as bridge:
        reply = await bridge.api(Role.CITY).get("/self-audit", params={"ps_id": works["ps_id"]})
    assert reply.status_code == 200, reply.text
    report = reply.json()
    checks = checks_of(report, works["ps_id"])
    assert {code: check["status"] for code, check in checks.items()} == {
        1: "not_checkable",
        2: "not_checkable",
        3: "ok",
        4: "ok",
        5: "ok",
        6: "not_checkable",
    }
    assert "数据源未答复" in checks[6]["unchecked"] and "rules" in checks[6]["unchecked"]
    assert report["counties"][0]["not_checkable_by_check"] == {"1": 1, "2": 1, "3": 0, "4": 0, "5": 0, "6": 1}


async def test_the_workbook_holds_the_counties_and_every_finding(
    city: City, bridge_factory: Callable[..., Any]
) -> None:
    careless = await careless_works(city.registry)
    async with bridge_reading(bridge_factory, city) as bridge:
        reply = await bridge.api(Role.CITY).get("/self-audit.xlsx", params={"ps_id": careless["ps_id"]})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = openpyxl.load_workbook(io.BytesIO(reply.content))
    assert book.sheetnames == ["按区县", "问题清单"]
    counties = [list(row) for row in book["按区县"].iter_rows(values_only=True)]
    assert counties[1][:4] == [CANGXIAN, "沧县", 1, 1]
    rows = list(book["问题清单"].iter_rows(values_only=True))
    assert any(row[3].startswith("4.") and row[5] and "2#电表" in row[5] for row in rows[1:])
    assert {row[3][0] for row in rows[1:]} == set("123456")
