"""The data pages on the platform `fbjd run` starts: the enterprise page with the notice's point table and live
states, a statistics export that opens as .xlsx, starting and ending a control period, and an enterprise user
kept to its own page."""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections.abc import Iterator
from urllib.parse import unquote

import httpx
import pytest
from openpyxl import load_workbook

from .conftest import Platform, web_login

CERAMICS = "沧州市华信陶瓷有限公司"
STEEL = "河北渤海钢铁集团有限公司"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ps_id_of(name: str) -> str:
    """The demo city's psId of an enterprise (the registry's demo seeds it as the md5 of the name)."""
    return hashlib.md5(name.encode()).hexdigest()  # noqa: S324 - an identifier, not a secret


@pytest.fixture
def city(platform: Platform) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform.base_url, follow_redirects=True, timeout=30) as browser:
        assert web_login(browser, "city", platform.admin_password).status_code == 200
        yield browser


def _sheet(body: bytes) -> list[tuple[object, ...]]:
    ws = load_workbook(io.BytesIO(body)).active
    assert ws is not None
    return list(ws.iter_rows(values_only=True))


def test_the_ceramics_works_page_shows_the_notices_point_table_with_live_states(city: httpx.Client) -> None:
    listing = city.get("/enterprises", params={"q": "华信陶瓷"})
    assert listing.status_code == 200 and CERAMICS in listing.text
    ps_id = ps_id_of(CERAMICS)
    assert f"/enterprises/{ps_id}" in listing.text

    page = city.get(f"/enterprises/{ps_id}")
    assert page.status_code == 200
    for text in (
        "分表计电监测点位信息表",
        "喷雾干燥塔",
        "喷雾干燥塔-热风炉鼓风机",
        "脱硫塔-备用循环泵",
        "烧成窑脱硝系统",
    ):
        assert text in page.text, text
    assert 'data-chart="curve-data"' in page.text or "该时段暂无数据" in page.text

    deadline, live = time.monotonic() + 90, ""
    while time.monotonic() < deadline:
        live = city.get(f"/enterprises/{ps_id}/live", headers={"HX-Request": "true"}).text
        if re.search(r'class="pt-state pt-(on|off)"', live):
            break
        time.sleep(3)
    assert live.startswith('<div id="point-table"'), "htmx polling gets the table alone"
    assert re.search(r'class="pt-state pt-(on|off)"', live), "the simulated terminal's points show running or stopped"
    assert re.search(r"\d+\.\d kW", live), "with their last value"

    table = city.get(f"/enterprises/{ps_id}/point-table.xlsx")
    assert table.status_code == 200 and table.headers["content-type"].startswith(XLSX)
    cells = {c for row in _sheet(table.content) for c in row if c}
    assert "喷雾干燥塔" in cells and "关键监测节点名称" in cells


def test_a_statistics_export_opens_as_xlsx_with_the_pages_rows(city: httpx.Client) -> None:
    page = city.get("/statistics/online")
    assert page.status_code == 200 and "导出 Excel" in page.text
    reply = city.get("/statistics/online.xlsx")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == XLSX
    disposition = reply.headers["content-disposition"]
    assert disposition.startswith("attachment;") and unquote(disposition).endswith("终端在线率.xlsx")
    rows = _sheet(reply.content)
    assert rows[0] == ("企业", "县（市、区）", "终端数", "在线", "离线", "当前在线率", "本月传输率")
    ceramics = next(row for row in rows[1:] if row[0] == CERAMICS)
    assert ceramics[1] == "新华区" and isinstance(ceramics[2], int) and ceramics[2] >= 1
    shown = re.findall(r'<th scope="row">([^<]+)</th>', page.text)
    assert shown and set(shown) <= {row[0] for row in rows[1:]}, "every row the page shows (it pages; all exported)"

    consumption = city.get("/statistics/consumption.xlsx", params={"group": "industry", "period": "month"})
    assert consumption.status_code == 200 and consumption.headers["content-type"] == XLSX
    header = _sheet(consumption.content)[0]
    assert header == ("行业", "周期（月）", "用电量(kWh)", "上期用电量(kWh)", "环比", "上年同期用电量(kWh)", "同比")


def test_consumption_by_industry_adds_up_the_enterprises_of_each_industry(
    city: httpx.Client, platform: Platform
) -> None:
    """Industries are summed by ingest from the registry's grouping; the per-enterprise table must agree (the
    live terminals keep adding a little, so the two exports, seconds apart, agree to within 1%)."""
    headers = {"Authorization": f"Bearer {platform.admin_token()}"}
    registry = httpx.get(f"{platform.base_url}/api/registry/enterprises", params={"limit": 5000}, headers=headers)
    industry_of = {e["name"]: e["industry"] for e in registry.json()}
    span = {"period": "month", "start": time.strftime("%Y-%m-01"), "end": time.strftime("%Y-%m-%d")}
    deadline, by_enterprise = time.monotonic() + 120, [()]
    while len(by_enterprise) < 2 and time.monotonic() < deadline:  # the live terminals' first rollup
        by_enterprise = _sheet(city.get("/statistics/consumption.xlsx", params={**span, "group": "enterprise"}).content)
        time.sleep(0 if len(by_enterprise) > 1 else 3)
    by_industry = _sheet(city.get("/statistics/consumption.xlsx", params={**span, "group": "industry"}).content)
    summed: dict[str, float] = {}
    for name, _period, kwh, *_rest in by_enterprise[1:]:
        if name in industry_of:  # data of a psId the registry does not know (other tests' devices) has no industry
            summed[industry_of[name]] = summed.get(industry_of[name], 0.0) + float(kwh)  # type: ignore[arg-type]
    reported = {str(industry): float(kwh) for industry, _period, kwh, *_rest in by_industry[1:]}  # type: ignore[arg-type]
    assert reported and reported.keys() == summed.keys(), (reported, summed)
    for industry, kwh in reported.items():
        assert kwh == pytest.approx(summed[industry], rel=0.01, abs=0.5), industry


def test_the_control_page_starts_and_ends_a_period(city: httpx.Client) -> None:
    name = f"新华区新型建材橙色预警（e2e {time.time_ns()}）"
    started = city.post(
        "/control/periods",
        data={
            "csrf_token": city.cookies["fbjd_csrf"],
            "name": name,
            "level": "orange",
            "starts_at": time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + 8 * 3600 - 120)),
            "ends_at": time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + 8 * 3600 + 7200)),
            "counties": ["130902"],
            "industries": ["新型建材"],
        },
    )
    assert started.status_code == 200 and started.url.path == "/control"
    assert name in started.text and "执行中" in started.text
    assert CERAMICS in started.text, "the ceramics works in 新华区 is covered"
    assert STEEL not in started.text, "a steel works elsewhere is not"
    assert "1#烧成窑" in started.text and re.search(r"(已落实|未落实|无法判断)", started.text)

    period_id = started.url.params["period"]
    ended = city.post(f"/control/periods/{period_id}/end", data={"csrf_token": city.cookies["fbjd_csrf"]})
    assert ended.status_code == 200
    row = re.search(rf"{re.escape(name)}.*?</tr>", ended.text, re.S)
    assert row is not None and "已结束" in row.group(0)


def test_an_enterprise_user_sees_its_own_page_and_404_for_another(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url, follow_redirects=True, timeout=30) as browser:
        web_login(browser, "enterprise", platform.admin_password)
        own = browser.get("/enterprises")
        assert own.status_code == 200 and own.url.path == f"/enterprises/{ps_id_of(CERAMICS)}"
        assert CERAMICS in own.text
        other = browser.get(f"/enterprises/{ps_id_of(STEEL)}")
        assert other.status_code == 404 and STEEL not in other.text
        assert browser.get(f"/enterprises/{ps_id_of(STEEL)}/point-table.xlsx").status_code == 404
