"""The twelve items of 分表计电平台审核表 and what the registry's own data says about each. Pure functions.

The issue names the data-decidable items (point count against the permit's facilities, correspondence, naming,
thresholds provided and plausible, power-off/on alarms, data quality); the rest are what a county auditor
checks besides (basic information, documents, on-site labels, 一厂一策 measures, transmission rate).

Basis of each item:
- `data`: pre-filled from the registry (its audit findings, its topology, the application and its documents);
- `input`: pre-filled from a value the caller passes (the monthly transmission rate, which the rules service
  computes; the registry imports no other service and does not call one here);
- `auditor`: only a person can say (on site, or from the device events the rules service shows).
Every pre-fill is a suggestion with its evidence; the county confirms each item (PUT …/acceptance/audit).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel

from fbjd_registry.acceptance.application.schemas import ApplicationForm
from fbjd_registry.audit.schemas import Category, Finding, Severity
from fbjd_registry.documents.kinds import KIND_LABELS, REQUIRED_APPLICATION_KINDS
from fbjd_registry.enterprises.schemas import EnterpriseOut
from fbjd_registry.topology.schemas import TopologyOut
from fbjd_registry.vocabulary import CONTROL_LEVEL_LABELS, ControlLevel, FacilityKind, PointRole

__all__ = ["ITEMS", "MIN_TRANSMISSION_RATE", "Facts", "Item", "ItemPrefill", "prefill"]

MIN_TRANSMISSION_RATE = 90.0  # percent; below it the notice asks for maintenance


@dataclass(frozen=True, slots=True)
class Item:
    code: str
    title: str
    basis: str  # data | input | auditor


ITEMS: tuple[Item, ...] = (
    Item("basic_info", "企业基础信息完整", "data"),
    Item("points_complete", "监测点位齐全（与排污许可证载明的生产、治污设施相符）", "data"),
    Item("correspondence", "生产设施与治污设施对应关系正确", "data"),
    Item("names_clear", "监测点位命名清晰（写明设施及监测节点）", "data"),
    Item("thresholds_provided", "启停阈值已提供", "data"),
    Item("thresholds_plausible", "启停阈值合理（大于0且低于额定功率）", "data"),
    Item("power_alarm", "断电、来电报警功能正常", "auditor"),
    Item("transmission_rate", f"数据传输率达标（月传输率不低于{MIN_TRANSMISSION_RATE:g}%）", "input"),
    Item("data_quality", "数据质量（数据连续、数值合理、时间准确）", "auditor"),
    Item("labels_on_site", "现场设备标签与平台一致", "auditor"),
    Item("documents_complete", "验收申请材料齐全", "data"),
    Item("control_measures", "一厂一策管控措施与设施对应", "data"),
)


class ItemPrefill(BaseModel):
    code: str
    number: int  # 1–12, the order of the form
    title: str
    basis: str
    suggested: bool | None  # None: the data cannot decide
    evidence: list[str]


@dataclass(frozen=True, slots=True)
class Facts:
    """What the registry knows of one enterprise when its audit form is opened."""

    enterprise: EnterpriseOut
    form: ApplicationForm | None
    topology: TopologyOut
    findings: list[Finding]
    controlled_facility_ids: set[uuid.UUID]
    plan_levels: list[str]
    documents_present: set[str]
    transmission_rate: float | None = None
    missing_enterprise_fields: list[str] = field(default_factory=list)


Verdict = tuple[bool | None, list[str]]


def _errors(facts: Facts, category: Category, codes: set[str] | None = None) -> list[str]:
    return [
        f.message
        for f in facts.findings
        if f.category is category and f.severity is Severity.ERROR and (codes is None or f.code in codes)
    ]


def _basic_info(facts: Facts) -> Verdict:
    problems = [f"企业基础信息缺少：{label}" for label in facts.missing_enterprise_fields]
    if facts.form is None:
        problems.append("尚未填写验收申请基础信息表")
    if problems:
        return False, problems
    e = facts.enterprise
    return True, [f"{e.name}，统一社会信用代码 {e.credit_code}，排污许可证 {e.permit_no}，基础信息表已填写"]


def _facility_counts(facts: Facts) -> Counter[FacilityKind]:
    return Counter(f.kind for f in facts.topology.facilities)


def _points_complete(facts: Facts) -> Verdict:
    counts = _facility_counts(facts)
    roles = Counter(p.role for p in facts.topology.points)
    production, treatment = counts[FacilityKind.PRODUCTION], counts[FacilityKind.TREATMENT]
    evidence = [
        f"平台登记生产设施 {production} 台（套）、治污设施 {treatment} 台（套）；"
        f"监测点位 {len(facts.topology.points)} 个（生产 {roles[PointRole.PRODUCTION]}、"
        f"治污 {roles[PointRole.TREATMENT]}、产治一体 {roles[PointRole.INTEGRATED]}、"
        f"总进线 {roles[PointRole.TOTAL_LINE]}）"
    ]
    problems = _errors(facts, Category.POINTS_INCOMPLETE)
    if facts.form is not None:
        permit = (
            (FacilityKind.PRODUCTION, "生产", facts.form.permit_production_facilities),
            (FacilityKind.TREATMENT, "治污", facts.form.permit_treatment_facilities),
        )
        for kind, word, declared in permit:
            if counts[kind] < declared:
                problems.append(f"排污许可证载明{word}设施 {declared} 台（套），平台只登记了 {counts[kind]} 台（套）")
    if not facts.topology.points:
        problems.append("平台没有任何监测点位")
    return not problems, evidence + problems


def _from_category(category: Category, ok: str, codes: set[str] | None = None) -> Callable[[Facts], Verdict]:
    def verdict(facts: Facts) -> Verdict:
        problems = _errors(facts, category, codes)
        return (False, problems) if problems else (True, [ok])

    return verdict


def _thresholds_plausible(facts: Facts) -> Verdict:
    measured = [p for p in facts.topology.points if p.role is not PointRole.TOTAL_LINE and p.threshold_kw is not None]
    if not measured:
        return None, ["没有已提供阈值的测点，无法核对"]
    problems = []
    for p in measured:
        assert p.threshold_kw is not None
        if p.threshold_kw <= 0:
            problems.append(f"测点「{p.name}」阈值为 0 kW：任何待机电流都会被判为运行")
        elif p.rated_kw is not None and p.threshold_kw >= p.rated_kw:
            problems.append(
                f"测点「{p.name}」阈值 {p.threshold_kw:g} kW 不低于额定功率 {p.rated_kw:g} kW：满负荷运行也会被判为停运"
            )
    if problems:
        return False, problems
    return True, [f"{len(measured)} 个测点的阈值均大于 0 且低于额定功率"]


def _transmission_rate(facts: Facts) -> Verdict:
    rate = facts.transmission_rate
    if rate is None:
        return None, ["请填写月数据传输率（规则服务按测点统计），或以 ?transmission_rate= 传入"]
    verdict = rate >= MIN_TRANSMISSION_RATE
    word = "达标" if verdict else f"低于 {MIN_TRANSMISSION_RATE:g}%，需维护"
    return verdict, [f"传入的月数据传输率 {rate:g}%，{word}"]


def _documents_complete(facts: Facts) -> Verdict:
    missing = [KIND_LABELS[k] for k in REQUIRED_APPLICATION_KINDS if k.value not in facts.documents_present]
    if missing:
        return False, [f"缺少：{'、'.join(missing)}"]
    return True, [f"{len(REQUIRED_APPLICATION_KINDS)} 类申请材料均已上传"]


def _control_measures(facts: Facts) -> Verdict:
    if not facts.plan_levels:
        return False, ["未登记一厂一策管控方案（红色/橙色/黄色预警）"]
    levels = "、".join(CONTROL_LEVEL_LABELS.get(ControlLevel(level), level) for level in sorted(facts.plan_levels))
    evidence = [f"已登记管控方案：{levels}；涉及设施 {len(facts.controlled_facility_ids)} 台（套）"]
    problems = _errors(facts, Category.POINTS_INCOMPLETE, {"controlled_facility_without_point"})
    if "control_measures" not in facts.documents_present:
        problems.append("未上传一厂一策管控措施文件")
    return (False, evidence + problems) if problems else (True, evidence)


def _for_auditor(hint: str) -> Callable[[Facts], Verdict]:
    def verdict(_facts: Facts) -> Verdict:
        return None, [hint]

    return verdict


_VERDICTS: dict[str, Callable[[Facts], Verdict]] = {
    "basic_info": _basic_info,
    "points_complete": _points_complete,
    "correspondence": _from_category(Category.CORRESPONDENCE_INCONSISTENT, "生产、治污设施对应关系无问题"),
    "names_clear": _from_category(Category.NAMES_UNCLEAR, "测点名称均写明设施及监测节点，无重复"),
    "thresholds_provided": _from_category(Category.THRESHOLDS_MISSING, "生产、治污测点均已提供启停阈值"),
    "thresholds_plausible": _thresholds_plausible,
    "power_alarm": _for_auditor("须现场断电、来电测试，或查看平台的断电/来电事件记录"),
    "transmission_rate": _transmission_rate,
    "data_quality": _for_auditor("须查看平台数据：连续、数值合理、时钟准确"),
    "labels_on_site": _for_auditor("须现场核对设备标签（标签由平台生成：/enterprises/{psId}/labels）"),
    "documents_complete": _documents_complete,
    "control_measures": _control_measures,
}


def prefill(facts: Facts) -> list[ItemPrefill]:
    """The twelve items in the form's order, each with the registry's suggestion and its evidence."""
    result = []
    for number, item in enumerate(ITEMS, start=1):
        suggested, evidence = _VERDICTS[item.code](facts)
        result.append(
            ItemPrefill(
                code=item.code,
                number=number,
                title=item.title,
                basis=item.basis,
                suggested=suggested,
                evidence=evidence,
            )
        )
    return result
