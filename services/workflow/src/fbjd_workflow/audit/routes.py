"""Verifying the disposition history (处置记录防篡改校验): one alarm's, or every history of an enterprise."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fbjd_core.auth import Role
from fbjd_core.db import SessionDep

from fbjd_workflow.access import Reader
from fbjd_workflow.alarms.service import load_visible
from fbjd_workflow.audit.schemas import VerifyOut
from fbjd_workflow.audit.service import verify_alarm, verify_enterprises

router = APIRouter(tags=["audit"])


@router.get("/alarms/{alarm_id}/history/verify")
async def verify_alarm_history(alarm_id: uuid.UUID, session: SessionDep, principal: Reader) -> VerifyOut:
    """Walk the alarm's hash chain: ok, how many events were checked, and the first one that does not hold."""
    alarm = await load_visible(session, principal, alarm_id)
    return await verify_alarm(session, alarm_id=alarm.id, ps_id=alarm.ps_id, head_hash=alarm.head_hash)


@router.get("/audit/verify")
async def verify_histories(session: SessionDep, principal: Reader, ps_id: str | None = None) -> VerifyOut:
    """Every alarm and maintenance-ticket history of the enterprise `ps_id` (or all in the caller's scope)."""
    county = principal.county if principal.role is Role.COUNTY else None
    if principal.role is Role.ENTERPRISE:
        ps_id = principal.enterprise_id if ps_id in (None, principal.enterprise_id) else "-"
    return await verify_enterprises(session, ps_id=ps_id, county=county)
