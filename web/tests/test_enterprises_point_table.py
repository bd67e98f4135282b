"""The enterprise page's point table, shaped like the notice's 「XX企业分表计电监测点位信息表」, with live states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fbjd_web.point_table import GridCell, live_state, shape_point_table

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def _facility(fid: str, name: str, kind: str) -> dict[str, object]:
    return {"id": fid, "name": name, "kind": kind, "process": None, "rated_kw": None}


def _point(pid: str, fid: str | None, name: str, role: str, rated: float, threshold: float | None) -> dict[str, object]:
    return {"id": pid, "facility_id": fid, "name": name, "role": role, "rated_kw": rated, "threshold_kw": threshold}


def _latest(pid: str, kw: float, minutes_ago: int = 2) -> dict[str, object]:
    return {"point_id": pid, "kw": kw, "data_time": (NOW - timedelta(minutes=minutes_ago)).isoformat()}


# The notice's spray dryer: two production nodes, three treatment facilities (the desulfurization tower with main
# and standby circulation pumps and an oxidation fan), the tower shared with the kiln; and a total incoming line.
TOPOLOGY = {
    "facilities": [
        _facility("F-dryer", "喷雾干燥塔", "production"),
        _facility("F-kiln", "1#烧成窑", "production"),
        _facility("T-bag", "喷雾干燥塔布袋除尘器", "treatment"),
        _facility("T-cyc", "喷雾干燥塔旋风除尘器", "treatment"),
        _facility("T-fgd", "脱硫塔", "treatment"),
        _facility("T-spare", "备用除尘器", "treatment"),
    ],
    "points": [
        _point("p1", "F-dryer", "喷雾干燥塔-热风炉鼓风机", "production", 75, 10),
        _point("p2", "F-dryer", "喷雾干燥塔-柱塞泵", "production", 30, 4),
        _point("p3", "F-kiln", "1#烧成窑-助燃风机", "production", 132, 15),
        _point("t1", "T-bag", "喷雾干燥塔布袋除尘器-收尘风机", "treatment", 90, 12),
        _point("t2", "T-cyc", "喷雾干燥塔旋风除尘器-引风机", "treatment", 55, 8),
        _point("t3", "T-fgd", "脱硫塔-循环泵", "treatment", 110, 15),
        _point("t4", "T-fgd", "脱硫塔-备用循环泵", "treatment", 110, 15),
        _point("t5", "T-fgd", "脱硫塔-氧化风机", "treatment", 45, None),
        _point("z1", None, "总进线", "total_line", 2000, None),
    ],
    "links": [
        {"production_facility_id": "F-dryer", "treatment_facility_id": "T-bag"},
        {"production_facility_id": "F-dryer", "treatment_facility_id": "T-cyc"},
        {"production_facility_id": "F-dryer", "treatment_facility_id": "T-fgd"},
        {"production_facility_id": "F-kiln", "treatment_facility_id": "T-fgd"},
    ],
}


def _names(cells: list[GridCell]) -> list[str]:
    return [
        (c.facility["name"] if c.facility else "—")
        if c.kind == "facility"
        else (c.point.point["name"] if c.point else "·")
        for c in cells
    ]


def test_a_point_is_on_above_its_threshold_and_off_at_or_below_it() -> None:
    fresh = NOW - timedelta(minutes=3)
    assert live_state(12.5, 10.0, fresh, NOW) == "on"
    assert live_state(10.0, 10.0, fresh, NOW) == "off"
    assert live_state(12.5, None, fresh, NOW) == "no_threshold"
    assert live_state(12.5, 10.0, NOW - timedelta(minutes=40), NOW) == "stale", "a value 40 min old says nothing now"
    assert live_state(None, 10.0, None, NOW) == "no_data"


def test_the_spray_dryer_block_has_as_many_rows_as_its_five_treatment_nodes() -> None:
    table = shape_point_table(TOPOLOGY, [], NOW)
    dryer = table.blocks[0]
    assert dryer.title == "喷雾干燥塔" and len(dryer.rows) == 5
    left, right = dryer.rows[0]
    assert _names(left) == ["喷雾干燥塔", "喷雾干燥塔-热风炉鼓风机"] and left[0].rowspan == 5
    assert _names(right) == ["喷雾干燥塔布袋除尘器", "喷雾干燥塔布袋除尘器-收尘风机"]
    assert left[1].rowspan == 1 and dryer.rows[1][0][0].rowspan == 4, "the last production node spans the rest"
    fgd_rows = [right for _, right in dryer.rows[2:]]
    assert _names(fgd_rows[0]) == ["脱硫塔", "脱硫塔-循环泵"] and fgd_rows[0][0].rowspan == 3
    assert [_names(r) for r in fgd_rows[1:]] == [["脱硫塔-备用循环泵"], ["脱硫塔-氧化风机"]]


def test_a_shared_treatment_facility_appears_under_each_production_facility_it_serves() -> None:
    table = shape_point_table(TOPOLOGY, [], NOW)
    kiln = table.blocks[1]
    assert kiln.title == "1#烧成窑" and len(kiln.rows) == 3
    assert _names(kiln.rows[0][1]) == ["脱硫塔", "脱硫塔-循环泵"]


def test_unlinked_treatment_and_the_total_incoming_line_follow_in_blocks_of_their_own() -> None:
    table = shape_point_table(TOPOLOGY, [], NOW)
    assert [b.title for b in table.blocks] == ["喷雾干燥塔", "1#烧成窑", "未关联生产设施的治污设施", "总进线"]
    spare = table.blocks[2].rows[0]
    assert spare[0][0].kind == "empty" and spare[0][1].colspan == 3, "no production side: empty cells span it"
    assert spare[1][1].kind == "empty", "a facility without points still takes a row"
    line = table.blocks[3].rows[0][0]
    assert line[1].point is not None and line[1].point.point["name"] == "总进线"


def test_totals_count_points_and_rated_power_by_side() -> None:
    table = shape_point_table(TOPOLOGY, [], NOW)
    assert (table.production_points, table.treatment_points) == (3, 5)
    assert table.production_rated_kw == 237 and table.treatment_rated_kw == 410, "the total line counts on neither side"


def test_live_values_join_each_point_by_its_id() -> None:
    latest = [_latest("p1", 60.2), _latest("t3", 2.0), _latest("t4", 98.0, minutes_ago=30)]
    states = shape_point_table(TOPOLOGY, latest, NOW).states
    assert (states["p1"].state, states["p1"].kw) == ("on", 60.2)
    assert states["t3"].state == "off"
    assert states["t4"].state == "stale"
    assert states["t1"].state == "no_data"
