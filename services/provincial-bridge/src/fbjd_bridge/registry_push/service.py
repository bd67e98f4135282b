"""The registry push's rules apart from HTTP: what one push carries, and the state the city sees.

One push is one JSON object: the registry items changed after the target's acknowledged cursor, in seq order,
at most `registry_push_batch_size` of them, in the pull API's lists (enterprises, productorEquips, treatments,
ammeters, relations, deleted) plus the cursors:

    {"schema": "fbjd.registry-sync/v1", "since": "<acknowledged cursor>", "cursor": "<seq of the last item>",
     "more": <more changes wait behind this batch>, "sentAt": "YYYY-MM-DD hh:mm:ss" (CST),
     "enterprises": [...], "productorEquips": [...], "treatments": [...], "ammeters": [...],
     "relations": [...], "deleted": [{"kind", "id", "psId"}]}

`since` "0" is the beginning: the first pushes to a target carry the whole registry (items deleted before
it ever saw them come in `deleted`; it ignores what it does not hold). Every item is keyed by kind and id and
carries its whole body, so a batch received twice (a crash between the reply and our commit) changes nothing
the second time: the target upserts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fbjd_core.time import to_cst
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.registry_push import repository
from fbjd_bridge.registry_push.models import RegistryPushState
from fbjd_bridge.registry_push.schemas import RegistryPushStatusOut
from fbjd_bridge.registry_sync import repository as registry_items
from fbjd_bridge.registry_sync.models import RegistryItem

__all__ = ["PUSH_SCHEMA", "mark_accepted", "mark_failed", "push_body", "status"]

PUSH_SCHEMA = "fbjd.registry-sync/v1"

# kind → list of the pull API (registry_sync/service.py), re-declared: the push body has the pull's shape.
_LISTS = {
    "enterprise": "enterprises",
    "productorEquip": "productorEquips",
    "treatment": "treatments",
    "ammeter": "ammeters",
    "relation": "relations",
}


def push_body(items: Sequence[RegistryItem], *, since: int, more: bool, at: datetime) -> dict[str, Any]:
    lists: dict[str, list[dict[str, Any]]] = {name: [] for name in _LISTS.values()}
    deleted: list[dict[str, str]] = []
    for item in items:
        if item.deleted:
            deleted.append({"kind": item.kind, "id": item.item_id, "psId": item.ps_id})
        else:
            lists[_LISTS[item.kind]].append(item.body)
    return {
        "schema": PUSH_SCHEMA,
        "since": str(since),
        "cursor": str(items[-1].seq if items else since),
        "more": more,
        "sentAt": to_cst(at).strftime("%Y-%m-%d %H:%M:%S"),
        **lists,
        "deleted": deleted,
    }


def mark_failed(state: RegistryPushState, *, at: datetime, retry_at: datetime, error: str) -> None:
    state.consecutive_failures += 1
    state.last_attempt_at = at
    state.next_attempt_at = retry_at
    state.last_error, state.last_error_at = error[:2000], at


def mark_accepted(state: RegistryPushState, *, at: datetime, cursor: int) -> None:
    """The target acknowledged the batch up to `cursor`: only now does the cursor move."""
    state.cursor = cursor
    state.pushes += 1
    state.consecutive_failures = 0
    state.next_attempt_at = None
    state.last_attempt_at = state.last_success_at = at


async def status(session: AsyncSession, *, target: str | None, running: bool) -> RegistryPushStatusOut:
    state = None if target is None else await repository.read_state(session, target)
    cursor = 0 if state is None else state.cursor
    return RegistryPushStatusOut(
        target=target,
        running=running,
        cursor=str(cursor),
        pending_changes=0 if target is None else await repository.count_after(session, cursor),
        pushes=0 if state is None else state.pushes,
        last_success_at=None if state is None else state.last_success_at,
        last_attempt_at=None if state is None else state.last_attempt_at,
        last_error=None if state is None else state.last_error,
        last_error_at=None if state is None else state.last_error_at,
        consecutive_failures=0 if state is None else state.consecutive_failures,
        next_attempt_at=None if state is None else state.next_attempt_at,
        registry_refreshed_at=await registry_items.refreshed_at(session),
    )
