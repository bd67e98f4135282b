"""The layout of 「XX企业分表计电监测点位信息表」, the notice's enterprise point table, as an .xlsx workbook.

Sheet 「监测点位信息表」 is the notice's table: one block of rows per production facility
(序号, 生产线/设施名称, 关键监测节点名称, 额定功率/阈值) with its treatment facilities beside it
(配套治污设施/设备名称, 治污设施关键监测节点名称, 额定功率/阈值); cells of a facility spanning
several treatment nodes are merged. A treatment facility shared by several production facilities appears in
each of their blocks. Treatment facilities serving nothing and the
total incoming lines (总进线) follow in blocks of their own, and a closing row counts production and treatment
points. 额定功率/阈值 is written `75/10` (kW); either side may be empty.

Two more sheets carry what the notice's table has no column for, so that export → import loses nothing:
「测点参数」 (role, threshold source, judgement minutes, device MN, factor code, main/standby group per point) and
「设施参数」 (kind, process/line, rated kW, whether treatment is required per facility). Both are optional on
import; the first sheet alone is enough.
"""

from __future__ import annotations

from fbjd_registry.vocabulary import FacilityKind, PointRole, ThresholdSource

__all__ = [
    "FACILITY_HEADERS",
    "FACILITY_SHEET",
    "KIND_LABELS",
    "MAIN_HEADERS",
    "MAIN_SHEET",
    "POINT_HEADERS",
    "POINT_SHEET",
    "ROLE_LABELS",
    "SOURCE_LABELS",
    "TOTAL_LINE_LABEL",
    "TOTALS_LABEL",
    "YES_NO",
    "format_rating",
    "title_of",
]

MAIN_SHEET = "监测点位信息表"
POINT_SHEET = "测点参数"
FACILITY_SHEET = "设施参数"

MAIN_HEADERS = (
    "序号",
    "生产线/设施名称",
    "关键监测节点名称",
    "额定功率/阈值(kW)",
    "配套治污设施/设备名称",
    "治污设施关键监测节点名称",
    "额定功率/阈值(kW)",
)
POINT_HEADERS = (
    "测点名称",
    "所属设施",
    "测点类型",
    "额定功率(kW)",
    "阈值(kW)",
    "阈值来源",
    "判定时长(分钟)",
    "设备MN号",
    "监测因子编码",
    "主备组",
)
FACILITY_HEADERS = ("设施名称", "设施类型", "工艺/生产线", "额定功率(kW)", "需配套治污设施")

TOTAL_LINE_LABEL = "总进线"
TOTALS_LABEL = "合计"

ROLE_LABELS: dict[PointRole, str] = {
    PointRole.TOTAL_LINE: "总进线",
    PointRole.PRODUCTION: "生产",
    PointRole.TREATMENT: "治污",
    PointRole.INTEGRATED: "产治一体",
}
SOURCE_LABELS: dict[ThresholdSource, str] = {
    ThresholdSource.DECLARED: "企业申报",
    ThresholdSource.LEARNED: "平台学习",
    ThresholdSource.MANUAL: "人工设定",
}
KIND_LABELS: dict[FacilityKind, str] = {FacilityKind.PRODUCTION: "生产设施", FacilityKind.TREATMENT: "治污设施"}
YES_NO = {True: "是", False: "否"}


def title_of(enterprise_name: str) -> str:
    return f"{enterprise_name}分表计电监测点位信息表"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def format_rating(rated_kw: float | None, threshold_kw: float | None) -> str:
    """`75/10`; an unknown side stays empty (`75/`, `/10`); both unknown: empty."""
    if rated_kw is None and threshold_kw is None:
        return ""
    return f"{_number(rated_kw)}/{_number(threshold_kw)}"
