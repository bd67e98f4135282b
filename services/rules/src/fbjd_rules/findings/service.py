"""Operations and threshold findings: kept in rules, shown to operators and the enterprise, never pushed to the
workflow's abnormal endpoint or the province.

Identity is deterministic (kind + subject + CST day, or + start for an offline spell), so re-evaluating the same
data merges into the same finding instead of adding another. Every change of a device or data finding (rule 5)
raises its `version` and queues that version for the workflow's maintenance tickets (outbox destination
`maintenance`, in the change's transaction; the workflow keeps the highest version). Threshold findings stay
here (a person accepts or refuses a proposal; no ticket).

A finding the data later contradicts is withdrawn, not deleted: a terminal-offline finding whose gap is filled
by the terminal's resent history (the data was measured all along, it only arrived late) → `withdrawn` with the
reason, and its ticket closes with that reason. Likewise a power-off or stuck-value finding made while part of
the data was missing: when the re-evaluation of its window with the late data no longer finds it (the voltage
was normal in between, the value moved), it is withdrawn, a new version like any other change. A transmission-rate
finding (a point's day or month below 90 %) is judged again when late data arrives in its period: corrected (the
same finding, a new version with the new rate) while still below, withdrawn once the rate reaches 90 %.

Terminal power-off (数采仪断电, `terminal_power_off`, see `engine.terminal_power`) and terminal offline describe
the same silence when the terminal reports its power-on (2081) after it: the offline finding is then explained,
not left as a second open ticket. It is *resolved* (not withdrawn: the terminal really sent nothing, no data
contradicts it) with its end at the power-on, a reason naming the power-off, and `detail.explained_by` = the
power-off finding's id; the maintenance ticket to act on is the power-off one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fbjd_core.auth import Principal, Role
from fbjd_core.time import to_cst
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.engine.device import DeviceFinding
from fbjd_rules.engine.params import grade_for
from fbjd_rules.engine.series import DataAnomaly
from fbjd_rules.findings import repository
from fbjd_rules.findings.models import Finding
from fbjd_rules.outbox import repository as outbox
from fbjd_rules.outbox.models import OutboxMessage

__all__ = [
    "FINDING_NAMESPACE",
    "FINDING_SCHEMA",
    "KIND_MESSAGES",
    "MAINTENANCE_KINDS",
    "finding_payload",
    "list_visible",
    "offline_started",
    "online_again",
    "record_anomalies",
    "explain_offline",
    "record_device_findings",
    "withdraw_transmission",
]

GRADES = ("general", "serious", "grave")
FINDING_NAMESPACE = uuid.UUID("9d2b7c4e-1a6f-5e3b-8c0d-4f7a2e9b1c63")
MAX_TIMES = 500

KIND_MESSAGES = {
    "negative_power": "测点有功功率为负值（疑似互感器接反或数据错误）",
    "power_above_rated": "测点功率远高于额定功率（数据不可信）",
    "energy_backwards": "电量示值倒走（既非表码翻转也非清零）",
    "energy_reset": "电量示值清零（电表更换或复位）",
    "terminal_offline": "数采仪离线：超过3个数据间隔未收到数据",
    "power_off": "被监控设备断电：电压失压，来电后结束",
    "value_stuck": "测点数值长时间固定不变（同一数采仪其他数据正常变化），疑似数据卡死",
    "transmission_low": "测点数据传输率低于90%，需运维检修",
    "clock_skew": "数采仪时钟偏差：数据时间超前接收时间，疑似时钟不准",
    "terminal_power_off": "数采仪断电：数采仪上报断电（开机时间或电源故障状态）",
}


MAINTENANCE_KINDS = frozenset(KIND_MESSAGES)  # rule 5: these open maintenance tickets in the workflow
FINDING_SCHEMA = "fbjd.maintenance-finding/v1"


def _id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(FINDING_NAMESPACE, "|".join(parts))


def finding_payload(row: Finding) -> dict[str, Any]:
    """One version of a finding as the workflow receives it (POST /api/workflow/maintenance/findings)."""
    return {
        "schema": FINDING_SCHEMA,
        "id": str(row.id),
        "version": row.version,
        "kind": row.kind,
        "severity": row.severity or "general",
        "ps_id": row.ps_id,
        "county": row.county,
        "enterprise_name": "",
        "mn": row.mn,
        "point_id": row.point_id,
        "subject": row.subject,
        "start": row.start_at.isoformat(),
        "end": None if row.end_at is None else row.end_at.isoformat(),
        "status": row.status,
        "message": row.message,
        "reason": row.status_reason or "",
        "detail": row.detail,
    }


async def _publish(session: AsyncSession, row: Finding, now: datetime) -> None:
    """Queue this version of a device or data finding for the workflow's maintenance tickets."""
    if row.kind not in MAINTENANCE_KINDS:
        return
    if row.version is None:  # a new row before its flush
        row.version = 1
    await outbox.add(
        session,
        OutboxMessage(
            record_id=row.id,
            destination="maintenance",
            version=row.version,
            ps_id=row.ps_id,
            payload=finding_payload(row),
            created_at=now,
            attempts=0,
            next_attempt_at=now,
        ),
    )


async def _created(session: AsyncSession, row: Finding, now: datetime) -> None:
    row.version = 1
    await repository.add(session, row)
    await _publish(session, row, now)


async def _changed(session: AsyncSession, row: Finding, now: datetime) -> None:
    row.version, row.updated_at = row.version + 1, now
    await _publish(session, row, now)


async def record_anomalies(
    session: AsyncSession, *, ps_id: str, county: str | None, anomalies: Sequence[DataAnomaly], now: datetime
) -> int:
    """Merge implausible values into one finding per point, kind and CST day; returns findings touched."""
    per_day: dict[tuple[str, str, str], set[int]] = {}
    for anomaly in anomalies:
        for t in anomaly.times:
            day = to_cst(datetime.fromtimestamp(t, UTC)).date().isoformat()
            per_day.setdefault((anomaly.point_id, anomaly.kind, day), set()).add(t)
    for (point_id, kind, day), times in per_day.items():
        finding_id = _id(kind, ps_id, point_id, day)
        row = await repository.get(session, finding_id)
        known = set() if row is None else {int(t) for t in row.detail.get("times", [])}
        merged = sorted(known | times)[-MAX_TIMES:]
        first, last = (datetime.fromtimestamp(merged[0], UTC), datetime.fromtimestamp(merged[-1], UTC))
        detail: dict[str, Any] = {"times": merged, "count": len(known | times), "day": day}
        if row is None:
            await _created(
                session,
                Finding(
                    id=finding_id,
                    ps_id=ps_id,
                    county=county,
                    kind=kind,
                    subject=point_id,
                    point_id=point_id,
                    start_at=first,
                    end_at=last,
                    status="open",
                    message=KIND_MESSAGES.get(kind, kind),
                    detail=detail,
                    created_at=now,
                    updated_at=now,
                ),
                now,
            )
        elif merged != sorted(known)[-MAX_TIMES:]:
            row.start_at, row.end_at, row.detail = min(row.start_at, first), last, detail
            await _changed(session, row, now)
    await session.flush()
    return len(per_day)


async def offline_started(
    session: AsyncSession,
    *,
    ps_id: str,
    county: str | None,
    mn: str,
    last_data_at: datetime,
    interval_s: int,
    now: datetime,
) -> bool:
    """Open a terminal-offline finding for `mn` (no data since `last_data_at`) unless one is open already."""
    if await repository.open_for_subject(session, subject=mn, kind="terminal_offline"):
        return False
    since = last_data_at + timedelta(seconds=interval_s)
    await _created(
        session,
        Finding(
            id=_id("terminal_offline", ps_id, mn, since.isoformat()),
            ps_id=ps_id,
            county=county,
            kind="terminal_offline",
            subject=mn,
            mn=mn,
            start_at=since,
            end_at=None,
            status="open",
            message=KIND_MESSAGES["terminal_offline"],
            detail={"mn": mn, "last_data_at": last_data_at.isoformat(), "interval_s": interval_s},
            created_at=now,
            updated_at=now,
        ),
        now,
    )
    return True


def _filled(row: Finding, *, start: datetime, end: datetime) -> bool:
    """Does data stored for [start, end] fill this offline spell (from its first missing slot to its end)?"""
    if start > row.start_at:
        return False
    interval = timedelta(seconds=int(row.detail.get("interval_s", 0)))
    return row.end_at is None or end >= row.end_at - interval


async def online_again(
    session: AsyncSession, *, mn: str, at: datetime, end: datetime | None = None, now: datetime
) -> int:
    """Data of `mn` was stored for [at, end]: an offline spell it fills is withdrawn (the terminal measured all
    along; its data only arrived late), an open one it does not fill is resolved at `at`; history older than
    an open spell changes nothing. Returns findings touched."""
    end = at if end is None else end
    touched = 0
    for row in await repository.offline_spells(session, mn=mn, start=at, end=end):
        if _filled(row, start=at, end=end):
            row.status, row.end_at = "withdrawn", row.end_at or row.start_at
            row.status_reason = f"数采仪补传了离线期间的数据（{to_cst(at):%Y-%m-%d %H:%M} 起），离线告警撤销"
            await _changed(session, row, now)
            touched += 1
    for row in await repository.open_for_subject(session, subject=mn, kind="terminal_offline"):
        if end < row.start_at:
            continue  # only older history: the terminal has not been heard from since the spell began
        row.status, row.end_at = "resolved", max(at, row.start_at)
        row.status_reason = f"数采仪于 {to_cst(at):%Y-%m-%d %H:%M} 恢复上传数据"
        await _changed(session, row, now)
        touched += 1
    await session.flush()
    return touched


def _at(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _message(finding: DeviceFinding) -> str:
    detail = finding.detail
    if finding.kind == "transmission_low":
        return f"测点{detail['period']}数据传输率{detail['rate']:.1%}，低于90%，需运维检修"
    if finding.kind == "value_stuck":
        hours = ((finding.end or finding.start) - finding.start) / 3600
        head = f"测点{detail['quantity']}数值{detail['value']:g}已连续约{hours:.1f}小时不变"
        return head + "，同一数采仪其他数据正常变化，疑似数据卡死"
    if finding.kind == "terminal_power_off":
        return _power_off_message(finding)
    return KIND_MESSAGES[finding.kind]


def _cst_text(epoch: int) -> str:
    return f"{to_cst(datetime.fromtimestamp(epoch, UTC)):%Y-%m-%d %H:%M}"


def _power_off_message(finding: DeviceFinding) -> str:
    detail = finding.detail
    if detail.get("source") == "restart":
        head = f"数采仪断电：{_cst_text(finding.start)} 后无数据，{_cst_text(int(detail['restart_at']))} 来电开机"
        return head + "（数采仪上报开机时间）"
    return f"数采仪断电：{_cst_text(finding.start)} 起数据中仪器状态为电源故障（i12001=6）"


def _identity(ps_id: str, finding: DeviceFinding) -> uuid.UUID:
    point, detail = finding.point_id or "", finding.detail
    if finding.kind == "transmission_low":
        return _id(finding.kind, ps_id, point, str(detail["period"]))
    if finding.kind == "clock_skew":
        day = to_cst(datetime.fromtimestamp(finding.start, UTC)).date().isoformat()
        return _id(finding.kind, ps_id, point, day)
    if finding.kind == "terminal_power_off" and "restart_at" in detail:  # one per power-on of the terminal
        return _id(finding.kind, ps_id, str(detail["mn"]), "restart", str(detail["restart_at"]))
    if finding.kind == "terminal_power_off":
        return _id(finding.kind, ps_id, point or str(detail["mn"]), str(detail.get("code", "")), str(finding.start))
    return _id(finding.kind, ps_id, point, str(detail.get("code", "")), str(finding.start))


async def _known_open(session: AsyncSession, finding: DeviceFinding) -> Finding | None:
    """The open finding a truncated stretch continues: same kind, point and code, begun no later."""
    subject = finding.point_id or str(finding.detail.get("mn", ""))
    for row in await repository.open_for_subject(session, subject=subject, kind=finding.kind):
        if row.detail.get("code") == finding.detail.get("code") and row.start_at <= datetime.fromtimestamp(
            finding.start, UTC
        ):
            return row
    return None


# stretches the late data of their window can contradict (a power-on with no data interval missed before it)
WITHDRAWABLE_KINDS = ("power_off", "value_stuck", "terminal_power_off")


async def _withdraw_unseen(
    session: AsyncSession, *, ps_id: str, window: tuple[datetime, datetime], seen: set[uuid.UUID], now: datetime
) -> int:
    """Withdraw the power-off and stuck-value findings begun inside the judged window that it no longer shows."""
    touched = 0
    start, end = window
    for row in await repository.begun_between(session, ps_id=ps_id, kinds=WITHDRAWABLE_KINDS, start=start, end=end):
        if row.id in seen:
            continue
        row.status, row.end_at = "withdrawn", row.end_at or row.start_at
        since = f"{to_cst(row.start_at):%Y-%m-%d %H:%M}"
        if row.kind == "terminal_power_off":
            row.status_reason = f"补传的数据表明 {since} 起数采仪持续上传数据，并无断电，告警撤销"
            await _changed(session, row, now)
            touched += 1
            continue
        row.status_reason = f"补传的数据表明 {since} 起设备和数据正常（原告警是在数据缺失时作出的），告警撤销"
        await _changed(session, row, now)
        touched += 1
    return touched


async def record_device_findings(
    session: AsyncSession,
    *,
    ps_id: str,
    county: str | None,
    found: Sequence[DeviceFinding],
    now: datetime,
    window: tuple[datetime, datetime] | None = None,
) -> int:
    """Create or update rule-5 device findings (power-off, stuck value, clock skew, low transmission rate).

    Identity is deterministic, so re-evaluation updates instead of adding. A stretch seen only from its middle
    (truncated: it began before the data read) only extends an open finding of the same point; it opens none.
    `window`: the span `found` judged completely (every stretch begun inside it is in `found`); a power-off or
    stuck-value finding begun there that `found` no longer has is withdrawn. Returns findings touched. Goes to
    the maintenance outbox (operations alarms: never the workflow's abnormals or the province).
    """
    touched = 0
    seen: set[uuid.UUID] = set()
    for finding in found:
        detail: dict[str, Any] = dict(finding.detail)
        ongoing = bool(detail.get("ongoing")) or (finding.kind == "power_off" and finding.end is None)
        status = "open" if ongoing or finding.kind in ("clock_skew", "transmission_low") else "resolved"
        seen.add(_identity(ps_id, finding))
        row = await repository.get(session, _identity(ps_id, finding))
        if row is None and detail.get("truncated"):
            row = await _known_open(session, finding)
            if row is None:
                continue
            seen.add(row.id)
        if finding.kind == "clock_skew" and row is not None:
            times = sorted({int(t) for t in row.detail.get("times", [])} | set(detail["times"]))[-MAX_TIMES:]
            detail = {**detail, "times": times}
            finding = DeviceFinding(finding.kind, finding.severity, finding.point_id, times[0], times[-1], detail)
        start, end = _at(finding.start), _at(finding.end)
        assert start is not None
        if row is None:
            await _created(
                session,
                Finding(
                    id=_identity(ps_id, finding),
                    ps_id=ps_id,
                    county=county,
                    kind=finding.kind,
                    subject=finding.point_id or str(detail.get("mn", "")),
                    severity=finding.severity,
                    mn=detail.get("mn"),
                    point_id=finding.point_id,
                    start_at=start,
                    end_at=end,
                    status=status,
                    message=_message(finding),
                    detail=detail,
                    created_at=now,
                    updated_at=now,
                ),
                now,
            )
        else:
            if detail.get("truncated"):  # the known finding's start stands; grade by its whole duration
                detail = {**detail, "truncated": False, "seen_from": finding.start}
                last = finding.end if finding.end is not None else int(detail.get("last_seen", finding.start))
                minutes = max(0, (last - int(row.start_at.timestamp())) // 60)
                finding = DeviceFinding(
                    finding.kind,
                    max(finding.severity, grade_for(minutes), key=GRADES.index),
                    finding.point_id,
                    finding.start,
                    finding.end,
                    detail,
                )
            if (row.end_at, row.status, row.detail, row.severity) == (end, status, detail, finding.severity):
                continue
            row.end_at, row.status, row.severity, row.detail = end, status, finding.severity, detail
            row.message = _message(finding)
            await _changed(session, row, now)
        touched += 1
    if window is not None:
        touched += await _withdraw_unseen(session, ps_id=ps_id, window=window, seen=seen, now=now)
    await session.flush()
    return touched


async def explain_offline(session: AsyncSession, *, found: Sequence[DeviceFinding], now: datetime) -> int:
    """Offline findings of the silences that reported power-offs explain: resolved at the power-on with the
    power-off as reason (see the module's docstring). Returns findings touched."""
    touched = 0
    for finding in found:
        if finding.kind != "terminal_power_off" or finding.detail.get("source") != "restart":
            continue
        mn, power_on = str(finding.detail["mn"]), _at(int(finding.detail["restart_at"]))
        last = _at(finding.start)
        assert power_on is not None and last is not None
        for row in await repository.offline_spells(session, mn=mn, start=last, end=power_on):
            explained_by = str(_identity(row.ps_id, finding))
            if row.detail.get("explained_by") == explained_by and row.status == "resolved":
                continue
            row.status, row.end_at = "resolved", power_on
            row.status_reason = (
                f"数采仪断电引起的离线：{to_cst(last):%Y-%m-%d %H:%M} 后断电，"
                f"{to_cst(power_on):%Y-%m-%d %H:%M} 来电开机（见数采仪断电告警）"
            )
            row.detail = {**row.detail, "explained_by": explained_by}
            await _changed(session, row, now)
            touched += 1
    await session.flush()
    return touched


async def withdraw_transmission(
    session: AsyncSession,
    *,
    ps_id: str,
    period: str,
    found: Sequence[DeviceFinding],
    rates: dict[str, float],
    now: datetime,
) -> int:
    """Transmission-rate findings of `period` that a new judgement of it no longer has (late data raised the rate
    to the minimum): withdrawn, with the new rate (`rates`: point id → rate) in the reason. Returns findings
    touched."""
    kept = {_identity(ps_id, f) for f in found}
    touched = 0
    for row in await repository.transmission_of_period(session, ps_id=ps_id, period=period):
        if row.id in kept:
            continue
        rate = rates.get(row.point_id or "")
        now_text = "" if rate is None else f"为{rate:.1%}"
        row.status = "withdrawn"
        row.status_reason = f"数采仪补传数据后，测点{period}数据传输率{now_text}，已达到90%，告警撤销"
        row.detail = {**row.detail, "rate_after_late_data": None if rate is None else round(rate, 4)}
        await _changed(session, row, now)
        touched += 1
    await session.flush()
    return touched


async def record_threshold_findings(
    session: AsyncSession,
    *,
    ps_id: str,
    county: str | None,
    point_id: str,
    findings: Sequence[tuple[str, str]],
    data_from: datetime,
    data_to: datetime,
    now: datetime,
) -> None:
    """Threshold findings of one learning run (code, message): one finding per point, kind and data window."""
    for code, message in findings:
        finding_id = _id(code, ps_id, point_id, data_to.date().isoformat())
        if await repository.get(session, finding_id) is None:
            await repository.add(
                session,
                Finding(
                    id=finding_id,
                    ps_id=ps_id,
                    county=county,
                    kind=code,
                    subject=point_id,
                    point_id=point_id,
                    start_at=data_from,
                    end_at=data_to,
                    status="open",
                    message=message,
                    detail={},
                    created_at=now,
                    updated_at=now,
                ),
            )


async def list_visible(
    session: AsyncSession,
    *,
    principal: Principal,
    ps_id: str | None,
    county: str | None,
    kind: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> Sequence[Finding]:
    if principal.role is Role.ENTERPRISE:
        if ps_id not in (None, principal.enterprise_id) or principal.enterprise_id is None:
            return []
        ps_id = principal.enterprise_id
    if principal.role is Role.COUNTY:
        if county not in (None, principal.county) or principal.county is None:
            return []
        county = principal.county
    return await repository.listing(
        session, ps_id=ps_id, county=county, kind=kind, status=status, limit=limit, offset=offset
    )
