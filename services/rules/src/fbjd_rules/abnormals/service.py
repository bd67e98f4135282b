"""Merging evaluation results into the stored records: create, correct in place, withdraw; reading with scopes.

Reconciliation is what makes late data and resends safe: the evaluation of a window is the truth for every
record starting in it. A record found again is updated only when something changed (version + 1); a stored
open record of the window that the evaluation no longer finds is withdrawn (late data showed there was no
abnormal, or that the stretch began earlier and so has another id); a withdrawn record found again reopens.
Every change writes its outbox message in the same transaction (the caller commits).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from fbjd_core.auth import Principal, Role
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.abnormals import repository
from fbjd_rules.abnormals.models import AbnormalRecord
from fbjd_rules.abnormals.schemas import workflow_payload
from fbjd_rules.engine.records import Abnormal
from fbjd_rules.errors import RecordNotFound
from fbjd_rules.outbox import repository as outbox
from fbjd_rules.outbox.models import OutboxMessage
from fbjd_rules.outbox.sender import RECORD_DESTINATIONS

__all__ = ["ReconcileResult", "evidence_margin", "get_visible", "list_visible", "reconcile", "scoped"]

log = logging.getLogger(__name__)

CONTENT_FIELDS = (
    "enterprise_name",
    "county",
    "industry",
    "production_facility_name",
    "treatment_facility_id",
    "treatment_facility_name",
    "treatment_point_id",
    "treatment_point_ids",
    "end_at",
    "ongoing",
    "duration_minutes",
    "grade",
    "production_threshold_kw",
    "treatment_threshold_kw",
    "judgement_minutes",
    "limit_ratio",
    "remark",
    "evidence_points",
    "evidence_from",
    "evidence_to",
    "status",
)


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    unchanged: int = 0


def evidence_margin(start: datetime, end: datetime) -> timedelta:
    """How much before and after a record its evidence shows: a quarter of its length, 30 min to 2 h."""
    return min(timedelta(hours=2), max(timedelta(minutes=30), (end - start) / 4))


def _content(found: Abnormal) -> dict[str, Any]:
    margin = evidence_margin(found.start, found.end)
    return {
        "enterprise_name": found.enterprise_name,
        "county": found.county,
        "industry": found.industry,
        "production_facility_name": found.production_facility_name,
        "treatment_facility_id": found.treatment_facility_id,
        "treatment_facility_name": found.treatment_facility_name,
        "treatment_point_id": found.treatment_point_id,
        "treatment_point_ids": list(found.treatment_point_ids),
        "end_at": found.end,
        "ongoing": found.ongoing,
        "duration_minutes": found.duration_minutes,
        "grade": found.grade,
        "production_threshold_kw": found.production_threshold_kw,
        "treatment_threshold_kw": found.treatment_threshold_kw,
        "judgement_minutes": found.judgement_minutes,
        "limit_ratio": found.limit_ratio,
        "remark": found.remark,
        "evidence_points": [
            {
                "point_id": e.point_id,
                "name": e.name,
                "role": e.role,
                "facility_id": e.facility_id,
                "threshold_kw": e.threshold_kw,
            }
            for e in found.evidence_points
        ],
        "evidence_from": found.start - margin,
        "evidence_to": found.end + margin,
        "status": "open",
    }


async def _emit(session: AsyncSession, row: AbnormalRecord, now: datetime) -> None:
    """Every version goes to the workflow (disposition) and to the bridge (the province's real-time push)."""
    payload = workflow_payload(row)
    for destination in RECORD_DESTINATIONS:
        await outbox.add(
            session,
            OutboxMessage(
                record_id=row.id,
                destination=destination,
                version=row.version,
                ps_id=row.ps_id,
                payload=payload,
                created_at=now,
                attempts=0,
                next_attempt_at=now,
            ),
        )


async def reconcile(
    session: AsyncSession,
    *,
    ps_id: str,
    since: datetime,
    found: Sequence[Abnormal],
    types: Sequence[str],
    now: datetime,
) -> ReconcileResult:
    """Make the stored records of `ps_id` starting at or after `since` equal to `found` (plus any found earlier)."""
    wanted = {a.id: a for a in found}
    stored = {row.id: row for row in await repository.since(session, ps_id=ps_id, start=since, types=types)}
    stored.update(await repository.by_ids(session, [i for i in wanted if i not in stored]))
    created = updated = withdrawn = unchanged = 0
    for record_id, abnormal in wanted.items():
        content = _content(abnormal)
        row = stored.get(record_id)
        if row is None:
            row = AbnormalRecord(
                id=record_id,
                version=1,
                type=abnormal.type.value,
                ps_id=ps_id,
                production_facility_id=abnormal.production_facility_id,
                start_at=abnormal.start,
                created_at=now,
                updated_at=now,
                **content,
            )
            await repository.add(session, row)
            created += 1
        elif any(getattr(row, name) != value for name, value in content.items()):
            for name, value in content.items():
                setattr(row, name, value)
            row.version += 1
            row.updated_at = now
            updated += 1
        else:
            unchanged += 1
            continue
        await session.flush()
        await _emit(session, row, now)
    for record_id, row in stored.items():
        if record_id not in wanted and row.status == "open" and row.start_at >= since:
            row.status, row.ongoing, row.version, row.updated_at = "withdrawn", False, row.version + 1, now
            await session.flush()
            await _emit(session, row, now)
            withdrawn += 1
            log.info("record withdrawn", extra={"ps_id": ps_id, "record_id": str(record_id)})
    return ReconcileResult(created, updated, withdrawn, unchanged)


def scoped(principal: Principal, flt: repository.RecordFilter) -> repository.RecordFilter | None:
    """The filter narrowed to what the principal may see; None when it asks for something outside its scope."""
    if principal.role is Role.ENTERPRISE:
        if flt.ps_id not in (None, principal.enterprise_id) or principal.enterprise_id is None:
            return None
        return replace(flt, ps_id=principal.enterprise_id)
    if principal.role is Role.COUNTY:
        if flt.county not in (None, principal.county) or principal.county is None:
            return None
        return replace(flt, county=principal.county)
    return flt


async def list_visible(
    session: AsyncSession, *, principal: Principal, flt: repository.RecordFilter
) -> Sequence[AbnormalRecord]:
    narrowed = scoped(principal, flt)
    return [] if narrowed is None else await repository.listing(session, narrowed)


async def get_visible(session: AsyncSession, *, principal: Principal, record_id: uuid.UUID) -> AbnormalRecord:
    """The record, if the principal may see it; out of scope answers exactly like missing (404)."""
    row = await repository.get(session, record_id)
    if row is None or not principal.can_see(enterprise_id=row.ps_id, county=row.county):
        raise RecordNotFound(f"异常记录 {record_id} 不存在或不在您的管辖范围内")
    return row
