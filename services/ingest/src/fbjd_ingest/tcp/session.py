"""One TCP connection: bytes in → frame decoder → handler; answers out; back-pressure.

An asyncio Protocol rather than streams: no per-connection task, no `await` per packet, which matters for
thousands of terminals on two cores. Back-pressure pauses *this* connection's reading when

* too many of its packets wait for their commit (`max_inflight_per_connection`),
* the writer's backlog is over its limit (every connection that sends more is paused until it halves),
* the peer does not read our answers (the transport's write buffer is full),

so a flooding or stuck terminal slows itself down and nobody else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, cast

from hj212 import Frame, FrameDecoder

if TYPE_CHECKING:
    from fbjd_ingest.commands.dispatcher import TerminalLink
    from fbjd_ingest.tcp.server import Hj212Server

__all__ = ["Session"]

log = logging.getLogger(__name__)


class Session(asyncio.Protocol):
    def __init__(self, server: Hj212Server) -> None:
        self.server = server
        self.handler = server.handler
        self.decoder = FrameDecoder(max_buffer=server.settings.max_buffer_bytes)
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.peer_ip = "?"
        self.last_activity = 0.0
        self.inflight = 0
        self._high = server.settings.max_inflight_per_connection
        self._low = self._high // 2
        self._paused_by: set[str] = set()
        self._closed = False
        self.links: dict[str, TerminalLink] = {}  # MNs authenticated on this connection
        self.bad_frames = 0
        self.noted: set[tuple[str, str]] = set()  # (what, MN) already logged on this connection

    # -- asyncio.Protocol -------------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's TCPTransport is not an asyncio.Transport subclass, but has its interface: no isinstance check
        self.transport = cast(asyncio.Transport, transport)
        peername = transport.get_extra_info("peername")
        if isinstance(peername, tuple) and len(peername) >= 2:
            self.peer_ip = str(peername[0])
            self.peer = f"{peername[0]}:{peername[1]}"
        self.transport.set_write_buffer_limits(high=256 * 1024)
        self.last_activity = self.server.clock()
        self.server.opened(self)

    def data_received(self, data: bytes) -> None:
        # Only a whole packet counts as activity: a connection trickling bytes that never make one (slow-loris)
        # or pouring megabytes without a frame end is closed by the idle sweep like a silent one.
        self.decoder.feed(data)
        self._handle_events()

    def eof_received(self) -> bool | None:
        self.decoder.feed_eof()
        self._handle_events()
        return None  # close our side too

    def connection_lost(self, _exc: Exception | None) -> None:
        self._closed = True  # tasks of this connection see it and end; pending commands resolve "disconnected"
        self.server.closed(self)
        self.handler.on_disconnect(self)

    def pause_writing(self) -> None:
        self.pause("write_buffer")

    def resume_writing(self) -> None:
        self.resume("write_buffer")

    def _handle_events(self) -> None:
        handler = self.handler
        for event in self.decoder.events():
            try:
                if isinstance(event, Frame):
                    self.last_activity = self.server.clock()
                    handler.on_frame(self, event)
                else:
                    handler.on_frame_error(self, event)
            except Exception:  # a bug handling one packet must not close the connection and drop the others
                self.server.stats.bad_frames["InternalError"] += 1
                log.exception("packet not handled: internal error", extra={"peer": self.peer})

    # -- used by the handler and the writer ---------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def send(self, data: bytes) -> None:
        if not self._closed and self.transport is not None:
            self.transport.write(data)

    def job_started(self) -> None:
        self.inflight += 1
        if self.inflight >= self._high:
            self.pause("inflight")

    def job_done(self, reply: bytes | None) -> None:
        self.inflight -= 1
        if reply is not None:
            self.send(reply)
            self.server.stats.acks["9014"] += 1
        if self.inflight <= self._low and "inflight" in self._paused_by:
            self.resume("inflight")

    def pause(self, reason: str) -> None:
        if self._closed or self.transport is None or reason in self._paused_by:
            return
        if not self._paused_by:
            self.transport.pause_reading()
            self.server.stats.paused_reading += 1
        self._paused_by.add(reason)

    def resume(self, reason: str) -> None:
        if reason not in self._paused_by:
            return
        self._paused_by.discard(reason)
        if not self._paused_by and not self._closed and self.transport is not None:
            self.transport.resume_reading()

    def close(self) -> None:
        if self.transport is not None and not self._closed:
            self.transport.close()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine on behalf of this connection (the server waits for these at shutdown)."""
        task = asyncio.get_running_loop().create_task(coro)
        self.server.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.server.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("connection task failed", extra={"peer": self.peer, "error": repr(task.exception())})
