"""What happens to a maintenance ticket (运维工单), no HTTP; the states and who may move them: maintenance.states.

    (finding from rules, recurring check) ──open──▶ assigned (to the enterprise's third-party operator)
    assigned ──start (enterprise / city / county: who and when)──▶ in_progress
    assigned | in_progress ──resolve (a person, with the maintenance record)──▶ closed
                           ──auto_close (rules: finding resolved or withdrawn, with the reason)──▶ closed
                           ──escalate (system: deadline passed; the status stays, the city's list shows it)
    closed (auto) ──reopen (rules: the finding is open again)──▶ assigned

The operator is what the creator knew: a recurring check takes it from the registry's enterprise list it was
made from; the rules' findings carry no operator today (`operator_name` is optional in the finding), so those
tickets are assigned to the enterprise with the operator left empty. A ticket a person resolved stays closed
whatever the rules say later (their word is on record); a later change of the finding is noted in the
history. Every step is an event in the ticket's hash chain, in the transaction of the change; the ticket row
is locked first, so two steps queue and the second meets the new status (409).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

from fbjd_core.auth import Principal, Role
from fbjd_core.ids import new_id
from fbjd_core.time import to_cst
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.access import ensure_visible
from fbjd_workflow.errors import ActionForbidden, InvalidTransition, WorkflowError, WorkflowNotFound
from fbjd_workflow.maintenance import repository, states
from fbjd_workflow.maintenance.models import MaintenanceTicket, TicketEvent
from fbjd_workflow.maintenance.schemas import FindingIn, FindingIntakeResult, ResolveIn, StartIn
from fbjd_workflow.maintenance.states import (
    OPEN_STATUSES,
    STATUS_LABELS,
    Action,
    Party,
    Status,
    next_status,
    party_of,
)

__all__ = [
    "ACTION_LABELS",
    "CLOSE_REASON_LABELS",
    "KIND_LABELS",
    "escalate",
    "load_visible",
    "open_scheduled",
    "receive_finding",
    "resolve",
    "start",
]

log = logging.getLogger(__name__)

KIND_LABELS: dict[str, str] = {
    "terminal_offline": "数采仪离线",
    "terminal_power_off": "数采仪断电",
    "power_off": "被监控设备断电",
    "value_stuck": "数据长时间不变",
    "transmission_low": "数据传输率低于90%",
    "weekly_communication_check": "每周通讯检查",
    "quarterly_data_check": "每季度数据抽查",
    "clock_skew": "数采仪时钟偏差",
    "negative_power": "功率为负值",
    "power_above_rated": "功率远高于额定功率",
    "energy_backwards": "电量示值倒走",
    "energy_reset": "电量示值清零",
}

#: Labels by the stored text of an event's action (the history is read as strings).
ACTION_LABELS: dict[str, str] = {action.value: label for action, label in states.ACTION_LABELS.items()}

CLOSE_REASON_LABELS: dict[str, str] = {
    "resolved": "运维处理办结",
    "finding_resolved": "问题已消除",
    "finding_withdrawn": "问题已撤销",
}

_SYSTEM = ("system", "system")
_RULES = ("rules", "service")


async def _event(
    session: AsyncSession,
    ticket: MaintenanceTicket,
    action: Action,
    *,
    who: tuple[str, str],
    to_status: str,
    at: datetime,
    reason: str,
    from_status: str | None = None,
    **detail: Any,
) -> None:
    event = TicketEvent(
        ticket_id=ticket.id,
        ps_id=ticket.ps_id,
        at=at,
        actor=who[0],
        role=who[1],
        action=action.value,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        detail=detail,
    )
    await repository.add_event(session, ticket, event)
    log.info(
        "ticket event",
        extra={"ticket_id": str(ticket.id), "ps_id": ticket.ps_id, "action": action.value, "to_status": to_status},
    )


def _next(ticket: MaintenanceTicket, action: Action, party: Party) -> str:
    """The ticket's status after `action`, or InvalidTransition naming the ticket (and why it was closed)."""
    try:
        return next_status(Status(ticket.status), action, party).value
    except InvalidTransition as exc:
        why = CLOSE_REASON_LABELS.get(ticket.close_reason or "", "")
        closed = f"（关闭原因：{why}）" if ticket.status == Status.CLOSED and why else ""
        raise InvalidTransition(f"运维工单 {ticket.id}{closed}：{exc.message}") from exc


def _assignment(operator_name: str | None) -> str:
    if operator_name:
        return f"派单至第三方运维单位「{operator_name}」"
    return "派单至企业（运维单位未登记，由企业转交其运维单位）"


def _columns(finding: FindingIn) -> dict[str, Any]:
    return {
        "finding_version": finding.version,
        "finding": finding.model_dump(mode="json"),
        "finding_status": finding.status,
        "kind": finding.kind,
        "severity": finding.severity.value,
        "ps_id": finding.ps_id,
        "enterprise_name": finding.enterprise_name,
        "county": finding.county or "",
        "mn": finding.mn,
        "point_id": finding.point_id,
        "problem": finding.message,
        "started_at": finding.start,
        "ended_at": finding.end,
    }


def _why_closed(finding: FindingIn) -> str:
    said = f"：{finding.reason}" if finding.reason else ""
    if finding.status == "withdrawn":
        return f"规则服务撤销了该问题（后续数据表明问题不存在）{said}"
    return f"规则服务确认问题已消除{said}"


async def _close_by_rules(session: AsyncSession, ticket: MaintenanceTicket, finding: FindingIn, at: datetime) -> None:
    before, ticket.status = ticket.status, _next(ticket, Action.AUTO_CLOSE, Party.SYSTEM)
    ticket.closed_at, ticket.updated_at = at, at
    ticket.close_reason = f"finding_{finding.status}"
    await _event(
        session,
        ticket,
        Action.AUTO_CLOSE,
        who=_RULES,
        from_status=before,
        to_status=ticket.status,
        at=at,
        reason=_why_closed(finding),
        finding_version=finding.version,
    )


async def _reopen(session: AsyncSession, ticket: MaintenanceTicket, at: datetime) -> None:
    """The finding is open again: back to the operator, as a new assignment (the earlier work is history)."""
    ticket.status = _next(ticket, Action.REOPEN, Party.SYSTEM)
    ticket.closed_at, ticket.close_reason = None, None
    ticket.work_started_at, ticket.work_started_by = None, None
    reason = f"问题再次出现，{_assignment(ticket.operator_name)}"
    await _event(
        session,
        ticket,
        Action.REOPEN,
        who=_RULES,
        from_status=Status.CLOSED.value,
        to_status=ticket.status,
        at=at,
        reason=reason,
    )


async def _follow(session: AsyncSession, ticket: MaintenanceTicket, finding: FindingIn, at: datetime) -> None:
    """A newer version of the finding: close, reopen or note, as its status moved."""
    before = ticket.finding_status
    for key, value in _columns(finding).items():
        setattr(ticket, key, value)
    ticket.updated_at = at
    if finding.status == before:
        return
    if ticket.status in OPEN_STATUSES and finding.status != "open":
        await _close_by_rules(session, ticket, finding, at)
    elif ticket.status == Status.CLOSED and finding.status == "open" and ticket.close_reason != "resolved":
        await _reopen(session, ticket, at)
    else:
        text = "问题仍存在" if finding.status == "open" else _why_closed(finding)
        reason = f"规则服务更新问题状态（{before} → {finding.status}）：{text}"
        await _event(
            session,
            ticket,
            Action.FINDING_CHANGED,
            who=_RULES,
            from_status=ticket.status,
            to_status=ticket.status,
            at=at,
            reason=reason,
        )


async def _opened(
    session: AsyncSession, ticket: MaintenanceTicket, who: tuple[str, str], at: datetime, what: str
) -> None:
    """The first event of a new ticket: made and assigned in one step."""
    await _event(
        session,
        ticket,
        Action.OPEN,
        who=who,
        to_status=ticket.status,
        at=at,
        reason=f"{what}；{_assignment(ticket.operator_name)}",
        operator_name=ticket.operator_name,
        operator_phone=ticket.operator_phone,
    )


async def receive_finding(
    session: AsyncSession, finding: FindingIn, *, deadline_after: timedelta, at: datetime
) -> FindingIntakeResult:
    """A finding version from the rules → its ticket (created, updated, or a duplicate / stale version)."""
    ticket = await repository.get_by_finding_for_update(session, finding.id)
    applied: Literal["created", "updated", "duplicate", "stale"]
    if ticket is None:
        values = {
            "id": new_id(),
            "finding_id": finding.id,
            **_columns(finding),
            "status": next_status(None, Action.OPEN, Party.SYSTEM).value,
            "operator_name": finding.operator_name or None,
            "operator_phone": finding.operator_phone or None,
            "opened_at": at,
            "updated_at": at,
            "deadline_at": at + deadline_after,
        }
        inserted = await repository.insert_if_absent(session, values)
        ticket = await repository.get_by_finding_for_update(session, finding.id)
        if ticket is None:
            raise WorkflowError(f"运维问题 {finding.id} 写入后未能读取")
        if inserted:
            await _opened(session, ticket, _RULES, at, f"收到运维问题：{finding.message}")
            if finding.status != "open":
                await _close_by_rules(session, ticket, finding, at)
            return FindingIntakeResult(
                ticket_id=ticket.id,
                finding_id=finding.id,
                version=finding.version,
                status=ticket.status,
                applied="created",
            )
    if finding.version == ticket.finding_version:
        applied = "duplicate"
    elif finding.version < ticket.finding_version:
        applied = "stale"
    else:
        await _follow(session, ticket, finding, at)
        applied = "updated"
    return FindingIntakeResult(
        ticket_id=ticket.id,
        finding_id=finding.id,
        version=ticket.finding_version,
        status=ticket.status,
        applied=applied,
    )


async def open_scheduled(session: AsyncSession, values: dict[str, Any], *, reason: str, at: datetime) -> bool:
    """A recurring check's ticket (maintenance.recurring), unless its deterministic finding id already has one."""
    values = {**values, "status": next_status(None, Action.OPEN, Party.SYSTEM).value}
    if not await repository.insert_if_absent(session, values):
        return False
    ticket = await repository.get_by_finding_for_update(session, values["finding_id"])
    if ticket is None:
        raise WorkflowError(f"定期运维任务 {values['finding_id']} 写入后未能读取")
    await _opened(session, ticket, _SYSTEM, at, reason)
    return True


async def load_visible(
    session: AsyncSession, principal: Principal, ticket_id: uuid.UUID, *, for_update: bool = False
) -> MaintenanceTicket:
    ticket = await (repository.get_for_update if for_update else repository.get)(session, ticket_id)
    if ticket is None:
        raise WorkflowNotFound(f"运维工单 {ticket_id} 不存在或不在您的管辖范围内")
    ensure_visible(principal, ps_id=ticket.ps_id, county=ticket.county, what=f"运维工单 {ticket_id} ")
    return ticket


def _person(principal: Principal) -> tuple[str, str]:
    """(actor, role) of a person acting on a ticket; a read-only caller is refused."""
    if party_of(principal) is not Party.PERSON:
        raise ActionForbidden(f"{principal.role.value} 角色只能查看运维工单，不能处理")
    role = principal.role.value if principal.role is not Role.ADMIN else "admin"
    return principal.subject, role


async def start(
    session: AsyncSession, principal: Principal, ticket_id: uuid.UUID, data: StartIn, *, at: datetime
) -> MaintenanceTicket:
    """The operator (the enterprise's account) or the city / county in scope starts work: who and when."""
    who = _person(principal)
    ticket = await load_visible(session, principal, ticket_id, for_update=True)
    before, ticket.status = ticket.status, _next(ticket, Action.START, Party.PERSON)
    ticket.work_started_at, ticket.work_started_by, ticket.updated_at = at, principal.subject, at
    await _event(
        session,
        ticket,
        Action.START,
        who=who,
        from_status=before,
        to_status=ticket.status,
        at=at,
        reason=f"{principal.subject} 开始处理" + (f"：{data.note}" if data.note else ""),
        note=data.note,
        operator_name=ticket.operator_name,
    )
    return ticket


async def resolve(
    session: AsyncSession, principal: Principal, ticket_id: uuid.UUID, data: ResolveIn, *, at: datetime
) -> MaintenanceTicket:
    """The enterprise (its own) or the city / county (in scope) closes a ticket with its maintenance record."""
    who = _person(principal)
    ticket = await load_visible(session, principal, ticket_id, for_update=True)
    before, ticket.status = ticket.status, _next(ticket, Action.RESOLVE, Party.PERSON)
    record = {
        "date": at.isoformat(),
        "point_id": ticket.point_id,
        "mn": ticket.mn,
        "problem": ticket.problem,
        "text": data.text,
        "action": data.action,
        "result": data.result,
        "person": principal.subject,
        "operator_name": ticket.operator_name,
        "work_started_at": ticket.work_started_at.isoformat() if ticket.work_started_at else None,
        "work_started_by": ticket.work_started_by,
    }
    ticket.closed_at, ticket.updated_at = at, at
    ticket.close_reason, ticket.resolution, ticket.resolved_by = "resolved", record, principal.subject
    await _event(
        session,
        ticket,
        Action.RESOLVE,
        who=who,
        from_status=before,
        to_status=ticket.status,
        at=at,
        reason=f"运维处理：{data.text}",
        action_taken=data.action,
        result=data.result,
    )
    return ticket


async def escalate(session: AsyncSession, ticket: MaintenanceTicket, *, at: datetime) -> None:
    """Deadline passed, not closed: to the city (the status stays; the city's list shows it)."""
    status = _next(ticket, Action.ESCALATE, Party.SYSTEM)
    ticket.escalated_at, ticket.updated_at = at, at
    hours = (ticket.deadline_at - ticket.opened_at) / timedelta(hours=1)
    if status == Status.IN_PROGRESS and ticket.work_started_at is not None:
        since = to_cst(ticket.work_started_at).strftime("%Y-%m-%d %H:%M")
        reason = f"运维工单超过 {hours:g} 小时仍未办结（{ticket.work_started_by} 于 {since} 开始处理），已上报市局督办"
    else:
        reason = f"运维工单超过 {hours:g} 小时未处理，已上报市局督办"
    await _event(
        session,
        ticket,
        Action.ESCALATE,
        who=_SYSTEM,
        from_status=ticket.status,
        to_status=status,
        at=at,
        reason=reason,
        deadline_at=ticket.deadline_at.isoformat(),
        status_label=STATUS_LABELS[Status(status)],
    )
