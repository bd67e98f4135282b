"""The documents the process shows and sends: the alarm (报警处置单), the declaration, the enforcement task
(执法任务单, fbjd.task/v1) and the push to the province. Built from the rows; no decisions here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fbjd_core.time import now
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.alarms import repository as alarms_repository
from fbjd_workflow.alarms.models import Alarm, AlarmEvent
from fbjd_workflow.alarms.schemas import AlarmDetail, AlarmOut, EventOut, PushStatus
from fbjd_workflow.alarms.states import ACTION_LABELS, OPEN_STAGES, STAGE_LABELS, Action, Stage, allowed_actions
from fbjd_workflow.declarations import repository as declarations_repository
from fbjd_workflow.declarations.models import Declaration
from fbjd_workflow.declarations.schemas import DeclarationOut
from fbjd_workflow.enforcement import repository as enforcement_repository
from fbjd_workflow.enforcement.models import EnforcementTask, InspectionRecord
from fbjd_workflow.enforcement.schemas import (
    InspectionOut,
    TaskAbnormal,
    TaskDocument,
    TaskEnterprise,
    TaskHandling,
    TaskReview,
    TaskSummary,
)
from fbjd_workflow.files import repository as files_repository
from fbjd_workflow.files.service import file_out
from fbjd_workflow.outbox import repository as outbox_repository
from fbjd_workflow.outbox.service import Channel
from fbjd_workflow.vocabulary import label

__all__ = [
    "BRIDGE_SCHEMA",
    "alarm_detail",
    "alarm_out",
    "declaration_outs",
    "province_payload",
    "task_document",
    "task_summary",
]

BRIDGE_SCHEMA = "fbjd.abnormal-disposition/v1"
FILES = "/api/workflow/files"


def alarm_out(alarm: Alarm, *, at: datetime) -> AlarmOut:
    r = alarm.record
    seconds_left = None
    if alarm.stage == Stage.ENTERPRISE_CHECK:
        seconds_left = max(int((alarm.self_check_deadline - at).total_seconds()), 0)
    return AlarmOut(
        id=alarm.id,
        version=alarm.version,
        type=alarm.type,
        type_label=label(alarm.type),
        ps_id=alarm.ps_id,
        enterprise_name=alarm.enterprise_name,
        county=alarm.county,
        industry=alarm.industry,
        production_facility_id=alarm.production_facility_id,
        production_facility_name=r.get("production_facility_name") or "",
        treatment_facility_id=alarm.treatment_facility_id,
        treatment_facility_name=r.get("treatment_facility_name"),
        treatment_point_ids=list(r.get("treatment_point_ids") or []),
        start=alarm.started_at,
        end=alarm.ended_at,
        ongoing=alarm.ongoing,
        duration_minutes=alarm.duration_minutes,
        grade=alarm.grade,
        remark=r.get("remark") or "",
        record_status=alarm.record_status,
        source=str(r.get("source") or "rules"),
        stage=alarm.stage,
        stage_label=STAGE_LABELS[Stage(alarm.stage)],
        open=Stage(alarm.stage) in OPEN_STAGES,
        revision=alarm.revision,
        received_at=alarm.received_at,
        updated_at=alarm.updated_at,
        stage_changed_at=alarm.stage_changed_at,
        self_check_deadline=alarm.self_check_deadline,
        seconds_left=seconds_left,
        handled_at=alarm.handled_at,
        handled_by=alarm.handled_by,
        handling_reason=alarm.handling_reason,
        handling_text=alarm.handling_text,
        escalated_at=alarm.escalated_at,
        reviewed_at=alarm.reviewed_at,
        reviewed_by=alarm.reviewed_by,
        review_decision=alarm.review_decision,
        review_opinion=alarm.review_opinion,
        covered_by=alarm.covered_by,
        closed_at=alarm.closed_at,
    )


def _event_out(event: AlarmEvent) -> EventOut:
    action_label = ACTION_LABELS[Action(event.action)] if event.action in Action.__members__.values() else event.action
    return EventOut(
        id=event.id,
        at=event.at,
        actor=event.actor,
        role=event.role,
        action=event.action,
        action_label=action_label,
        from_stage=event.from_stage,
        to_stage=event.to_stage,
        reason=event.reason,
        detail=event.detail,
        seq=event.seq,
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


async def declaration_outs(
    session: AsyncSession, declarations: list[Declaration], *, files_prefix: str = FILES
) -> list[DeclarationOut]:
    files = await files_repository.of_owners(session, [d.id for d in declarations])
    out = []
    for d in declarations:
        reason_list = "pre_reason" if d.kind == "before" else "handling_reason"
        out.append(
            DeclarationOut(
                id=d.id,
                kind=d.kind,
                kind_label="提前申报" if d.kind == "before" else "事后申报",
                ps_id=d.ps_id,
                county=d.county,
                enterprise_name=d.enterprise_name,
                alarm_id=d.alarm_id,
                facility_id=d.facility_id,
                facility_name=d.facility_name,
                starts_at=d.starts_at,
                ends_at=d.ends_at,
                reason=d.reason_code,
                reason_label=label(d.reason_code, prefix=reason_list),
                text=d.reason_text,
                status=d.status,
                created_by=d.created_by,
                created_at=d.created_at,
                decided_by=d.decided_by,
                decided_at=d.decided_at,
                decision_opinion=d.decision_opinion,
                files=[file_out(f, path_prefix=files_prefix) for f in files if f.owner_id == d.id],
            )
        )
    return out


def task_summary(task: EnforcementTask) -> TaskSummary:
    return TaskSummary(
        id=task.id,
        alarm_id=task.alarm_id,
        status=task.status,
        ps_id=task.ps_id,
        county=task.county,
        created_at=task.created_at,
        updated_at=task.updated_at,
        deadline_at=task.deadline_at,
        overdue=task.overdue,
        accepted_by=task.accepted_by,
    )


async def _inspection_out(
    session: AsyncSession, inspection: InspectionRecord | None, *, files_prefix: str
) -> InspectionOut | None:
    if inspection is None:
        return None
    photos = await files_repository.of_owners(session, [inspection.id])
    return InspectionOut(
        id=inspection.id,
        officer_name=inspection.officer_name,
        officer_id=inspection.officer_id,
        inspected_at=inspection.inspected_at,
        findings=inspection.findings,
        conclusion=inspection.conclusion,
        conclusion_label=label(inspection.conclusion),
        recorded_by=inspection.recorded_by,
        recorded_at=inspection.recorded_at,
        photos=[file_out(p, path_prefix=files_prefix) for p in photos],
    )


async def alarm_detail(session: AsyncSession, alarm: Alarm, *, at: datetime) -> AlarmDetail:
    events = await alarms_repository.events_of(session, alarm.id)
    declarations = list(await declarations_repository.of_alarm(session, alarm.id, covered_by=alarm.covered_by))
    task = await enforcement_repository.task_of_alarm(session, alarm.id)
    inspection = None if task is None else await enforcement_repository.inspection_of(session, task.id)
    pushes = await outbox_repository.of_alarm(session, alarm.id, channel=Channel.BRIDGE.value)
    push = pushes[0] if pushes else None
    return AlarmDetail(
        **alarm_out(alarm, at=at).model_dump(),
        record=alarm.record,
        allowed_actions=[a.value for a in allowed_actions(Stage(alarm.stage))],
        events=[_event_out(e) for e in events],
        declarations=await declaration_outs(session, declarations),
        task=None if task is None else task_summary(task),
        inspection=await _inspection_out(session, inspection, files_prefix=FILES),
        province_push=None
        if push is None
        else PushStatus(
            queued_at=push.created_at,
            delivered_at=push.delivered_at,
            attempts=push.attempts,
            last_error=push.last_error,
        ),
    )


def _abnormal(alarm: Alarm) -> TaskAbnormal:
    r = alarm.record
    return TaskAbnormal(
        type=alarm.type,
        type_label=label(alarm.type),
        grade=alarm.grade,
        production_facility_id=alarm.production_facility_id,
        production_facility_name=r.get("production_facility_name") or "",
        treatment_facility_id=alarm.treatment_facility_id,
        treatment_facility_name=r.get("treatment_facility_name"),
        treatment_point_ids=list(r.get("treatment_point_ids") or []),
        start=alarm.started_at,
        end=alarm.ended_at,
        ongoing=alarm.ongoing,
        duration_minutes=alarm.duration_minutes,
        production_threshold_kw=r.get("production_threshold_kw"),
        treatment_threshold_kw=r.get("treatment_threshold_kw"),
        judgement_minutes=int(r.get("judgement_minutes") or 0),
        limit_ratio=r.get("limit_ratio"),
        remark=r.get("remark") or "",
        record_version=alarm.version,
    )


async def task_document(session: AsyncSession, task: EnforcementTask, alarm: Alarm) -> TaskDocument:
    """The task as the mobile enforcement system reads it; file links point under /tasks/{id}/files."""
    files_prefix = f"/api/workflow/tasks/{task.id}/files"
    declarations = list(await declarations_repository.of_alarm(session, alarm.id, covered_by=alarm.covered_by))
    inspection = await enforcement_repository.inspection_of(session, task.id)
    site: dict[str, Any] = task.site or {}
    handling = None
    if alarm.handled_at is not None and alarm.handling_reason and alarm.handled_by:
        handling = TaskHandling(
            reason=alarm.handling_reason,
            reason_label=label(alarm.handling_reason, prefix="handling_reason"),
            text=alarm.handling_text or "",
            at=alarm.handled_at,
            by=alarm.handled_by,
        )
    review = None
    if alarm.reviewed_at is not None and alarm.review_decision and alarm.reviewed_by:
        review = TaskReview(
            decision=alarm.review_decision,
            opinion=alarm.review_opinion or "",
            reviewer=alarm.reviewed_by,
            at=alarm.reviewed_at,
        )
    return TaskDocument(
        id=task.id,
        alarm_id=alarm.id,
        status=task.status,
        created_at=task.created_at,
        updated_at=task.updated_at,
        deadline_at=task.deadline_at,
        overdue=task.overdue,
        accepted_at=task.accepted_at,
        accepted_by=task.accepted_by,
        completed_at=task.completed_at,
        enterprise=TaskEnterprise(
            ps_id=alarm.ps_id,
            name=site.get("name") or alarm.enterprise_name,
            county=alarm.county,
            industry=site.get("industry") or alarm.industry,
            address=site.get("address"),
            longitude=site.get("longitude"),
            latitude=site.get("latitude"),
            contact_name=site.get("contact_name"),
            contact_phone=site.get("contact_phone"),
        ),
        abnormal=_abnormal(alarm),
        enterprise_handling=handling,
        declarations=await declaration_outs(session, declarations, files_prefix=files_prefix),
        city_review=review,
        inspection=await _inspection_out(session, inspection, files_prefix=files_prefix),
    )


def province_payload(alarm: Alarm, *, task_id: uuid.UUID | None) -> dict[str, Any]:
    """What the bridge receives (its contract: `POST /api/bridge/dispositions`, alarm_id, ps_id, stage, opinion,
    at, inspection), plus the record as the rules sent it and the whole disposition for the province's reader."""
    return {
        "schema": BRIDGE_SCHEMA,
        "alarm_id": str(alarm.id),
        "ps_id": alarm.ps_id,
        "stage": "rejected",
        "opinion": alarm.review_opinion,
        "at": (alarm.reviewed_at or now()).isoformat(),
        "inspection": None,
        "record": alarm.record,
        "disposition": {
            "stage": alarm.stage,
            "decision": alarm.review_decision,
            "opinion": alarm.review_opinion,
            "reviewed_by": alarm.reviewed_by,
            "reviewed_at": None if alarm.reviewed_at is None else alarm.reviewed_at.isoformat(),
            "enterprise_handling": None
            if alarm.handled_at is None
            else {
                "reason": alarm.handling_reason,
                "text": alarm.handling_text,
                "at": alarm.handled_at.isoformat(),
            },
            "escalated_at": None if alarm.escalated_at is None else alarm.escalated_at.isoformat(),
            "enforcement_task_id": None if task_id is None else str(task_id),
        },
    }
