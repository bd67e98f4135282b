"""The overview's figures joined from the registry, ingest and the workflow (no platform needed)."""

from __future__ import annotations

from fbjd_web.overview_figures import area_rows, grade_rows, lifecycle_counts, stage_rows, type_rows

ENTERPRISES = [
    {"ps_id": "a", "county_code": "130921", "industry": "新型建材", "stage": "networked"},
    {"ps_id": "b", "county_code": "130921", "industry": "化工", "stage": "accepted"},
    {"ps_id": "c", "county_code": "130922", "industry": "化工", "stage": "networked"},
]
DEVICES = [
    {"ps_id": "a", "devices": 1, "online_now": 1},
    {"ps_id": "b", "devices": 2, "online_now": 1},
    {"ps_id": "c", "devices": 1, "online_now": 0},
]


def test_every_lifecycle_stage_is_counted_zeros_included() -> None:
    assert lifecycle_counts(ENTERPRISES) == [
        ("planned", "计划安装", 0),
        ("installing", "安装中", 0),
        ("networked", "已联网", 2),
        ("accepted", "已验收", 1),
    ]


def test_counties_side_by_side_add_up_enterprises_terminals_and_records() -> None:
    rows = area_rows(
        ENTERPRISES,
        DEVICES,
        [{"key": "130921", "total": 5, "open": 3}],
        [{"key": "130922", "total": 2, "open": 2}],
        area_of="county_code",
        names={"130921": "沧县", "130922": "青县", "130923": "东光县"},
    )
    by_code = {r.key: r for r in rows}
    cang = by_code["130921"]
    assert (cang.name, cang.enterprises, cang.devices, cang.online, cang.open_records) == ("沧县", 2, 3, 2, 3)
    assert cang.online_rate is not None and abs(cang.online_rate - 2 / 3) < 1e-9
    assert by_code["130922"].records_today == 2
    assert by_code["130923"].enterprises == 0 and by_code["130923"].online_rate is None, "a named county always shows"


def test_industries_side_by_side() -> None:
    rows = area_rows(ENTERPRISES, DEVICES, [], [], area_of="industry", names={})
    assert {r.key: (r.enterprises, r.devices, r.online) for r in rows} == {"化工": (2, 3, 1), "新型建材": (1, 1, 1)}


def test_types_count_today_and_open_and_stages_list_open_ones_first() -> None:
    types = type_rows(
        [{"key": "stop_violation", "total": 4, "open": 4}], [{"key": "stop_violation", "total": 9, "open": 6}]
    )
    stop = next(r for r in types if r.key == "stop_violation")
    assert (stop.label, stop.today, stop.open) == ("应停未停", 4, 6)
    assert len(types) == 4
    stages = stage_rows({"enterprise_check": 2}, {"enterprise_check": 5, "approved": 7})
    assert [s.key for s in stages[:4]] == ["enterprise_check", "city_review", "rejected", "enforcement"]
    assert (stages[0].today, stages[0].open) == (2, 5)


def test_grades_in_order_of_gravity_with_today_and_open() -> None:
    grades = grade_rows([{"key": "grave", "total": 1, "open": 1}], [{"key": "grave", "total": 3, "open": 2}])
    assert [(g.label, g.today, g.open) for g in grades] == [("一般", 0, 0), ("较重", 0, 0), ("严重", 1, 2)]
