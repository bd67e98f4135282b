"""Verifying histories: each alarm's and each ticket's chain walked from its first event to its head.

Events are grouped by their alarm (ticket) column, so an event moved to another alarm by an edit breaks both
chains; an event whose `ps_id` was changed drops out of its enterprise's walk and breaks the chain there.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_workflow.audit import repository
from fbjd_workflow.audit.chain import ChainLink, walk
from fbjd_workflow.audit.contents import alarm_event_content, ticket_event_content
from fbjd_workflow.audit.schemas import BrokenLink, VerifyOut

__all__ = ["Verification", "verify_alarm", "verify_enterprises", "verify_ticket"]

Kind = Literal["alarm", "ticket"]


@dataclass(slots=True)
class Verification:
    checked: int = 0
    chains: int = 0
    first_broken: BrokenLink | None = None

    def check(
        self,
        kind: Kind,
        subject_id: uuid.UUID,
        ps_id: str,
        head_hash: str,
        events: Sequence[Any],
        content: Callable[[Any], dict[str, Any]],
    ) -> None:
        links = [ChainLink(str(e.id), e.seq, content(e), e.prev_hash, e.hash) for e in events]
        self.checked += len(links)
        self.chains += 1
        broken = walk(links, head_hash=head_hash)
        if broken is not None and self.first_broken is None:
            self.first_broken = BrokenLink(
                kind=kind,
                subject_id=subject_id,
                ps_id=ps_id,
                event_id=None if broken.event_id is None else uuid.UUID(broken.event_id),
                seq=broken.seq,
                reason=broken.reason,
            )

    def out(self) -> VerifyOut:
        return VerifyOut(
            ok=self.first_broken is None, checked=self.checked, chains=self.chains, first_broken=self.first_broken
        )


def _grouped(events: Sequence[Any], key: str) -> dict[uuid.UUID, list[Any]]:
    groups: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for event in events:
        groups[getattr(event, key)].append(event)
    return groups


async def verify_alarm(session: AsyncSession, *, alarm_id: uuid.UUID, ps_id: str, head_hash: str) -> VerifyOut:
    verification = Verification()
    events = await repository.alarm_events(session, alarm_id=alarm_id)
    verification.check("alarm", alarm_id, ps_id, head_hash, events, alarm_event_content)
    return verification.out()


async def verify_ticket(session: AsyncSession, *, ticket_id: uuid.UUID, ps_id: str, head_hash: str) -> VerifyOut:
    verification = Verification()
    events = await repository.ticket_events(session, ticket_id=ticket_id)
    verification.check("ticket", ticket_id, ps_id, head_hash, events, ticket_event_content)
    return verification.out()


async def verify_enterprises(session: AsyncSession, *, ps_id: str | None, county: str | None) -> VerifyOut:
    """Every alarm and ticket history of the enterprises in scope, one enterprise at a time."""
    verification = Verification()
    for each in await repository.enterprises(session, ps_id=ps_id, county=county):
        alarm_events = _grouped(await repository.alarm_events(session, ps_id=each), "alarm_id")
        for alarm_id, head in await repository.alarm_heads(session, each):
            verification.check("alarm", alarm_id, each, head, alarm_events.get(alarm_id, []), alarm_event_content)
        ticket_events = _grouped(await repository.ticket_events(session, ps_id=each), "ticket_id")
        for ticket_id, head in await repository.ticket_heads(session, each):
            verification.check("ticket", ticket_id, each, head, ticket_events.get(ticket_id, []), ticket_event_content)
    return verification.out()
