"""Acceptance basics: the province's progress tables (附件1, 附件2) and the city's reproducible 5% spot check."""

from __future__ import annotations

import hashlib
import io
import math
from typing import TYPE_CHECKING, Any

import httpx
from fbjd_core.auth import Role
from openpyxl import load_workbook

if TYPE_CHECKING:
    from conftest import ApiFactory, Builder

WUQIAO = "130928"  # 吴桥县


async def _through(city: httpx.AsyncClient, ps_id: str, *steps: tuple[str, str]) -> None:
    for stage, day in steps:
        reply = await city.post(f"/enterprises/{ps_id}/lifecycle", json={"stage": stage, "on": day})
        assert reply.status_code == 200, reply.text


async def _accepted(city: httpx.AsyncClient, build: Builder, year: int = 2019, **fields: Any) -> dict[str, Any]:
    enterprise = await build.enterprise(**fields)
    steps = (("installing", f"{year}-03-04"), ("networked", f"{year}-04-08"), ("accepted", f"{year}-05-20"))
    await _through(city, enterprise["ps_id"], *steps)
    return enterprise


def _expected_draw(population: list[str], seed: int, share: float) -> list[str]:
    """The published method, redone independently: smallest SHA-256 of '<seed>:<psId>'."""
    ranked = sorted(population, key=lambda p: hashlib.sha256(f"{seed}:{p}".encode()).hexdigest())
    return ranked[: math.ceil(share * len(population))]


async def test_a_spot_check_draws_at_least_five_percent_reproducibly_and_records_the_seed(
    city: httpx.AsyncClient, build: Builder
) -> None:
    for _ in range(2):
        await _accepted(city, build)
    reply = await city.post("/spot-checks", json={"name": "2026年第四季度分表计电抽查", "seed": 20261124})
    assert reply.status_code == 201, reply.text
    check = reply.json()
    population = check["population"]
    assert population == sorted(population) and check["population_size"] == len(population) >= 2
    drawn = [item["ps_id"] for item in check["items"]]
    assert drawn == _expected_draw(population, 20261124, 0.05)
    assert len(drawn) >= 0.05 * len(population) and check["seed"] == 20261124
    again = (await city.post("/spot-checks", json={"name": "复核", "seed": 20261124})).json()
    assert [i["ps_id"] for i in again["items"]] == drawn
    unseeded = (await city.post("/spot-checks", json={"name": "随机抽查", "share": 0.5})).json()
    assert isinstance(unseeded["seed"], int)
    assert [i["ps_id"] for i in unseeded["items"]] == _expected_draw(unseeded["population"], unseeded["seed"], 0.5)


async def test_results_are_recorded_for_drawn_enterprises_only(city: httpx.AsyncClient, build: Builder) -> None:
    outsider = await build.enterprise()
    await _accepted(city, build)
    check = (await city.post("/spot-checks", json={"name": "抽查", "share": 1})).json()
    first = check["items"][0]["ps_id"]
    path = f"/spot-checks/{check['id']}/items"
    recorded = await city.put(f"{path}/{first}", json={"passed": False, "note": "治污设施测点名称与现场标签不一致"})
    assert recorded.status_code == 200, recorded.text
    item = next(i for i in recorded.json()["items"] if i["ps_id"] == first)
    assert (item["passed"], item["note"], item["recorded_by"]) == (
        False,
        "治污设施测点名称与现场标签不一致",
        "city:tester",
    )
    assert (await city.put(f"{path}/{outsider['ps_id']}", json={"passed": True})).status_code == 404


async def test_only_the_city_draws_and_never_below_five_percent(api: ApiFactory) -> None:
    county = api(Role.COUNTY, county=WUQIAO)
    assert (await county.post("/spot-checks", json={"name": "抽查"})).status_code == 403
    low = await api(Role.CITY).post("/spot-checks", json={"name": "抽查", "share": 0.04})
    assert low.status_code == 422 and low.json()["error"]["problems"][0]["message"] == "须不小于 0.05"


async def test_the_install_list_has_one_line_per_enterprise_in_scope_with_its_point_counts(
    api: ApiFactory, build: Builder
) -> None:
    city = api(Role.CITY)
    enterprise = await _accepted(city, build, county_code=WUQIAO)
    kiln = await build.facility(enterprise["ps_id"], "烧成窑")
    fgd = await build.facility(enterprise["ps_id"], "脱硫塔", "treatment")
    await build.point(enterprise["ps_id"], kiln, "烧成窑-助燃风机")
    await build.point(enterprise["ps_id"], fgd, "脱硫塔-循环泵")
    await build.point(enterprise["ps_id"], fgd, "脱硫塔-氧化风机")
    reply = await api(Role.COUNTY, county=WUQIAO).get("/acceptance/install-list.xlsx")
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[2]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=3)]
    assert {r["县(市、区)"] for r in rows} == {"吴桥县"}
    (mine,) = [r for r in rows if r["统一社会信用代码"] == enterprise["credit_code"]]
    counts = (mine["生产设施监测点位(个)"], mine["治污设施监测点位(个)"], mine["总进线监测点位(个)"])
    assert counts == (1, 2, 0)
    assert (mine["建设进度"], mine["实际验收时间"].date().isoformat()) == ("已验收", "2019-05-20")


async def test_the_monthly_progress_counts_this_month_and_the_year_against_the_annual_task(
    city: httpx.AsyncClient, build: Builder
) -> None:
    # 2018 is this test's own year: no other enterprise plans or reaches a milestone in it.
    plan = {
        "planned_install_date": "2018-03-01",
        "planned_network_date": "2018-04-01",
        "planned_acceptance_date": "2018-06-01",
    }
    await _accepted(city, build, 2018, county_code=WUQIAO, **plan)
    networked = await build.enterprise(county_code=WUQIAO, **plan)
    await _through(city, networked["ps_id"], ("installing", "2018-04-15"), ("networked", "2018-05-06"))
    await build.enterprise(county_code=WUQIAO, **plan)  # still planned
    rows = (await city.get("/acceptance/progress", params={"month": "2018-05"})).json()
    assert len(rows) == 16
    (wuqiao,) = [r for r in rows if r["county_code"] == WUQIAO]
    assert wuqiao == {
        "county_code": WUQIAO,
        "county_name": "吴桥县",
        "annual_task": 3,
        "installed_this_month": 0,
        "installed_cumulative": 2,
        "networked_this_month": 1,
        "networked_cumulative": 2,
        "accepted_cumulative": 1,
        "networked_share": 0.6667,
    }
    workbook = load_workbook(
        io.BytesIO((await city.get("/acceptance/progress.xlsx", params={"month": "2018-05"})).content)
    )
    sheet = workbook.active
    assert sheet is not None and str(sheet["A1"].value).endswith("安装联网进度表（截至2018年5月底）")
    line = next(row for row in sheet.iter_rows(min_row=3, values_only=True) if row[1] == "吴桥县")
    assert list(line[2:]) == [3, 0, 2, 1, 2, 1, 0.6667]
    assert sheet.cell(row=sheet.max_row, column=1).value == "合计"
    bad = await city.get("/acceptance/progress", params={"month": "2018-13"})
    assert bad.status_code == 422 and "YYYY-MM" in bad.json()["error"]["problems"][0]["message"]
