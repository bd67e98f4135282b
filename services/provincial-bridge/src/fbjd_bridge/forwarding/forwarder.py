"""The forwarder of one upstream: ingest's receipts re-sent to it as HJ 212, acknowledged, resumable (data upload).

One forwarder per configured upstream (forwarding/targets.py), each an asyncio task with its own connection,
cursor row, back-off and advisory lock: an outage of one upstream never holds back another.

Delivery is **at least once**, and **nothing is skipped**. Every receipt reaches the upstream, in ingest's
commit order (the transaction that stored it, then MN, CN, DataTime), but one may arrive twice: after a failed
round or a restart the forwarder resends from its cursor, including receipts the upstream had answered after an
unanswered one, or answered just before a crash. The upstream deduplicates by MN + CN + DataTime, as a center
must for terminals that resend after an outage (HJ212.md §6).

Each round (every `upstream_poll_seconds` when idle):

1. take the upstream's advisory lock (one forwarder per upstream across every bridge process) and its cursor
   row (made the first time: FBJD_UPSTREAM_FROM, else what commits from now on); do nothing while it backs off;
2. read the commit boundary (the lowest transaction id still running: everything below it has ended), then up
   to `upstream_batch_size` receipts of CN 2011/2051/2061/2031 after the cursor and below the boundary (of the
   upstream's county only, where it has one) from `ingest.receipts_v1`, and their factors from
   `ingest.readings_v1`; build the packets (packets.py, Flag 5: each answered with a 9014). A receipt whose batch
   took long to commit is simply read when it has committed: its transaction id is below any boundary read
   after the cursor passed receipts that committed before it (repository.py);
3. send them over the upstream's one TCP connection (kept open between rounds), at most `upstream_window`
   unanswered at a time, and wait for every 9014 (`upstream_ack_timeout_seconds` per packet);
4. move the cursor over the contiguous acknowledged prefix (tracking.py), in one transaction — up to the
   boundary itself when the round read everything below it and all of it was answered (so an upstream limited
   to one county does not read the other counties' receipts again). If the upstream refused the connection,
   dropped it, stopped reading or did not answer in time: close the connection, back off exponentially with
   equal jitter (`backoff_base_seconds` … `backoff_max_seconds`), and the next round starts again from the
   cursor. A receipt that cannot be written as HJ 212 at all (one factor larger than a packet) is logged,
   counted (`skipped`) and passed over rather than stopping the stream for ever.

A long-open writing transaction anywhere in the database holds the boundary back: forwarding waits (and then
catches up) rather than risk passing a receipt that may still commit behind the cursor.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field

from fbjd_core.time import now
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_bridge.config import Settings
from fbjd_bridge.forwarding import repository
from fbjd_bridge.forwarding.errors import UnforwardableReceipt, UpstreamUnavailable
from fbjd_bridge.forwarding.link import UpstreamLink
from fbjd_bridge.forwarding.models import ForwardCursor
from fbjd_bridge.forwarding.packets import Packet, Position, QnAllocator, Receipt, build_packets
from fbjd_bridge.forwarding.service import cursor_position, move, record_round, scope_of
from fbjd_bridge.forwarding.targets import Upstream
from fbjd_bridge.forwarding.tracking import AckTracker
from fbjd_bridge.outbox.service import backoff_delay

__all__ = ["Forwarder"]

log = logging.getLogger(__name__)


@dataclass
class _Planned:
    receipt: Receipt
    packets: list[Packet]
    unforwardable: str | None = None  # why it cannot be written as HJ 212 (then no packets)


@dataclass
class _Plan:
    """A round's receipts, and the position the cursor may take once every one of them is answered (None: only
    as far as the last answered receipt)."""

    planned: list[_Planned] = field(default_factory=list)
    done_at: Position | None = None


@dataclass
class _Round:
    plan: _Plan
    tracker: AckTracker = field(default_factory=AckTracker)
    error: str | None = None

    @property
    def planned(self) -> list[_Planned]:
        return self.plan.planned


class Forwarder:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        upstream: Upstream,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.upstream = upstream
        self._log = {"upstream": upstream.name, "address": upstream.address}
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._rng = rng or random.Random()
        self._qns = QnAllocator()
        self._link: UpstreamLink | None = None
        self._passed_over = False  # the last round moved the cursor past receipts not for this upstream only

    async def run(self) -> None:
        """Rounds until idle, then sleep; for ever (the lifespan cancels it, then calls `aclose`)."""
        while True:
            try:
                await self.forward_until_idle()
            except Exception:  # noqa: BLE001 - the database or a bug: logged, and the next poll tries again
                log.exception("forwarding round failed", extra=self._log)
            await asyncio.sleep(self._settings.upstream_poll_seconds)

    async def forward_until_idle(self, *, max_rounds: int = 10_000) -> int:
        """Rounds until nothing is due or the upstream fails; the receipts the cursor moved over."""
        moved = 0
        for _ in range(max_rounds):
            self._passed_over = False
            step = await self.forward_once()
            if step == 0 and not self._passed_over:
                break
            moved += step
        return moved

    async def forward_once(self) -> int:
        """One round; the receipts the cursor moved over (0: nothing due, another process forwards, or the
        upstream failed before answering the first)."""
        async with self._sessionmaker() as lock, lock.begin():
            if not await repository.try_lock(lock, self.upstream.name):
                return 0
            plan = await self._plan()
            if not plan.planned:
                return 0
            done = await self._send(plan)
            await self._record(done)
            return done.tracker.prefix()

    async def aclose(self) -> None:
        """Close the connection (the lifespan's end)."""
        if self._link is not None:
            await self._link.close()
            self._link = None
            async with self._sessionmaker.begin() as session:
                cursor = await repository.read_cursor(session, self.upstream.name)
                if cursor is not None:
                    cursor.connected_since = None

    # -- a round ----------------------------------------------------------------------------------------------
    async def _plan(self) -> _Plan:
        """The round's receipts with their packets; none when nothing is due or the upstream is backing off."""
        at = now()
        limit = self._settings.upstream_batch_size
        async with self._sessionmaker.begin() as session:
            boundary = await repository.commit_boundary(session)
            cursor = await repository.ensure_cursor(
                session, self.upstream.name, start=self._settings.upstream_from, at=at, boundary=boundary
            )
            if cursor.next_attempt_at is not None and cursor.next_attempt_at > at:
                return _Plan()
            receipts, done_at = await self._walk(session, cursor, boundary=boundary, limit=limit)
            readings = await repository.readings_of(session, receipts)
        planned: list[_Planned] = []
        for receipt, factors in zip(receipts, readings, strict=True):
            try:
                packets = build_packets(
                    receipt, factors, password=self._settings.upstream_password, qns=self._qns, at=at
                )
            except UnforwardableReceipt as exc:
                log.error(
                    "receipt cannot be forwarded",
                    extra={**self._log, "mn": receipt.mn, "cn": receipt.cn, "error": exc.message},
                )
                planned.append(_Planned(receipt, [], exc.message))
            else:
                planned.append(_Planned(receipt, packets))
        return _Plan(planned, done_at)

    async def _walk(
        self, session: AsyncSession, cursor: ForwardCursor, *, boundary: int, limit: int
    ) -> repository.Walk:
        """The next receipts after the cursor. The first walk (receipts stored before ingest's commit order)
        hands over to the commit-ordered walk when it is done; a filtered upstream (one county, a start time)
        with nothing to send moves its cursor past what it examined, so it does not examine it again."""
        scope = scope_of(self.upstream, cursor)
        position = cursor_position(cursor)
        walk = await repository.receipts_after(session, position, scope=scope, boundary=boundary, limit=limit)
        if walk.receipts:
            return walk
        if position.xid is None:
            start = await repository.first_xid(session, floor=cursor.received_from, boundary=boundary)
            move(cursor, Position(start, position.received_at, "", "", position.data_time))
            log.info("forwarding in commit order from now on", extra={**self._log, "xid": start})
            return await repository.receipts_after(
                session, cursor_position(cursor), scope=scope, boundary=boundary, limit=limit
            )
        filtered = scope.county is not None or scope.floor is not None
        if filtered and walk.done_at is not None and walk.done_at.order != position.order:
            move(cursor, walk.done_at)
            self._passed_over = walk.done_at.xid != boundary  # more may follow below the boundary: go on
        return repository.Walk([])

    async def _send(self, plan: _Plan) -> _Round:
        done = _Round(plan)
        try:
            link = await self._connected()
            link.on_ack = done.tracker.acknowledge
            loop = asyncio.get_running_loop()
            for item in plan.planned:
                index = done.tracker.add_receipt(len(item.packets))
                for packet in item.packets:
                    while done.tracker.outstanding >= self._settings.upstream_window:
                        await self._await_answer(link, done.tracker)
                    done.tracker.expect(index, packet.mn, packet.qn, sent_at=loop.time())
                    await link.send(packet.frame, timeout_s=self._settings.upstream_ack_timeout_seconds)
            while not done.tracker.complete():
                await self._await_answer(link, done.tracker)
        except UpstreamUnavailable as exc:
            done.error = exc.message
            await self._disconnect()
        return done

    async def _await_answer(self, link: UpstreamLink, tracker: AckTracker) -> None:
        """Until the next 9014 or the link's end; UpstreamUnavailable when the oldest packet waited too long."""
        if link.error is not None:
            raise UpstreamUnavailable(link.error)
        timeout = self._settings.upstream_ack_timeout_seconds
        oldest = tracker.oldest_sent_at()
        remaining = timeout if oldest is None else oldest + timeout - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise UpstreamUnavailable(f"上级平台 {self.upstream.address} 超过 {timeout:g} 秒未应答（9014）")
        link.activity.clear()
        try:
            await asyncio.wait_for(link.activity.wait(), timeout=remaining)
        except TimeoutError:
            pass

    async def _record(self, done: _Round) -> None:
        at = now()
        prefix = done.tracker.prefix()
        moved = done.planned[:prefix]
        skipped = [item.unforwardable for item in moved if item.unforwardable is not None]
        moved_to = moved[-1].receipt.position if moved else None
        if done.error is None and done.tracker.complete() and done.plan.done_at is not None:
            moved_to = done.plan.done_at
        async with self._sessionmaker.begin() as session:
            cursor = await repository.read_cursor(session, self.upstream.name)
            if cursor is None:  # removed while the round ran (by hand): nothing to record
                return
            retry_in = None
            if done.error is not None:
                retry_in = backoff_delay(
                    cursor.consecutive_failures + 1,
                    base_s=self._settings.backoff_base_seconds,
                    max_s=self._settings.backoff_max_seconds,
                    rng=self._rng,
                )
            record_round(
                cursor,
                at=at,
                moved_to=moved_to,
                acknowledged=prefix - len(skipped),
                skipped=skipped,
                error=done.error,
                retry_in=retry_in,
            )
            failures = cursor.consecutive_failures
        if done.error is None:
            log.info("forwarded upstream", extra={**self._log, "receipts": prefix})
        else:
            log.warning(
                "upstream failed",
                extra={
                    **self._log,
                    "acknowledged": prefix,
                    "resent_next_round": len(done.planned) - prefix,
                    "failures": failures,
                    "retry_in_s": round(retry_in.total_seconds(), 3) if retry_in else None,
                    "error": done.error,
                },
            )

    # -- the connection ---------------------------------------------------------------------------------------
    async def _connected(self) -> UpstreamLink:
        """The open link, or a new one (an idle link the upstream closed is replaced without counting a failure)."""
        if self._link is not None and not self._link.closed:
            return self._link
        await self._disconnect()
        self._link = await UpstreamLink.open(
            self.upstream.host,
            self.upstream.port,
            timeout_s=self._settings.upstream_connect_timeout_seconds,
            address=self.upstream.address,
        )
        async with self._sessionmaker.begin() as session:
            cursor = await repository.read_cursor(session, self.upstream.name)
            if cursor is not None:
                cursor.connected_since = now()
        log.info("connected upstream", extra=self._log)
        return self._link

    async def _disconnect(self) -> None:
        if self._link is not None:
            await self._link.close()
            self._link = None
