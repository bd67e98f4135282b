"""A background worker's doorbell: whoever has news for it (a record arrived) rings; between rounds the worker
waits for a ring or its poll interval, whichever comes first, so work marked by another process is still found.

A ring during a round is never lost: the bell stays rung until the next wait, which then returns at once.
"""

from __future__ import annotations

import asyncio

__all__ = ["Wakeup"]


class Wakeup:
    def __init__(self) -> None:
        self._rung = asyncio.Event()

    def ring(self) -> None:
        self._rung.set()

    async def wait(self, timeout_s: float) -> None:
        """Until rung (now or since the last wait) or `timeout_s` passed; the bell is quiet again after."""
        try:
            await asyncio.wait_for(self._rung.wait(), timeout=timeout_s)
        except TimeoutError:
            pass
        self._rung.clear()
