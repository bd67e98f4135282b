"""The HJ 212 TCP listener: accepts terminals, closes idle ones, and shuts down cleanly."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fbjd_ingest.config import Settings
from fbjd_ingest.tcp.handler import PacketHandler
from fbjd_ingest.tcp.session import Session
from fbjd_ingest.tcp.stats import IngestStats

__all__ = ["Hj212Server"]

log = logging.getLogger(__name__)


class Hj212Server:
    def __init__(self, settings: Settings, handler: PacketHandler, stats: IngestStats) -> None:
        self.settings = settings
        self.handler = handler
        self.stats = stats
        self.sessions: set[Session] = set()
        self.tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.Server | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.port: int | None = None

    def clock(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        s = self.settings
        self._server = await self._loop.create_server(
            lambda: Session(self),
            host=s.hj212_host,
            port=s.hj212_port,
            backlog=s.hj212_backlog,
            reuse_address=True,
        )
        sockets = self._server.sockets
        self.port = sockets[0].getsockname()[1] if sockets else s.hj212_port
        self._sweeper = asyncio.create_task(self._sweep_idle(), name="hj212-idle-sweeper")
        log.info("HJ 212 server listening", extra={"host": s.hj212_host, "port": self.port})

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self._server is not None:
            self._server.close()
        for session in list(self.sessions):
            session.close()
        if self._server is not None:
            await self._server.wait_closed()
        if self.tasks:
            _done, pending = await asyncio.wait(list(self.tasks), timeout=5)
            for task in pending:
                task.cancel()

    def opened(self, session: Session) -> None:
        self.sessions.add(session)
        self.stats.connections_open = len(self.sessions)
        self.stats.connections_total += 1

    def closed(self, session: Session) -> None:
        self.sessions.discard(session)
        self.stats.connections_open = len(self.sessions)

    async def _sweep_idle(self) -> None:
        """Close connections silent for longer than idle_timeout_s (one timer for all, not one per packet)."""
        timeout = self.settings.idle_timeout_s
        period = min(5.0, max(timeout / 4, 0.05))
        while True:
            await asyncio.sleep(period)
            cutoff = self.clock() - timeout
            for session in [s for s in self.sessions if s.last_activity < cutoff]:
                log.info(
                    "closing idle connection",
                    extra={"peer": session.peer, "idle_timeout_s": timeout, "mns": sorted(session.links)},
                )
                self.stats.closed_idle += 1
                session.close()
