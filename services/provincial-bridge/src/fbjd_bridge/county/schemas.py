"""What the county intake answers (the province's reply shape) and what GET /county-reports lists."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from fbjd_bridge.county.models import CountyReport

__all__ = ["CountyReply", "CountyReportOut", "DeliveryOut", "report_out"]

DeliveryState = Literal["delivered", "pending", "retrying"]


class CountyReply(BaseModel):
    """The province's reply: `{"success": true, "msg": "成功接收N条"}` or `{"success": false, "msg": "<which
    record, which field>"}`."""

    success: bool
    msg: str


class DeliveryOut(BaseModel):
    """How far the record got into the city's disposition process (the workflow's intake)."""

    state: DeliveryState = Field(description="delivered: the newest version is in the workflow; retrying: failed")
    delivered_version: int
    delivered_at: datetime | None
    attempts: int = Field(description="failed tries of the newest version")
    next_attempt_at: datetime | None
    last_error: str | None
    alarm_stage: str | None = Field(description="the alarm's stage as the workflow last answered")


class CountyReportOut(BaseModel):
    id: uuid.UUID = Field(description="the record's id, also its city alarm's id (GET /api/workflow/alarms/{id})")
    endpoint: Literal["abnormal", "limit"]
    ps_id: str
    county: str
    enterprise_name: str
    point: str = Field(description="treatmentAmmeterId (abnormal) or productorEquipId (limit)")
    start: datetime
    end: datetime
    status: Literal["open", "merged"]
    merged_into: uuid.UUID | None
    reports: int
    version: int
    reported_by: str
    received_at: datetime
    updated_at: datetime
    item: dict[str, Any] = Field(description="the latest report with the record's whole span, as the interface")
    delivery: DeliveryOut


def _state(row: CountyReport) -> DeliveryState:
    if row.delivered_version >= row.version:
        return "delivered"
    return "retrying" if row.attempts else "pending"


def report_out(row: CountyReport) -> CountyReportOut:
    return CountyReportOut(
        id=row.id,
        endpoint="abnormal" if row.endpoint == "abnormal" else "limit",
        ps_id=row.ps_id,
        county=row.county,
        enterprise_name=str(row.context.get("enterprise_name") or ""),
        point=row.point,
        start=row.start_at,
        end=row.end_at,
        status="open" if row.status == "open" else "merged",
        merged_into=row.merged_into,
        reports=row.reports,
        version=row.version,
        reported_by=row.reported_by,
        received_at=row.received_at,
        updated_at=row.updated_at,
        item=row.item,
        delivery=DeliveryOut(
            state=_state(row),
            delivered_version=row.delivered_version,
            delivered_at=row.delivered_at,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            alarm_stage=row.alarm_stage,
        ),
    )
