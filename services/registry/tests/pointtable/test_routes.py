"""「XX企业分表计电监测点位信息表」: export → import gives the same registry; a broken table reports every problem
and changes nothing."""

from __future__ import annotations

import io
import uuid
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook

if TYPE_CHECKING:
    from conftest import Builder

XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


async def _ceramics(build: Builder) -> str:
    """The notice's ceramics example: shared desulfurization, one denitrification system for two kilns,
    presses 1-4 on one bag filter, polishers 1-5 on another; one device (MN) carries every point."""
    ps_id: str = (await build.enterprise(name=f"沧州市示例陶瓷有限公司{uuid.uuid4().hex[:4]}"))["ps_id"]
    mn = uuid.uuid4().hex[:24].upper()
    channel = {"production": 0, "treatment": 0}

    async def point(facility: dict[str, Any] | None, name: str, rated: float, threshold: float, **extra: Any) -> None:
        group = "treatment" if facility is not None and facility["kind"] == "treatment" else "production"
        channel[group] += 1
        code = f"d{3 if group == 'treatment' else 2}05{channel[group]:02d}"
        await build.point(
            ps_id, facility, name, rated_kw=rated, threshold_kw=threshold, mn=mn, factor_code=code, **extra
        )

    dryer = await build.facility(ps_id, "喷雾干燥塔", process="制粉工序", rated_kw=260)
    bag = await build.facility(ps_id, "喷雾干燥塔布袋除尘器", "treatment", rated_kw=90)
    cyclone = await build.facility(ps_id, "喷雾干燥塔旋风除尘器", "treatment")
    fgd = await build.facility(ps_id, "脱硫塔", "treatment", process="烟气治理")
    kilns = [await build.facility(ps_id, f"{n}#烧成窑", process="烧成工序") for n in (1, 2)]
    scr = await build.facility(ps_id, "烧成窑脱硝系统", "treatment")
    presses = [await build.facility(ps_id, f"压制机{n}", process="成型工序") for n in range(1, 5)]
    press_bag = await build.facility(ps_id, "压制机布袋除尘器", "treatment")
    polishers = [await build.facility(ps_id, f"磨抛机{n}", process="抛光工序") for n in range(1, 6)]
    polish_bag = await build.facility(ps_id, "磨抛机布袋除尘器", "treatment")
    await point(dryer, "喷雾干燥塔-热风炉鼓风机", 75, 10)
    await point(dryer, "喷雾干燥塔-柱塞泵", 30, 4.5)
    await point(bag, "喷雾干燥塔布袋除尘器-收尘风机", 90, 15)
    await point(cyclone, "喷雾干燥塔旋风除尘器-引风机", 55, 8)
    await point(fgd, "脱硫塔-循环泵", 110, 20, standby_group="循环泵")
    await point(fgd, "脱硫塔-备用循环泵", 110, 20, standby_group="循环泵", threshold_source="manual")
    await point(fgd, "脱硫塔-氧化风机", 45, 6, judgement_minutes=10)
    for kiln in kilns:
        await point(kiln, f"{kiln['name']}-助燃风机", 132, 18)
    await point(scr, "烧成窑脱硝系统-稀释风机", 30, 5)
    for press in presses:
        await point(press, f"{press['name']}-液压泵", 37, 5)
    await point(press_bag, "压制机布袋除尘器-引风机", 45, 7)
    for polisher in polishers:
        await point(polisher, f"{polisher['name']}-主电机", 22, 3)
    await point(polish_bag, "磨抛机布袋除尘器-引风机", 37, 5)
    await point(None, "厂区总进线-1#变压器", 2000, 50)
    for treatment in (bag, cyclone, fgd):
        await build.link(ps_id, dryer, treatment)
    for kiln in kilns:
        await build.link(ps_id, kiln, fgd)
        await build.link(ps_id, kiln, scr)
    for press in presses:
        await build.link(ps_id, press, press_bag)
    for polisher in polishers:
        await build.link(ps_id, polisher, polish_bag)
    return ps_id


def _by_name(topology: dict[str, Any]) -> dict[str, Any]:
    """The registry without ids: what export → import must preserve."""
    names = {f["id"]: f["name"] for f in topology["facilities"]}
    return {
        "facilities": {
            f["name"]: {k: v for k, v in f.items() if k not in {"id", "ps_id"}} for f in topology["facilities"]
        },
        "points": {
            p["name"]: {
                **{k: v for k, v in p.items() if k not in {"id", "ps_id", "facility_id"}},
                "facility": names.get(p["facility_id"]),
            }
            for p in topology["points"]
        },
        "links": sorted(
            (names[x["production_facility_id"]], names[x["treatment_facility_id"]]) for x in topology["links"]
        ),
    }


async def _state(city: httpx.AsyncClient, ps_id: str) -> tuple[dict[str, Any], int]:
    topology = (await city.get(f"/enterprises/{ps_id}/topology")).json()
    log = (await city.get(f"/enterprises/{ps_id}/changes", params={"limit": 1000})).json()
    return topology, len(log)


async def _export(city: httpx.AsyncClient, ps_id: str) -> bytes:
    reply = await city.get(f"/enterprises/{ps_id}/point-table")
    assert reply.status_code == 200, reply.text
    assert "attachment" in reply.headers["content-disposition"]
    return reply.content


async def test_the_export_is_the_notices_table_with_merged_cells_and_totals(
    city: httpx.AsyncClient, build: Builder
) -> None:
    ps_id = await _ceramics(build)
    sheet = load_workbook(io.BytesIO(await _export(city, ps_id)))["监测点位信息表"]
    assert str(sheet["A1"].value).endswith("分表计电监测点位信息表")
    assert [c.value for c in sheet[2]] == [
        "序号",
        "生产线/设施名称",
        "关键监测节点名称",
        "额定功率/阈值(kW)",
        "配套治污设施/设备名称",
        "治污设施关键监测节点名称",
        "额定功率/阈值(kW)",
    ]
    # 喷雾干燥塔: three treatment facilities, 脱硫塔 with three nodes → a block of five rows, name merged over it.
    assert (sheet["B3"].value, sheet["C3"].value, sheet["D3"].value) == (
        "喷雾干燥塔",
        "喷雾干燥塔-热风炉鼓风机",
        "75/10",
    )
    assert "B3:B7" in {str(r) for r in sheet.merged_cells.ranges}
    assert [sheet.cell(row=r, column=5).value for r in (3, 4, 5)] == [
        "喷雾干燥塔布袋除尘器",
        "喷雾干燥塔旋风除尘器",
        "脱硫塔",
    ]
    assert "E5:E7" in {str(r) for r in sheet.merged_cells.ranges}
    last = sheet.max_row
    assert (sheet.cell(row=last, column=1).value, sheet.cell(row=last, column=2).value) == (
        "合计",
        "生产设施监测点位 13 个",
    )
    assert sheet.cell(row=last, column=5).value == "治污设施监测点位 8 个"


async def test_importing_the_export_back_changes_nothing(city: httpx.AsyncClient, build: Builder) -> None:
    ps_id = await _ceramics(build)
    before, changes_before = await _state(city, ps_id)
    reply = await city.post(f"/enterprises/{ps_id}/point-table", content=await _export(city, ps_id), headers=XLSX)
    assert reply.status_code == 200, reply.text
    assert (
        reply.json()["created"]
        == reply.json()["updated"]
        == reply.json()["deleted"]
        == {"facilities": 0, "points": 0, "links": 0}
    )
    after, changes_after = await _state(city, ps_id)
    assert (after, changes_after) == (before, changes_before)


async def test_export_clear_import_gives_the_same_registry(city: httpx.AsyncClient, build: Builder) -> None:
    ps_id = await _ceramics(build)
    exported = await _export(city, ps_id)
    original, _ = await _state(city, ps_id)
    empty = Workbook()
    assert empty.active is not None
    empty.active.append(
        [
            "序号",
            "生产线/设施名称",
            "关键监测节点名称",
            "额定功率/阈值(kW)",
            "配套治污设施/设备名称",
            "治污设施关键监测节点名称",
            "额定功率/阈值(kW)",
        ]
    )
    buffer = io.BytesIO()
    empty.save(buffer)
    cleared = await city.post(f"/enterprises/{ps_id}/point-table", content=buffer.getvalue(), headers=XLSX)
    assert cleared.status_code == 200 and cleared.json()["deleted"] == {"facilities": 18, "points": 22, "links": 16}
    assert (await city.get(f"/enterprises/{ps_id}/topology")).json()["facilities"] == []
    restored = await city.post(f"/enterprises/{ps_id}/point-table", content=exported, headers=XLSX)
    assert restored.status_code == 200 and restored.json()["created"] == {"facilities": 18, "points": 22, "links": 16}
    again, _ = await _state(city, ps_id)
    assert _by_name(again) == _by_name(original)


async def test_a_dry_run_counts_without_changing_anything(city: httpx.AsyncClient, build: Builder) -> None:
    source, target = await _ceramics(build), (await build.enterprise())["ps_id"]
    workbook = load_workbook(io.BytesIO(await _export(city, source)))
    for row in workbook["测点参数"].iter_rows(min_row=2):
        row[7].value = row[8].value = None  # the devices belong to the source enterprise
    buffer = io.BytesIO()
    workbook.save(buffer)
    reply = await city.post(
        f"/enterprises/{target}/point-table", params={"dry_run": "true"}, content=buffer.getvalue(), headers=XLSX
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["dry_run"] is True and reply.json()["created"] == {"facilities": 18, "points": 22, "links": 16}
    assert await _state(city, target) == ((await city.get(f"/enterprises/{target}/topology")).json(), 1)
    assert (await city.get(f"/enterprises/{target}/topology")).json()["facilities"] == []


def _row_of(sheet: Any, column: int, value: str) -> int:
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=column).value == value)


async def test_a_broken_table_reports_every_problem_and_changes_nothing(
    city: httpx.AsyncClient, build: Builder
) -> None:
    ps_id = await _ceramics(build)
    workbook = load_workbook(io.BytesIO(await _export(city, ps_id)))
    main, points, facilities = workbook["监测点位信息表"], workbook["测点参数"], workbook["设施参数"]
    press = _row_of(main, 2, "压制机1")
    main.cell(row=press, column=4, value="三十七")  # not 额定/阈值
    polisher = _row_of(main, 2, "磨抛机1")
    main.cell(row=polisher, column=4, value="22/30")  # threshold above rating
    extra = _row_of(main, 1, "合计") + 1  # rows added below the totals are read too
    main.cell(row=extra, column=3, value="破碎机-主电机")  # a node without its facility
    main.cell(row=extra + 1, column=2, value="磨抛机2")
    main.cell(row=extra + 1, column=3, value="压制机2-液压泵")  # the same point name under another facility
    main.cell(row=extra + 1, column=4, value="37/5")
    points.cell(row=_row_of(points, 1, "脱硫塔-氧化风机"), column=8, value="MN-12")
    points.cell(row=_row_of(points, 1, "压制机布袋除尘器-引风机"), column=3, value="电表")
    facilities.cell(row=_row_of(facilities, 1, "脱硫塔"), column=2, value="生产设施")
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = await _state(city, ps_id)

    reply = await city.post(f"/enterprises/{ps_id}/point-table", content=buffer.getvalue(), headers=XLSX)
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["message"] == f"点位表有 {len(error['problems'])} 处问题，未做任何修改"
    found = {(p["field"], p["label"], p["message"]) for p in error["problems"]}
    expected = [
        (f"监测点位信息表第{press}行", "额定功率/阈值(kW)", "须写成「额定功率/阈值」"),
        (f"监测点位信息表第{polisher}行", "启停阈值(kW)", "阈值 30.0 kW 大于额定功率 22.0 kW"),
        ("测点参数第", "阈值(kW)", f"与监测点位信息表第{polisher}行的 30.0 不一致"),  # the details sheet still says 3
        (f"监测点位信息表第{extra}行", "关键监测节点名称", "「破碎机-主电机」没有填写所属生产线/设施名称"),
        (f"监测点位信息表第{extra + 1}行", "关键监测节点名称", "「压制机2-液压泵」与监测点位信息表第"),
        ("测点参数第", "设备MN号", "24位"),
        ("测点参数第", "测点类型", "须为以下之一"),
        ("设施参数第", "设施类型", "「脱硫塔」在监测点位信息表第"),
    ]
    for where, label, text in expected:
        assert any(f.startswith(where) and lab == label and text in m for f, lab, m in found), (
            where,
            label,
            text,
            found,
        )
    assert len(error["problems"]) == len(expected)
    assert await _state(city, ps_id) == before


@pytest.mark.parametrize("content", [b"", b"not a workbook"])
async def test_a_file_that_is_not_a_workbook_is_refused_clearly(
    city: httpx.AsyncClient, build: Builder, content: bytes
) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    reply = await city.post(f"/enterprises/{ps_id}/point-table", content=content, headers=XLSX)
    assert reply.status_code == 422
    assert reply.json()["error"]["problems"][0]["label"] == "文件"
