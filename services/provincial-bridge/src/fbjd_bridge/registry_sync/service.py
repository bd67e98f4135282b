"""Registry sync for the province: full, or the changes since a cursor.

A pull first refreshes the bridge's view of the registry (at most every `registry_refresh_seconds`): it
reads the registry over HTTP, writes each item whose province-form body changed with the next seq, and marks
items no longer there as deleted. The refresh holds a lock until its transaction commits, so seqs become
visible in order and a cursor never skips a change.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.registry_sync import repository
from fbjd_bridge.registry_sync.client import RegistryClient
from fbjd_bridge.registry_sync.mapping import province_items
from fbjd_bridge.registry_sync.models import RegistryItem
from fbjd_bridge.registry_sync.schemas import DeletedItem, RegistryPullOut

__all__ = ["pull", "refresh"]

log = logging.getLogger(__name__)

_LISTS = {
    "enterprise": "enterprises",
    "productorEquip": "productorEquips",
    "treatment": "treatments",
    "ammeter": "ammeters",
    "relation": "relations",
}


def _digest(body: dict[str, object]) -> str:
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


async def refresh(session: AsyncSession, client: RegistryClient, *, at: datetime, min_interval_s: float) -> int:
    """Bring registry_items up to date with the registry; the number of items changed (0 when fresh enough)."""
    await repository.lock_refresh(session)
    last = await repository.refreshed_at(session)
    if last is not None and at - last < timedelta(seconds=min_interval_s):
        return 0
    snapshot = await client.snapshot()
    known = await repository.digests(session)
    seen: set[tuple[str, str]] = set()
    changed = 0
    for item in province_items(snapshot):
        key = (item.kind, item.item_id)
        seen.add(key)
        digest = _digest(item.body)
        if known.get(key) != (digest, False):
            await repository.upsert(
                session, kind=item.kind, item_id=item.item_id, ps_id=item.ps_id, digest=digest, body=item.body, at=at
            )
            changed += 1
    for (kind, item_id), (_digest_old, deleted) in known.items():
        if not deleted and (kind, item_id) not in seen:
            await repository.mark_deleted(session, kind=kind, item_id=item_id, at=at)
            changed += 1
    await repository.set_refreshed(session, at=at)
    log.info("registry refreshed", extra={"items": len(seen), "changed": changed})
    return changed


def _out(items: list[RegistryItem], *, cursor: int, full: bool) -> RegistryPullOut:
    lists: dict[str, list[dict[str, object]]] = {name: [] for name in _LISTS.values()}
    deleted: list[DeletedItem] = []
    for item in items:
        if item.deleted:
            deleted.append(DeletedItem(kind=item.kind, id=item.item_id, psId=item.ps_id))
        else:
            lists[_LISTS[item.kind]].append(item.body)
    return RegistryPullOut(cursor=str(cursor), full=full, deleted=deleted, **lists)


async def pull(
    session: AsyncSession, client: RegistryClient, *, cursor: int | None, at: datetime, min_interval_s: float
) -> RegistryPullOut:
    await refresh(session, client, at=at, min_interval_s=min_interval_s)
    latest = await repository.latest_seq(session)
    if cursor is None:
        return _out(list(await repository.live_items(session)), cursor=latest, full=True)
    return _out(list(await repository.items_since(session, cursor)), cursor=max(latest, cursor), full=False)
