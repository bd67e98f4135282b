"""What of an event is hashed: every column a person reads in the history, nothing derived.

Shared by the code that appends events, the verification and the migration that back-filled the chains, so
all three hash exactly the same content. Takes ORM objects and SQL rows alike (attribute access).
"""

from __future__ import annotations

from typing import Any

from fbjd_workflow.audit.chain import normalised, timestamp

__all__ = ["alarm_event_content", "ticket_event_content"]

_COMMON = ("actor", "role", "action", "reason")


def _content(event: Any, subject_key: str, fields: tuple[str, ...]) -> dict[str, Any]:
    content: dict[str, Any] = {name: getattr(event, name) for name in _COMMON + fields}
    content.update(
        id=str(event.id),
        subject=str(getattr(event, subject_key)),
        ps_id=event.ps_id,
        seq=int(event.seq),
        at=timestamp(event.at),
        detail=normalised(event.detail or {}),
    )
    return content


def alarm_event_content(event: Any) -> dict[str, Any]:
    return _content(event, "alarm_id", ("from_stage", "to_stage"))


def ticket_event_content(event: Any) -> dict[str, Any]:
    return _content(event, "ticket_id", ("from_status", "to_status"))
