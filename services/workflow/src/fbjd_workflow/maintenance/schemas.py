"""Maintenance tickets in and out: the rules' finding (the contract `fbjd.maintenance-finding/v1`), the ticket,
its history and the maintenance record that resolves it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fbjd_core.ids import PsIdStr
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from fbjd_workflow.vocabulary import Grade

__all__ = [
    "FindingIn",
    "FindingIntakeResult",
    "ResolveIn",
    "StartIn",
    "TicketDetail",
    "TicketEventOut",
    "TicketOut",
]

_FINDING_EXAMPLE: dict[str, Any] = {
    "schema": "fbjd.maintenance-finding/v1",
    "id": "6f1c2d3e-4b5a-5c6d-8e7f-0a1b2c3d4e5f",
    "version": 2,
    "kind": "terminal_offline",
    "severity": "general",
    "ps_id": "3f2b9c0e6a4d4e8f9b1c2d3e4f5a6b7c",
    "county": "130921",
    "enterprise_name": "",
    "mn": "0102030405060708090A0B0C",
    "point_id": None,
    "subject": "0102030405060708090A0B0C",
    "start": "2026-11-25T01:15:00Z",
    "end": None,
    "status": "open",
    "message": "数采仪离线：超过3个数据间隔未收到数据",
    "reason": "",
    "detail": {"last_data_at": "2026-11-25T01:10:00+00:00"},
}


class FindingIn(BaseModel):
    """A device or data finding (设备和数据类问题) as the rules send it, every version; idempotent by id + version.
    `status` resolved or withdrawn closes its ticket, `reason` saying why."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [_FINDING_EXAMPLE]})

    id: uuid.UUID
    version: int = Field(ge=1, le=2**31 - 1)
    kind: str = Field(min_length=1, max_length=32)
    severity: Grade = Grade.GENERAL
    ps_id: PsIdStr
    county: str | None = Field(default=None, max_length=12)
    enterprise_name: str = Field(default="", max_length=200)
    mn: str | None = Field(default=None, max_length=64)
    point_id: str | None = Field(default=None, max_length=64)
    subject: str = Field(default="", max_length=200)
    start: AwareDatetime
    end: AwareDatetime | None = None
    status: Literal["open", "resolved", "withdrawn"]
    message: str = Field(min_length=1, max_length=2000)
    reason: str = Field(default="", max_length=2000, description="why the finding was resolved or withdrawn")
    detail: dict[str, Any] = Field(default_factory=dict)
    operator_name: str | None = Field(
        default=None,
        max_length=100,
        description="the enterprise's third-party operator (运维单位), when the sender knows it",
    )
    operator_phone: str | None = Field(default=None, max_length=20)


class FindingIntakeResult(BaseModel):
    ticket_id: uuid.UUID
    finding_id: uuid.UUID
    version: int
    status: str
    applied: Literal["created", "updated", "duplicate", "stale"]


class StartIn(BaseModel):
    """The operator starts work on an assigned ticket (开始处理); the person and the time are the caller and now."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "已安排运维工程师今日下午到场检查数采仪"}]})

    note: str = Field(default="", max_length=500, description="what is planned (optional)")


class ResolveIn(BaseModel):
    """The maintenance record (运维记录: problem, action, result, person, date) that closes a ticket; the person
    and the date are the caller and now."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"text": "数采仪电源适配器损坏，已更换，数据恢复上传", "action": "更换电源适配器", "result": "恢复正常"}
            ]
        }
    )

    text: str = Field(min_length=2, max_length=2000, description="what was found and done")
    action: str = Field(default="", max_length=500, description="处理措施")
    result: str = Field(default="", max_length=500, description="处理结果")


class TicketEventOut(BaseModel):
    id: uuid.UUID
    at: datetime
    actor: str
    role: str
    action: str
    action_label: str
    from_status: str | None
    to_status: str
    reason: str
    detail: dict[str, Any]
    seq: int
    prev_hash: str
    hash: str


class TicketOut(BaseModel):
    id: uuid.UUID
    finding_id: uuid.UUID
    finding_version: int
    finding_status: str
    kind: str
    kind_label: str
    severity: str
    ps_id: str
    enterprise_name: str
    county: str
    mn: str | None
    point_id: str | None
    problem: str
    started_at: datetime
    ended_at: datetime | None
    status: str = Field(description="assigned 已派单 | in_progress 处理中 | closed 已关闭")
    status_label: str
    operator_name: str | None = Field(description="the third-party operator (运维单位) the ticket is assigned to")
    operator_phone: str | None
    work_started_at: datetime | None = Field(description="when work started (assigned → in_progress)")
    work_started_by: str | None
    opened_at: datetime
    updated_at: datetime
    deadline_at: datetime
    overdue: bool = Field(description="not closed and past its deadline")
    escalated_at: datetime | None = Field(description="when the overdue ticket went to the city")
    closed_at: datetime | None
    close_reason: str | None = Field(description="resolved | finding_resolved | finding_withdrawn")
    close_reason_label: str | None
    resolution: dict[str, Any] | None
    resolved_by: str | None


class TicketDetail(TicketOut):
    """The ticket with the finding as last sent and its whole history (运维工单)."""

    finding: dict[str, Any]
    allowed_actions: list[str] = Field(description="what the caller may do next: start, resolve (none when closed)")
    events: list[TicketEventOut]
