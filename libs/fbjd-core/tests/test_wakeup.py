"""The worker's doorbell: a ring wakes it at once, a ring during a round is kept for the next wait, and
without a ring the poll interval wakes it."""

from __future__ import annotations

import asyncio
import time

from fbjd_core.wakeup import Wakeup


async def test_a_ring_while_waiting_wakes_the_worker_at_once() -> None:
    bell = Wakeup()
    asyncio.get_running_loop().call_later(0.05, bell.ring)
    started = time.monotonic()
    await bell.wait(10.0)
    assert time.monotonic() - started < 5.0


async def test_a_ring_during_a_round_is_kept_for_the_next_wait_and_then_quiet() -> None:
    bell = Wakeup()
    bell.ring()  # news arrived while the worker was busy
    started = time.monotonic()
    await bell.wait(10.0)
    assert time.monotonic() - started < 5.0, "the ring was not lost"
    await bell.wait(0.05)  # quiet again: only the poll interval ends this wait
    assert time.monotonic() - started >= 0.05


async def test_without_a_ring_the_poll_interval_wakes_the_worker() -> None:
    started = time.monotonic()
    await Wakeup().wait(0.1)
    assert time.monotonic() - started >= 0.1
