"""The six things the province checks (附件4 §4, 省级平台审核), as pure functions of what the sources answered.

1. 数据显示异常但未报警 — rules records in the window with no alarm in the workflow (a delivery lost), and
   records the rules withdrew (later data contradicted them); then what the data itself shows, judged now by the
   rules (`/stretches`, the window's last 31 days): an abnormal stretch no record covers is a miss (findings; a
   record with no alarm is found above); stretches the data cannot decide (production on, treatment points silent) are
   `warn`, one finding per production facility and treatment node with their total minutes; stretches shorter
   than the judgement time are a note (count and longest), not a problem.
2. 阈值设置明显不合理 — rules threshold findings (declared threshold contradicted by the data, straddling the
   power's range, running power above rated, treatment far below rated); registry audit "thresholds missing".
3. 监测点位不全 — registry audit "points incomplete".
4. 点位命名不清晰 — registry audit "names unclear".
5. 产治对应关系混乱、误报较多 — registry audit "correspondence inconsistent"; alarms in the window of which at
   least half (and 3 or more) the city approved as explained or a declaration covered.
6. 其他数据问题 — open rules device and data findings (transmission rate, stuck values, clock skew, offline,
   power-off, implausible values); a transmission rate or clock skew finding only when it falls in the window.

Every finding carries its evidence: the service and the GET path (through the gateway) that shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fbjd_core.time import to_cst

from fbjd_bridge.self_audit.schemas import CheckOut, CheckStatus, Evidence, FindingOut
from fbjd_bridge.self_audit.sources import EnterpriseSources, Sourced

__all__ = [
    "ALARM_GRACE",
    "DATA_KINDS",
    "THRESHOLD_KINDS",
    "TITLES",
    "AuditWindow",
    "run_checks",
]

TITLES = {
    1: "数据显示异常但未报警",
    2: "阈值设置明显不合理",
    3: "监测点位不全",
    4: "点位命名不清晰",
    5: "产治对应关系混乱、误报警较多",
    6: "其他数据问题（传输率、数据卡死、时钟偏差等）",
}
THRESHOLD_KINDS = frozenset({"declared_contradicted", "threshold_straddles", "on_above_rated", "reduced_frequency"})
DATA_KINDS = frozenset(
    {
        "transmission_low",
        "value_stuck",
        "clock_skew",
        "terminal_offline",
        "terminal_power_off",
        "power_off",
        "negative_power",
        "power_above_rated",
        "energy_backwards",
        "energy_reset",
    }
)
PERIODIC_KINDS = frozenset({"transmission_low", "clock_skew"})  # stay open once found: judged in the window only
ALARM_GRACE = timedelta(minutes=10)  # a record younger than this may still be on its way to the workflow
FALSE_ALARM_MIN = 3
FALSE_ALARM_SHARE = 0.5
FALSE_ALARM_STAGES = ("approved", "covered_by_declaration")
MAX_LISTED = 50  # findings listed per check; the rest are counted in one line pointing at the list

_TYPE_LABELS = {
    "treatment_abnormal": "治理设施异常",
    "stop_violation": "应停未停",
    "limit_violation": "限产未限",
    "offpeak_violation": "错峰违规",
}


@dataclass(frozen=True, slots=True)
class AuditWindow:
    start: datetime
    at: datetime


def _cst(moment: str | None) -> str:
    if not moment:
        return "—"
    return to_cst(datetime.fromisoformat(moment.replace("Z", "+00:00"))).strftime("%Y-%m-%d %H:%M")


def _path(base: str, params: dict[str, str]) -> str:
    return f"{base}?{urlencode(params)}"


def _capped(findings: list[FindingOut], rest: Evidence) -> list[FindingOut]:
    if len(findings) <= MAX_LISTED:
        return findings
    more = FindingOut(text=f"另有 {len(findings) - MAX_LISTED} 条同类问题未逐条列出，见证据清单", evidence=rest)
    return [*findings[:MAX_LISTED], more]


def _check(
    code: int,
    findings: list[FindingOut],
    *,
    basis: str,
    sources: Iterable[Sourced],
    unchecked: str | None = None,
    warnings: list[FindingOut] | None = None,
    notes: list[str] | None = None,
) -> CheckOut:
    """`findings` are problems; `warnings` what the data cannot decide (status warn when they are all)."""
    read = list(sources)
    failed = [s.error for s in read if s.error]
    cut = "清单过长，只核查了最新的部分" if any(s.truncated for s in read) else None
    said = [n for n in (unchecked, cut, *(f"数据源未答复：{e}" for e in failed)) if n]
    status: CheckStatus = "findings" if findings else "warn" if warnings else "not_checkable" if failed else "ok"
    return CheckOut(
        code=code,
        title=TITLES[code],
        status=status,
        findings=[*findings, *(warnings or [])],
        basis=basis,
        unchecked="；".join(said) or None,
        notes=notes or [],
    )


def _record_text(record: dict[str, Any]) -> str:
    label = _TYPE_LABELS.get(record.get("type", ""), record.get("type", ""))
    facility = record.get("production_facility_name") or record.get("production_facility_id")
    return f"{label}（{facility}，{_cst(record.get('start'))} 至 {_cst(record.get('end'))}）"


def _unalarmed(ent: EnterpriseSources, window: AuditWindow) -> list[FindingOut]:
    alarmed = {alarm["id"] for alarm in ent.alarms.items}
    found = []
    for record in ent.records.items:
        if record.get("status") != "open" or record["id"] in alarmed:
            continue
        started = datetime.fromisoformat(record["start"].replace("Z", "+00:00"))
        created = datetime.fromisoformat(record["created_at"].replace("Z", "+00:00"))
        if started < window.start or created > window.at - ALARM_GRACE:
            continue  # the alarm list starts at the window; a fresh record may still be on its way
        text = f"异常记录{_record_text(record)}在处置流程中没有报警（推送丢失或未送达）"
        found.append(
            FindingOut(text=text, evidence=Evidence(service="rules", path=f"/api/rules/abnormals/{record['id']}"))
        )
    return found


def _withdrawn(ent: EnterpriseSources) -> list[FindingOut]:
    return [
        FindingOut(
            text=f"异常记录{_record_text(record)}已被规则服务撤销（后到的数据否定了该异常），报警随之撤销，请核对数据",
            evidence=Evidence(service="rules", path=f"/api/rules/abnormals/{record['id']}"),
        )
        for record in ent.records.items
        if record.get("status") == "withdrawn"
    ]


def _stretch_path(ps_id: str, start: str, end: str) -> str:
    return _path("/api/rules/stretches", {"ps_id": ps_id, "from": start, "to": end})


def _pair_text(stretch: dict[str, Any]) -> str:
    return f"「{stretch['production_facility_name']}」运行期间「{stretch['treatment_facility_name']}」"


def _became_abnormal(stretch: dict[str, Any]) -> datetime:
    start = datetime.fromisoformat(stretch["start"].replace("Z", "+00:00"))
    return start + timedelta(minutes=int(stretch["judgement_minutes"]))


def _missed(ent: EnterpriseSources, window: AuditWindow) -> list[FindingOut]:
    """Abnormal stretches the data shows that no open record covers (a record that exists but has no alarm is
    `_unalarmed`'s); none that became abnormal less than `ALARM_GRACE` ago (the evaluation may be on it)."""
    found = []
    for stretch in ent.stretches.items:
        if stretch["kind"] != "abnormal" or stretch.get("record_id") is not None:
            continue
        if _became_abnormal(stretch) > window.at - ALARM_GRACE:
            continue
        when = f"{_cst(stretch['start'])} 至 {_cst(stretch['end'])}，{stretch['minutes']} 分钟"
        text = (
            f"数据显示{_pair_text(stretch)}停运（{when}，达到判定时长 {stretch['judgement_minutes']} 分钟），"
            "规则服务没有相应的异常记录，未报警"
        )
        path = _stretch_path(ent.ps_id, stretch["start"], stretch["end"])
        found.append(FindingOut(text=text, evidence=Evidence(service="rules", path=path)))
    return found


def _undecided(ent: EnterpriseSources, at: datetime) -> list[FindingOut]:
    """One warning per production facility and treatment node whose state the data could not decide."""
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for stretch in ent.stretches.items:
        if stretch["kind"] == "unknown":
            grouped.setdefault((stretch["production_facility_id"], stretch["treatment_point_id"]), []).append(stretch)
    start = (ent.stretches_from or at).isoformat()
    found = []
    for (_, node), stretches in sorted(grouped.items()):
        minutes = sum(int(s["minutes"]) for s in stretches)
        longest = max(stretches, key=lambda s: int(s["minutes"]))
        text = (
            f"{_pair_text(stretches[0])}治理设施测点无数据、无法判断启停：{len(stretches)} 段，合计 {minutes} 分钟"
            f"（最长一段 {_cst(longest['start'])} 起 {longest['minutes']} 分钟），数据不能判定是否异常，请核查数据传输"
        )
        path = _stretch_path(ent.ps_id, start, at.isoformat())
        found.append(FindingOut(text=text, evidence=Evidence(service="rules", path=path, id=node)))
    return found


def _near_misses(ent: EnterpriseSources) -> list[str]:
    short = [s for s in ent.stretches.items if s["kind"] == "short"]
    if not short:
        return []
    longest = max(short, key=lambda s: int(s["minutes"]))
    return [
        f"另有生产运行而治理设施停运、但短于判定时长的时段 {len(short)} 段（未达报警条件），最长一段为"
        f"{_pair_text(longest)}停运 {longest['minutes']} 分钟（{_cst(longest['start'])} 起，判定时长 "
        f"{longest['judgement_minutes']} 分钟）"
    ]


def _days(span: timedelta) -> str:
    days = span / timedelta(days=1)
    return f"{days:g}" if days == int(days) else f"{days:.1f}"


def check_unalarmed(ent: EnterpriseSources, window: AuditWindow) -> CheckOut:
    findings = [] if ent.records.error or ent.alarms.error else _unalarmed(ent, window)
    findings += [] if ent.records.error else _withdrawn(ent)
    findings += [] if ent.stretches.error else _missed(ent, window)
    warnings = [] if ent.stretches.error else _undecided(ent, window.at)
    rest = Evidence(
        service="rules", path=_path("/api/rules/abnormals", {"ps_id": ent.ps_id, "from": window.start.isoformat()})
    )
    judged_from = ent.stretches_from or window.start
    partly = (
        f"按数据重新判定只覆盖最近 {_days(window.at - judged_from)} 天（{_cst(judged_from.isoformat())} 起）"
        if judged_from > window.start
        else None
    )
    return _check(
        1,
        _capped(findings, rest),
        basis=(
            "规则服务窗口内的异常记录与处置流程的报警逐条比对；规则服务撤销的记录；"
            "规则服务按数据重新判定的治理设施停运时段（达到判定时长而无记录或无报警、短于判定时长、数据缺失无法判断）"
        ),
        sources=(ent.records, ent.alarms, ent.stretches),
        unchecked=partly,
        warnings=warnings[:MAX_LISTED],
        notes=[] if ent.stretches.error else _near_misses(ent),
    )


def _rule_finding(row: dict[str, Any], ps_id: str) -> FindingOut:
    where = row.get("point_id") or row.get("subject") or ""
    text = f"{row['message']}（测点 {where}，{_cst(row.get('start_at'))} 起）"
    path = _path("/api/rules/findings", {"ps_id": ps_id, "kind": row["kind"], "status": "open"})
    return FindingOut(text=text, evidence=Evidence(service="rules", path=path, id=str(row["id"])))


def _rule_findings(ent: EnterpriseSources, window: AuditWindow, kinds: frozenset[str]) -> list[FindingOut]:
    chosen = []
    for row in ent.findings.items:
        if row["kind"] not in kinds:
            continue
        started = datetime.fromisoformat(row["start_at"].replace("Z", "+00:00"))
        if row["kind"] in PERIODIC_KINDS and started < window.start:
            continue
        chosen.append(_rule_finding(row, ent.ps_id))
    return chosen


def _audit_findings(ent: EnterpriseSources, category: str) -> list[FindingOut]:
    return [
        FindingOut(
            text=finding["message"],
            evidence=Evidence(service="registry", path=ent.audit_path, id=finding["entity"]["id"]),
        )
        for finding in ent.audit.items
        if finding["category"] == category
    ]


def check_thresholds(ent: EnterpriseSources, window: AuditWindow) -> CheckOut:
    findings = _rule_findings(ent, window, THRESHOLD_KINDS) + _audit_findings(ent, "thresholds_missing")
    rest = Evidence(service="rules", path=_path("/api/rules/thresholds/proposals", {"ps_id": ent.ps_id}))
    return _check(
        2,
        _capped(findings, rest),
        basis="规则服务的阈值学习发现（申报阈值与运行数据不符、阈值落在功率波动范围内、运行功率与额定功率不符）；登记审核的阈值缺失",
        sources=(ent.findings, ent.audit),
    )


def _audit_check(code: int, category: str, basis: str) -> Callable[[EnterpriseSources, AuditWindow], CheckOut]:
    def check(ent: EnterpriseSources, _window: AuditWindow) -> CheckOut:
        rest = Evidence(service="registry", path=ent.audit_path)
        return _check(code, _capped(_audit_findings(ent, category), rest), basis=basis, sources=(ent.audit,))

    return check


def _false_alarms(ent: EnterpriseSources, window: AuditWindow) -> list[FindingOut]:
    total = len(ent.alarms.items)
    approved = sum(1 for a in ent.alarms.items if a.get("stage") == "approved")
    covered = sum(1 for a in ent.alarms.items if a.get("stage") == "covered_by_declaration")
    if total < FALSE_ALARM_MIN or (approved + covered) / total < FALSE_ALARM_SHARE:
        return []
    text = (
        f"窗口内报警 {total} 条，其中市局审核认定情况属实而办结 {approved} 条、提前申报覆盖 {covered} 条"
        f"（占 {(approved + covered) / total:.0%}），误报偏多，请核对生产与治理设施的对应关系和阈值"
    )
    params = [("ps_id", ent.ps_id), *(("stage", s) for s in FALSE_ALARM_STAGES), ("from", window.start.isoformat())]
    path = f"/api/workflow/alarms?{urlencode(params)}"
    return [FindingOut(text=text, evidence=Evidence(service="workflow", path=path))]


def check_correspondence(ent: EnterpriseSources, window: AuditWindow) -> CheckOut:
    findings = _audit_findings(ent, "correspondence_inconsistent")
    findings += [] if ent.alarms.error else _false_alarms(ent, window)
    return _check(
        5,
        _capped(findings, Evidence(service="registry", path=ent.audit_path)),
        basis=(
            "登记审核的对应关系不一致；窗口内报警中市局审核办结与申报覆盖的占比"
            f"（≥{FALSE_ALARM_SHARE:.0%} 且不少于 {FALSE_ALARM_MIN} 条视为误报偏多）"
        ),
        sources=(ent.audit, ent.alarms),
    )


def check_data(ent: EnterpriseSources, window: AuditWindow) -> CheckOut:
    rest = Evidence(service="rules", path=_path("/api/rules/findings", {"ps_id": ent.ps_id, "status": "open"}))
    return _check(
        6,
        _capped(_rule_findings(ent, window, DATA_KINDS), rest),
        basis="规则服务未关闭的设备与数据发现：数据传输率、数值卡死、时钟偏差、数采仪离线、断电、异常值",
        sources=(ent.findings,),
    )


CHECKS = (
    check_unalarmed,
    check_thresholds,
    _audit_check(3, "points_incomplete", "登记审核的测点不全（设施无监测点位、生产设施未关联治理设施、缺总进线等）"),
    _audit_check(4, "names_unclear", "登记审核的命名不清（重名、近似重名、名称过于简单）"),
    check_correspondence,
    check_data,
)


def run_checks(ent: EnterpriseSources, window: AuditWindow) -> list[CheckOut]:
    return [check(ent, window) for check in CHECKS]
