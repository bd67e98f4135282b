"""The forwarder: ingest's receipts re-sent to the upstream as HJ 212, acknowledged, resumable (data upload).

Delivery is **at least once**. Every receipt reaches the upstream, in cursor order (received_at, then MN, CN,
DataTime), but one may arrive twice: after a failed round or a restart the forwarder resends from its cursor,
including receipts the upstream had answered after an unanswered one, or answered just before a crash. The
upstream deduplicates by MN + CN + DataTime, as a center must for terminals that resend after an outage
(HJ212.md §6).

Each round (an asyncio task of the lifespan, every `upstream_poll_seconds` when idle):

1. take the forwarder's advisory lock (one forwarder across every bridge process) and the upstream's cursor row
   (made at FBJD_UPSTREAM_FROM, else now, the first time); do nothing while it backs off after a failure;
2. read up to `upstream_batch_size` receipts of CN 2011/2051/2061/2031 after the cursor from
   `ingest.receipts_v1`, received at least `upstream_settle_seconds` ago (ingest stamps received_at before its
   batch commits: a younger receipt may still be joined by one received before it), and their factors from
   `ingest.readings_v1`; build the packets (packets.py, Flag 5: each answered with a 9014);
3. send them over the one TCP connection (kept open between rounds), at most `upstream_window` unanswered at a
   time, and wait for every 9014 (`upstream_ack_timeout_seconds` per packet);
4. move the cursor over the contiguous acknowledged prefix (tracking.py), in one transaction. If the upstream
   refused the connection, dropped it, stopped reading or did not answer in time: close the connection, back
   off exponentially with equal jitter (`backoff_base_seconds` … `backoff_max_seconds`), and the next round
   starts again from the cursor. Nothing is skipped — except a receipt that cannot be written as HJ 212 at all
   (one factor larger than a packet), which is logged, counted (`skipped`) and passed over rather than stopping
   the stream for ever.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta

from fbjd_core.time import now
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fbjd_bridge.config import Settings, parse_address
from fbjd_bridge.forwarding import repository
from fbjd_bridge.forwarding.errors import UnforwardableReceipt, UpstreamUnavailable
from fbjd_bridge.forwarding.link import UpstreamLink
from fbjd_bridge.forwarding.packets import FORWARDED_CNS, Packet, QnAllocator, Receipt, build_packets
from fbjd_bridge.forwarding.service import cursor_key, record_round
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
class _Round:
    planned: list[_Planned] = field(default_factory=list)
    tracker: AckTracker = field(default_factory=AckTracker)
    error: str | None = None


class Forwarder:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        rng: random.Random | None = None,
    ) -> None:
        if not settings.upstream_hj212:
            raise ValueError("the forwarder needs FBJD_UPSTREAM_HJ212")
        self.upstream = settings.upstream_hj212
        self._host, self._port = parse_address(self.upstream)
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._rng = rng or random.Random()
        self._qns = QnAllocator()
        self._link: UpstreamLink | None = None

    async def run(self) -> None:
        """Rounds until idle, then sleep; for ever (the lifespan cancels it, then calls `aclose`)."""
        while True:
            try:
                await self.forward_until_idle()
            except Exception:  # noqa: BLE001 - the database or a bug: logged, and the next poll tries again
                log.exception("forwarding round failed", extra={"upstream": self.upstream})
            await asyncio.sleep(self._settings.upstream_poll_seconds)

    async def forward_until_idle(self, *, max_rounds: int = 10_000) -> int:
        """Rounds until nothing is due or the upstream fails; the receipts the cursor moved over."""
        moved = 0
        for _ in range(max_rounds):
            step = await self.forward_once()
            if step == 0:
                break
            moved += step
        return moved

    async def forward_once(self) -> int:
        """One round; the receipts the cursor moved over (0: nothing due, another process forwards, or the
        upstream failed before answering the first)."""
        async with self._sessionmaker() as lock, lock.begin():
            if not await repository.try_lock(lock):
                return 0
            planned = await self._plan()
            if not planned:
                return 0
            done = await self._send(planned)
            await self._record(done)
            return done.tracker.prefix()

    async def aclose(self) -> None:
        """Close the connection (the lifespan's end)."""
        if self._link is not None:
            await self._link.close()
            self._link = None
            async with self._sessionmaker.begin() as session:
                cursor = await repository.read_cursor(session, self.upstream)
                if cursor is not None:
                    cursor.connected_since = None

    # -- a round ----------------------------------------------------------------------------------------------
    async def _plan(self) -> list[_Planned]:
        """The round's receipts with their packets; [] when nothing is due or the upstream is backing off."""
        at = now()
        async with self._sessionmaker.begin() as session:
            start = self._settings.upstream_from or at
            cursor = await repository.ensure_cursor(session, self.upstream, start=start)
            if cursor.next_attempt_at is not None and cursor.next_attempt_at > at:
                return []
            receipts = await repository.receipts_after(
                session,
                cursor_key(cursor),
                cns=FORWARDED_CNS,
                horizon=at - timedelta(seconds=self._settings.upstream_settle_seconds),
                limit=self._settings.upstream_batch_size,
            )
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
                    extra={"upstream": self.upstream, "mn": receipt.mn, "cn": receipt.cn, "error": exc.message},
                )
                planned.append(_Planned(receipt, [], exc.message))
            else:
                planned.append(_Planned(receipt, packets))
        return planned

    async def _send(self, planned: list[_Planned]) -> _Round:
        done = _Round(planned)
        try:
            link = await self._connected()
            link.on_ack = done.tracker.acknowledge
            loop = asyncio.get_running_loop()
            for item in planned:
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
            raise UpstreamUnavailable(f"上级平台 {self.upstream} 超过 {timeout:g} 秒未应答（9014）")
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
        async with self._sessionmaker.begin() as session:
            cursor = await repository.ensure_cursor(session, self.upstream, start=at)
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
                moved_to=moved[-1].receipt.key if moved else None,
                acknowledged=prefix - len(skipped),
                skipped=skipped,
                error=done.error,
                retry_in=retry_in,
            )
            failures = cursor.consecutive_failures
        if done.error is None:
            log.info("forwarded upstream", extra={"upstream": self.upstream, "receipts": prefix})
        else:
            log.warning(
                "upstream failed",
                extra={
                    "upstream": self.upstream,
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
            self._host, self._port, timeout_s=self._settings.upstream_connect_timeout_seconds, address=self.upstream
        )
        async with self._sessionmaker.begin() as session:
            cursor = await repository.ensure_cursor(session, self.upstream, start=now())
            cursor.connected_since = now()
        log.info("connected upstream", extra={"upstream": self.upstream})
        return self._link

    async def _disconnect(self) -> None:
        if self._link is not None:
            await self._link.close()
            self._link = None
