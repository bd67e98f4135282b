"""Sending center commands to connected terminals and matching their 9011/9012 replies by QN.

A command goes out only after its row is in ingest.commands, so a fast reply always finds it. Replies are
recorded by (MN, QN) even when nobody waits any more (a late 9012 after a time-out still lands), and a
command's caller can wait for the outcome: the 9012, a refusing 9011, a time-out or the connection closing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import asyncpg
from fbjd_core.ids import new_id
from fbjd_core.time import now, to_cst
from hj212 import Message, Version, encode

from fbjd_ingest.commands import store
from fbjd_ingest.db_errors import CONNECTION_ERRORS
from fbjd_ingest.tcp.stats import IngestStats

__all__ = ["Channel", "CommandBuilder", "CommandDispatcher", "CommandResult", "TerminalLink"]

log = logging.getLogger(__name__)

#: Builds the command given the QN's time (CST wall clock, unique per MN); the builder reads the terminal's
#: ST, PW, MN and version from the link it closes over.
CommandBuilder = Callable[[datetime], Message]


class Channel(Protocol):
    """A connection commands can be written to (the TCP session)."""

    peer: str

    @property
    def closed(self) -> bool: ...

    def send(self, data: bytes) -> None: ...

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]: ...


@dataclass(eq=False, slots=True)
class TerminalLink:
    """An MN authenticated on one connection, with what its commands must carry (its ST, PW, protocol version)."""

    mn: str
    ps_id: str
    st: str
    pw: str
    version: Version
    channel: Channel

    def address(self) -> dict[str, Any]:
        return {"st": self.st, "pw": self.pw, "mn": self.mn, "version": self.version}


@dataclass(frozen=True, slots=True)
class CommandResult:
    mn: str
    qn: str
    cn: str
    state: str
    qn_rtn: int | None = None
    exe_rtn: int | None = None


@dataclass(eq=False, slots=True)
class _Pending:
    link: TerminalLink
    cn: str
    future: asyncio.Future[tuple[str, int | None, int | None]]
    qn_rtn: int | None = None
    waiters: int = field(default=0)

    def resolve(self, state: str, *, exe_rtn: int | None = None) -> None:
        if not self.future.done():
            self.future.set_result((state, self.qn_rtn, exe_rtn))


def _code(msg: Message, name: str) -> int | None:
    value = msg.cp.params.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else None


class CommandDispatcher:
    def __init__(self, pool: asyncpg.Pool, stats: IngestStats, *, default_timeout_s: float) -> None:
        self._pool = pool
        self._stats = stats
        self.default_timeout_s = default_timeout_s
        self.links: dict[str, TerminalLink] = {}
        self._pending: dict[tuple[str, str], _Pending] = {}
        self._last_qn: dict[str, datetime] = {}
        self._updates: set[asyncio.Task[Any]] = set()  # command-log writes
        self._waiters: set[asyncio.Task[Any]] = set()  # outcome waiters of submitted commands

    # -- who is connected ---------------------------------------------------------------------------------------
    def bind(self, link: TerminalLink) -> None:
        self.links[link.mn] = link

    def link_for(self, mn: str) -> TerminalLink | None:
        link = self.links.get(mn)
        return None if link is None or link.channel.closed else link

    def channel_closed(self, channel: Channel) -> None:
        for mn in [mn for mn, link in self.links.items() if link.channel is channel]:
            del self.links[mn]
        for pending in self._pending.values():
            if pending.link.channel is channel:
                pending.resolve("disconnected")

    # -- sending ----------------------------------------------------------------------------------------------
    def _qn_time(self, mn: str) -> datetime:
        t = to_cst(now()).replace(tzinfo=None)
        t = t.replace(microsecond=t.microsecond // 1000 * 1000)
        last = self._last_qn.get(mn)
        if last is not None and t <= last:
            t = last + timedelta(milliseconds=1)
        self._last_qn[mn] = t
        return t

    async def send(
        self,
        link: TerminalLink,
        build: CommandBuilder,
        *,
        origin: str,
        requested_by: str | None = None,
        timeout_s: float | None = None,
    ) -> CommandResult:
        """Send a command and wait for its outcome."""
        msg, pending = await self._issue(link, build, origin=origin, requested_by=requested_by)
        return await self._outcome(msg, pending, timeout_s or self.default_timeout_s)

    async def submit(
        self,
        link: TerminalLink,
        build: CommandBuilder,
        *,
        origin: str,
        requested_by: str | None = None,
        timeout_s: float | None = None,
    ) -> tuple[CommandResult, asyncio.Task[CommandResult]]:
        """Send a command and return at once (state `sent`) with the task that waits for its outcome."""
        msg, pending = await self._issue(link, build, origin=origin, requested_by=requested_by)
        task = asyncio.create_task(self._outcome(msg, pending, timeout_s or self.default_timeout_s))
        self._waiters.add(task)
        task.add_done_callback(self._waiters.discard)
        return CommandResult(link.mn, msg.qn or "", msg.cn or "", "sent"), task

    async def _issue(
        self, link: TerminalLink, build: CommandBuilder, *, origin: str, requested_by: str | None
    ) -> tuple[Message, _Pending]:
        msg = build(self._qn_time(link.mn))
        qn, cn = msg.qn or "", msg.cn or ""
        async with self._pool.acquire() as conn:
            await store.insert_command(
                conn,
                id=new_id(),
                ps_id=link.ps_id,
                mn=link.mn,
                qn=qn,
                cn=cn,
                params=dict(msg.cp.params),
                origin=origin,
                requested_by=requested_by,
                sent_at=now(),
            )
        pending = _Pending(link, cn, asyncio.get_running_loop().create_future())
        self._pending[(link.mn, qn)] = pending
        if link.channel.closed:
            pending.resolve("disconnected")
        else:
            link.channel.send(encode(msg))
            self._stats.commands_sent[cn] += 1
        log.info("command sent", extra={"mn": link.mn, "qn": qn, "cn": cn, "origin": origin, "peer": link.channel.peer})
        return msg, pending

    async def _outcome(self, msg: Message, pending: _Pending, timeout_s: float) -> CommandResult:
        mn, qn, cn = pending.link.mn, msg.qn or "", msg.cn or ""
        try:
            state, qn_rtn, exe_rtn = await asyncio.wait_for(asyncio.shield(pending.future), timeout_s)
        except TimeoutError:
            state, qn_rtn, exe_rtn = "timeout", pending.qn_rtn, None
        finally:
            self._pending.pop((mn, qn), None)
        if state in ("timeout", "disconnected"):
            log.warning("command not answered", extra={"mn": mn, "qn": qn, "cn": cn, "state": state})
            async with self._pool.acquire() as conn:
                await store.record_unanswered(conn, mn=mn, qn=qn, state=state)
        return CommandResult(mn, qn, cn, state, qn_rtn, exe_rtn)

    # -- replies ----------------------------------------------------------------------------------------------
    def on_reply(self, msg: Message) -> None:
        """A terminal's 9011 (QnRtn) or 9012 (ExeRtn), carrying the QN of our command."""
        mn, qn = msg.mn or "", msg.qn or ""
        pending = self._pending.get((mn, qn))
        at = now()
        if msg.cn == "9011":
            qn_rtn = _code(msg, "QnRtn")
            if qn_rtn is None:
                log.warning("9011 without a readable QnRtn", extra={"mn": mn, "qn": qn})
                return
            self._background(lambda: self._db(store.record_qn_rtn, mn=mn, qn=qn, qn_rtn=qn_rtn, at=at))
            if pending is not None:
                pending.qn_rtn = qn_rtn
                if qn_rtn != 1:
                    pending.resolve("rejected")
        else:
            exe_rtn = _code(msg, "ExeRtn")
            if exe_rtn is None:
                log.warning("9012 without a readable ExeRtn", extra={"mn": mn, "qn": qn})
                return
            self._background(lambda: self._db(store.record_exe_rtn, mn=mn, qn=qn, exe_rtn=exe_rtn, at=at))
            if pending is not None:
                pending.resolve("done" if exe_rtn == 1 else "failed", exe_rtn=exe_rtn)

    def on_answer(self, msg: Message) -> bool:
        """A terminal's answer data (1011 SystemTime, 1061 RtdInterval, 1063 MinInterval) to one of our commands."""
        mn, qn = msg.mn or "", msg.qn or ""
        if (mn, qn) not in self._pending:
            return False
        answer = dict(msg.cp.params)
        self._background(lambda: self._db(store.record_answer, mn=mn, qn=qn, answer=answer))
        return True

    # -- background database work -----------------------------------------------------------------------------
    async def _db(self, fn: Callable[..., Awaitable[Any]], **kwargs: Any) -> None:
        async with self._pool.acquire() as conn:
            await fn(conn, **kwargs)

    def _background(self, make: Callable[[], Awaitable[Any]]) -> None:
        async def run() -> None:
            try:
                await make()
            except CONNECTION_ERRORS as exc:
                log.error("command log not updated", extra={"error": repr(exc)})

        task = asyncio.create_task(run())
        self._updates.add(task)
        task.add_done_callback(self._updates.discard)

    async def drain_updates(self) -> None:
        """Wait until the replies received so far are written to the command log."""
        while self._updates:
            await asyncio.gather(*list(self._updates), return_exceptions=True)

    async def close(self) -> None:
        """Shutdown: every connection is closed by now, so pending commands resolve as disconnected."""
        for pending in self._pending.values():
            pending.resolve("disconnected")
        if self._waiters:
            _done, late = await asyncio.wait(list(self._waiters), timeout=5)
            for task in late:
                task.cancel()
        await self.drain_updates()
