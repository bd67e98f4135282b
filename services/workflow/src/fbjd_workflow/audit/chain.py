"""The hash chain of a history, pure: canonical JSON, one event's hash, and the walk that checks a chain.

Each event carries `seq` (1, 2, … within its alarm or ticket), `prev_hash` (the previous event's `hash`, or
GENESIS for the first) and `hash` = sha256 of the canonical JSON of its content with `prev_hash` in it. The
alarm (or ticket) keeps the last hash (`head_hash`), so removing the newest event is caught as well as
editing or removing any other. Canonical JSON: keys sorted, no spaces, UTF-8, timestamps as UTC ISO 8601 with
microseconds, JSON values as they come back from JSONB (`normalised`).

An editor with write access to the database can still rebuild a whole chain; the chain makes any naive edit
visible, and a head published elsewhere (a daily report) would pin it further.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["GENESIS", "Broken", "ChainLink", "canonical", "event_hash", "normalised", "timestamp", "walk"]

GENESIS = "0" * 64


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def normalised(value: Any) -> Any:
    """A JSON value as it reads back from JSONB (tuples become lists, keys strings)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def canonical(content: Mapping[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def event_hash(content: Mapping[str, Any], prev_hash: str) -> str:
    """sha256 (hex) over the canonical JSON of the content plus `prev_hash`."""
    return hashlib.sha256(canonical({**content, "prev_hash": prev_hash})).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One stored event as the verifier sees it: its content (as hashed) and what it claims."""

    event_id: str
    seq: int
    content: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Broken:
    event_id: str | None
    seq: int | None
    reason: str


def walk(links: Sequence[ChainLink], *, head_hash: str) -> Broken | None:
    """The first place where the chain does not hold, or None. `links` in `seq` order."""
    previous = GENESIS
    for expected_seq, link in enumerate(links, start=1):
        if link.seq != expected_seq:
            reason = f"序号不连续：应为 {expected_seq}，实为 {link.seq}（有事件被删除或插入）"
            return Broken(link.event_id, link.seq, reason)
        if link.prev_hash != previous:
            return Broken(link.event_id, link.seq, "prev_hash 与上一条事件的 hash 不一致（有事件被删除、插入或改动）")
        if event_hash(link.content, link.prev_hash) != link.hash:
            return Broken(link.event_id, link.seq, "事件内容与其 hash 不一致（内容被改动）")
        previous = link.hash
    if previous != head_hash:
        last = links[-1] if links else None
        return Broken(
            None if last is None else last.event_id,
            None if last is None else last.seq,
            "最后一条事件的 hash 与记录的链头不一致（最新事件被删除或链头被改动）",
        )
    return None
