"""The maintenance-ticket API (运维工单): findings in from the rules, the lists, one ticket, starting work on it,
its resolution and the verification of its history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response
from fbjd_core.auth import Principal, Role
from fbjd_core.db import SessionDep
from fbjd_core.time import now
from pydantic import BaseModel

from fbjd_workflow.access import Ingestor, Reader, TicketWorker
from fbjd_workflow.audit.schemas import VerifyOut
from fbjd_workflow.audit.service import verify_ticket
from fbjd_workflow.config import SettingsDep
from fbjd_workflow.maintenance import repository
from fbjd_workflow.maintenance.models import MaintenanceTicket, TicketEvent
from fbjd_workflow.maintenance.schemas import (
    FindingIn,
    FindingIntakeResult,
    ResolveIn,
    StartIn,
    TicketDetail,
    TicketEventOut,
    TicketOut,
)
from fbjd_workflow.maintenance.service import (
    ACTION_LABELS,
    CLOSE_REASON_LABELS,
    KIND_LABELS,
    load_visible,
    receive_finding,
    resolve,
    start,
)
from fbjd_workflow.maintenance.states import OPEN_STATUSES, STATUS_LABELS, Status, allowed_actions, party_of

router = APIRouter(tags=["maintenance"])

_STATUS_TEXT = {status.value: label for status, label in STATUS_LABELS.items()}


def _stored(row: object, model: type[BaseModel], computed: set[str]) -> dict[str, Any]:
    """The fields of `model` a database row holds under the same names (all but the `computed` ones)."""
    return {name: getattr(row, name) for name in model.model_fields if name not in computed}


def ticket_out(ticket: MaintenanceTicket, *, at: datetime) -> TicketOut:
    return TicketOut(
        **_stored(ticket, TicketOut, {"kind_label", "status_label", "overdue", "close_reason_label"}),
        kind_label=KIND_LABELS.get(ticket.kind, ticket.kind),
        status_label=_STATUS_TEXT.get(ticket.status, ticket.status),
        overdue=ticket.status in OPEN_STATUSES and ticket.deadline_at <= at,
        close_reason_label=CLOSE_REASON_LABELS.get(ticket.close_reason) if ticket.close_reason else None,
    )


def _event_out(event: TicketEvent) -> TicketEventOut:
    return TicketEventOut(
        **_stored(event, TicketEventOut, {"action_label"}), action_label=ACTION_LABELS.get(event.action, event.action)
    )


def _allowed(ticket: MaintenanceTicket, principal: Principal) -> list[str]:
    """What this caller may do next: a person start and / or resolve as the status allows; a reader nothing."""
    party = party_of(principal)
    return [] if party is None else [action.value for action in allowed_actions(Status(ticket.status), party)]


async def _detail(session: SessionDep, ticket: MaintenanceTicket, principal: Principal) -> TicketDetail:
    events = await repository.events_of(session, ticket.id)
    return TicketDetail(
        **ticket_out(ticket, at=now()).model_dump(),
        finding=ticket.finding,
        allowed_actions=_allowed(ticket, principal),
        events=[_event_out(e) for e in events],
    )


@router.post(
    "/maintenance/findings",
    status_code=201,
    responses={200: {"model": FindingIntakeResult, "description": "known: updated, a duplicate or a stale version"}},
)
async def ingest_finding(
    finding: FindingIn, response: Response, session: SessionDep, _principal: Ingestor, settings: SettingsDep
) -> FindingIntakeResult:
    """A device or data finding from the rules (运维问题推送): 201 opens a ticket, 200 otherwise; idempotent by
    id + version. A resolved or withdrawn finding closes its ticket with the reason."""
    result = await receive_finding(session, finding, deadline_after=settings.maintenance_deadline, at=now())
    if result.applied != "created":
        response.status_code = 200
    return result


@router.get(
    "/maintenance",
    responses={200: {"headers": {"X-Total-Count": {"description": "matching tickets", "schema": {"type": "integer"}}}}},
)
async def list_tickets(
    session: SessionDep,
    principal: Reader,
    response: Response,
    status: Annotated[
        Literal["open", "assigned", "in_progress", "closed"] | None,
        Query(description="assigned 已派单, in_progress 处理中, closed 已关闭; open: every ticket not yet closed"),
    ] = None,
    ps_id: str | None = None,
    county: str | None = None,
    kind: str | None = None,
    escalated: Annotated[bool | None, Query(description="only tickets escalated to the city (or not)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[TicketOut]:
    """Tickets in the caller's scope: with a status other than closed the nearest deadline first, otherwise the
    newest first."""
    if principal.role is Role.ENTERPRISE:
        ps_id = principal.enterprise_id if ps_id in (None, principal.enterprise_id) else "-"
    if principal.role is Role.COUNTY:
        county = principal.county if county in (None, principal.county) else "-"
    f = repository.TicketFilter(
        status=status, ps_id=ps_id, county=county, kind=kind, escalated=escalated, limit=limit, offset=offset
    )
    response.headers["X-Total-Count"] = str(await repository.count_tickets(session, f))
    at = now()
    return [ticket_out(ticket, at=at) for ticket in await repository.list_tickets(session, f)]


@router.get("/maintenance/{ticket_id}")
async def get_ticket(ticket_id: uuid.UUID, session: SessionDep, principal: Reader) -> TicketDetail:
    """One ticket (运维工单): the finding, the operator, who started work, the maintenance record once resolved,
    its history, and `allowed_actions`: what the caller may do next."""
    return await _detail(session, await load_visible(session, principal, ticket_id), principal)


@router.post("/maintenance/{ticket_id}/start")
async def start_ticket(
    ticket_id: uuid.UUID,
    session: SessionDep,
    principal: TicketWorker,
    data: Annotated[StartIn | None, Body()] = None,
) -> TicketDetail:
    """Start work on an assigned ticket (开始处理: assigned → in_progress); the person and the time are the caller
    and now. Enterprise: its own; city, county, admin: in scope. 409 when not assigned (already started or
    closed) — of two callers at once, one starts it and the other gets 409."""
    ticket = await start(session, principal, ticket_id, data or StartIn(), at=now())
    return await _detail(session, ticket, principal)


@router.post("/maintenance/{ticket_id}/resolve")
async def resolve_ticket(
    ticket_id: uuid.UUID, data: ResolveIn, session: SessionDep, principal: TicketWorker
) -> TicketDetail:
    """Close the ticket with the maintenance record (运维记录), assigned or in progress; the person is the caller.
    409 when closed."""
    ticket = await resolve(session, principal, ticket_id, data, at=now())
    return await _detail(session, ticket, principal)


@router.get("/maintenance/{ticket_id}/history/verify")
async def verify_ticket_history(ticket_id: uuid.UUID, session: SessionDep, principal: Reader) -> VerifyOut:
    ticket = await load_visible(session, principal, ticket_id)
    return await verify_ticket(session, ticket_id=ticket.id, ps_id=ticket.ps_id, head_hash=ticket.head_hash)
