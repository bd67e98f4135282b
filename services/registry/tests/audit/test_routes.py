"""The province's platform audit (附件4 §4): a registry built to fail each check gets that finding, in Chinese,
naming the entity; a sound registry passes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import Builder

Sound = dict[str, Any]


async def _sound(build: Builder) -> Sound:
    """烧成窑 → 烧成窑脱硫塔, each with a well-named point with threshold, plus the total incoming line."""
    ps_id = (await build.enterprise())["ps_id"]
    kiln = await build.facility(ps_id, "烧成窑")
    fgd = await build.facility(ps_id, "烧成窑脱硫塔", "treatment")
    await build.point(ps_id, kiln, "烧成窑-助燃风机")
    await build.point(ps_id, fgd, "烧成窑脱硫塔-循环泵")
    await build.point(ps_id, None, "厂区总进线-1#变压器")
    await build.link(ps_id, kiln, fgd)
    return {"ps_id": ps_id, "kiln": kiln, "fgd": fgd}


async def _patch(city: httpx.AsyncClient, path: str, body: dict[str, Any]) -> None:
    reply = await city.patch(path, json=body)
    assert reply.status_code == 200, reply.text


Scenario = Callable[[httpx.AsyncClient, "Builder", Sound], Awaitable[str]]


async def production_without_treatment(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    press = await build.facility(s["ps_id"], "压制机1")
    await build.point(s["ps_id"], press, "压制机1-主电机")
    return "压制机1"


async def production_without_point(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await build.link(s["ps_id"], await build.facility(s["ps_id"], "2#烧成窑"), s["fgd"])
    return "2#烧成窑"


async def treatment_without_point(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await build.link(s["ps_id"], s["kiln"], await build.facility(s["ps_id"], "烧成窑脱硝系统", "treatment"))
    return "烧成窑脱硝系统"


async def controlled_facility_without_point(city: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    mill = await build.facility(s["ps_id"], "球磨机", needs_treatment=False)
    plan = {"name": "红色预警一厂一策", "measures": [{"facility_id": mill["id"], "action": "stop"}]}
    assert (await city.put(f"/enterprises/{s['ps_id']}/control-plans/red", json=plan)).status_code == 200
    return "球磨机"


async def point_name_bare(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await build.point(s["ps_id"], s["kiln"], "电表1")
    return "电表1"


async def point_name_missing_facility(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await build.point(s["ps_id"], s["fgd"], "引风机")
    return "引风机"


async def point_name_missing_node(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await build.point(s["ps_id"], s["kiln"], "烧成窑-2#表")
    return "烧成窑-2#表"


async def point_name_duplicate(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await build.point(s["ps_id"], s["kiln"], "烧成窑－助燃风机")  # full-width hyphen: the same name to a reader
    return "烧成窑－助燃风机"


async def facility_name_duplicate(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await build.facility(s["ps_id"], "烧成　窑", "treatment")  # an ideographic space: the same name to a reader
    return "烧成窑"


async def facility_name_bare(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await build.facility(s["ps_id"], "设备1")
    return "设备1"


async def total_line_name_unclear(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await build.point(s["ps_id"], None, "配电室A柜")
    return "配电室A柜"


async def facility_both_roles(city: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await _patch(city, f"/facilities/{s['fgd']['id']}", {"kind": "production"})
    await build.link(s["ps_id"], s["fgd"], await build.facility(s["ps_id"], "湿电除尘器", "treatment"))
    return "烧成窑脱硫塔"


async def link_kind_mismatch(city: httpx.AsyncClient, _b: Builder, s: Sound) -> str:
    await _patch(city, f"/facilities/{s['fgd']['id']}", {"kind": "production"})
    return "烧成窑→烧成窑脱硫塔"


async def link_cycle(city: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await _patch(city, f"/facilities/{s['kiln']['id']}", {"kind": "treatment"})
    await _patch(city, f"/facilities/{s['fgd']['id']}", {"kind": "production"})
    await build.link(s["ps_id"], s["fgd"], s["kiln"])
    return "烧成窑"


async def treatment_orphan(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    wet = await build.facility(s["ps_id"], "湿电除尘器", "treatment")
    await build.point(s["ps_id"], wet, "湿电除尘器-高压电源")
    return "湿电除尘器"


async def point_role_mismatch(city: httpx.AsyncClient, _b: Builder, s: Sound) -> str:
    await _patch(city, f"/facilities/{s['kiln']['id']}", {"kind": "treatment"})
    return "烧成窑-助燃风机"


async def threshold_missing(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await build.point(s["ps_id"], s["kiln"], "烧成窑-排烟风机", threshold_kw=None)
    return "烧成窑-排烟风机"


async def rated_power_missing(_c: httpx.AsyncClient, build: Builder, s: Sound) -> str:
    await build.point(s["ps_id"], s["kiln"], "烧成窑-排烟风机", rated_kw=None)
    return "烧成窑-排烟风机"


SCENARIOS: list[tuple[str, str, str, Scenario]] = [
    ("points_incomplete", "production_without_treatment", "error", production_without_treatment),
    ("points_incomplete", "production_without_point", "error", production_without_point),
    ("points_incomplete", "treatment_without_point", "error", treatment_without_point),
    ("points_incomplete", "controlled_facility_without_point", "error", controlled_facility_without_point),
    ("names_unclear", "point_name_bare", "error", point_name_bare),
    ("names_unclear", "point_name_missing_facility", "error", point_name_missing_facility),
    ("names_unclear", "point_name_missing_node", "error", point_name_missing_node),
    ("names_unclear", "point_name_duplicate", "error", point_name_duplicate),
    ("names_unclear", "facility_name_duplicate", "error", facility_name_duplicate),
    ("names_unclear", "facility_name_bare", "error", facility_name_bare),
    ("names_unclear", "total_line_name_unclear", "warning", total_line_name_unclear),
    ("correspondence_inconsistent", "facility_both_roles", "error", facility_both_roles),
    ("correspondence_inconsistent", "link_kind_mismatch", "error", link_kind_mismatch),
    ("correspondence_inconsistent", "link_cycle", "error", link_cycle),
    ("correspondence_inconsistent", "treatment_orphan", "error", treatment_orphan),
    ("correspondence_inconsistent", "point_role_mismatch", "error", point_role_mismatch),
    ("thresholds_missing", "threshold_missing", "error", threshold_missing),
    ("thresholds_missing", "rated_power_missing", "warning", rated_power_missing),
]


async def test_a_sound_registry_passes_the_audit(city: httpx.AsyncClient, build: Builder) -> None:
    sound = await _sound(build)
    report = (await city.get(f"/enterprises/{sound['ps_id']}/audit")).json()
    assert (report["passed"], report["findings"]) == (True, [])


@pytest.mark.parametrize(("category", "code", "severity", "scenario"), SCENARIOS, ids=[s[1] for s in SCENARIOS])
async def test_a_registry_built_to_fail_a_check_gets_that_finding(
    city: httpx.AsyncClient, build: Builder, category: str, code: str, severity: str, scenario: Scenario
) -> None:
    sound = await _sound(build)
    entity_name = await scenario(city, build, sound)
    report = (await city.get(f"/enterprises/{sound['ps_id']}/audit")).json()
    found = [f for f in report["findings"] if f["code"] == code]
    assert found, report["findings"]
    assert {(f["category"], f["severity"]) for f in found} == {(category, severity)}
    assert entity_name in {f["entity"]["name"] for f in found}
    assert all(entity_name.strip() in f["message"] or f["entity"]["name"] in f["message"] for f in found)
    assert report["passed"] is (severity != "error" and report["errors"] == 0)


async def test_an_enterprise_without_a_total_incoming_line_gets_a_warning(
    city: httpx.AsyncClient, build: Builder
) -> None:
    ps_id = (await build.enterprise())["ps_id"]
    report = (await city.get(f"/enterprises/{ps_id}/audit")).json()
    (finding,) = [f for f in report["findings"] if f["code"] == "total_line_missing"]
    assert finding["severity"] == "warning" and finding["entity"] == {
        "type": "enterprise",
        "id": ps_id,
        "name": finding["entity"]["name"],
    }


async def test_the_audit_runs_on_every_change_without_being_asked(city: httpx.AsyncClient, build: Builder) -> None:
    sound = await _sound(build)
    latest = (await city.get(f"/enterprises/{sound['ps_id']}/audit/latest")).json()
    assert latest["passed"] is True
    await build.point(sound["ps_id"], sound["kiln"], "电表3")
    latest = (await city.get(f"/enterprises/{sound['ps_id']}/audit/latest")).json()
    assert latest["passed"] is False
    assert [f["entity"]["name"] for f in latest["findings"] if f["code"] == "point_name_bare"] == ["电表3"]
