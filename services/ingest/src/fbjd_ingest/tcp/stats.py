"""Counters of the ingest path (this process), exposed by GET /api/ingest/stats.

Bad frames are also accumulated per (CST day, peer IP, MN, type) and flushed to ingest.link_errors_daily by
the runtime's maintenance task, so the counts survive restarts and add up across processes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fbjd_core.time import now

from fbjd_ingest.readings.rows import cst_day
from fbjd_ingest.security.store import LinkErrorKey

__all__ = ["IngestStats", "WriterStats"]

_MAX_KEYS = 10_000  # peers and MNs come from the network: bound the per-key counters


def _bump(counter: Counter[str], key: str, by: int = 1) -> None:
    if key in counter or len(counter) < _MAX_KEYS:
        counter[key] += by
    else:
        counter["(other)"] += by


@dataclass
class WriterStats:
    batches: int = 0
    jobs: int = 0
    receipts: int = 0
    readings: int = 0
    readings_new: int = 0
    quarantined: int = 0
    security_events: int = 0
    failures: int = 0
    split_retries: int = 0
    last_flush_ms: float = 0.0
    max_flush_ms: float = 0.0
    backlog_rows: int = 0
    backlog_jobs: int = 0


@dataclass
class IngestStats:
    started_at: datetime = field(default_factory=now)
    packets: Counter[str] = field(default_factory=Counter)  # by CN
    acks: Counter[str] = field(default_factory=Counter)  # 9013 / 9014 sent
    bad_frames: Counter[str] = field(default_factory=Counter)  # by error type
    bad_by_peer: Counter[str] = field(default_factory=Counter)
    bad_by_mn: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)  # by reason (wrong_password)
    quarantined: Counter[str] = field(default_factory=Counter)  # by reason
    unhandled: Counter[str] = field(default_factory=Counter)  # by CN
    commands_sent: Counter[str] = field(default_factory=Counter)  # by CN
    clock_corrections: int = 0
    history_requests: int = 0
    connections_open: int = 0
    connections_total: int = 0
    closed_idle: int = 0
    paused_reading: int = 0
    writer: WriterStats = field(default_factory=WriterStats)
    _link_errors: dict[LinkErrorKey, tuple[int, datetime]] = field(default_factory=dict)

    def bad_frame(self, kind: str, *, peer_ip: str, mn: str | None) -> None:
        self.bad_frames[kind] += 1
        _bump(self.bad_by_peer, peer_ip)
        if mn:
            _bump(self.bad_by_mn, mn)
        at = now()
        key = LinkErrorKey(cst_day(at), peer_ip, mn or "", kind)
        count, _ = self._link_errors.get(key, (0, at))
        if key in self._link_errors or len(self._link_errors) < _MAX_KEYS:
            self._link_errors[key] = (count + 1, at)

    def take_link_errors(self) -> dict[LinkErrorKey, tuple[int, datetime]]:
        taken, self._link_errors = self._link_errors, {}
        return taken

    def restore_link_errors(self, taken: dict[LinkErrorKey, tuple[int, datetime]]) -> None:
        """Put back counts whose flush failed, so none is lost."""
        for key, (count, at) in taken.items():
            old, _ = self._link_errors.get(key, (0, at))
            self._link_errors[key] = (old + count, at)

    def snapshot(self) -> dict[str, Any]:
        w = self.writer
        return {
            "since": self.started_at,
            "packets": {"total": sum(self.packets.values()), "by_cn": dict(self.packets)},
            "acks": dict(self.acks),
            "bad_frames": {
                "total": sum(self.bad_frames.values()),
                "by_type": dict(self.bad_frames),
                "top_peers": dict(self.bad_by_peer.most_common(20)),
                "top_mns": dict(self.bad_by_mn.most_common(20)),
            },
            "refused": dict(self.refused),
            "quarantined": dict(self.quarantined),
            "unhandled_cn": dict(self.unhandled),
            "commands_sent": dict(self.commands_sent),
            "clock_corrections": self.clock_corrections,
            "history_requests": self.history_requests,
            "connections": {
                "open": self.connections_open,
                "total": self.connections_total,
                "closed_idle": self.closed_idle,
                "paused_reading": self.paused_reading,
            },
            "writer": dict(vars(w)),
        }
