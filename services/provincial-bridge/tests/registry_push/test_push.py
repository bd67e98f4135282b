"""The registry push job: the sync's changes go to a configured target, the cursor moves only on its
`{"success": true}`, a failing target is retried with back-off and loses nothing, a lost reply resends the
same batch (the target upserts: the same result), and /status shows how it goes."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fbjd_bridge.config import Settings, service_token
from fbjd_bridge.registry_push.client import RegistryPushClient
from fbjd_bridge.registry_push.pusher import RegistryPusher
from fbjd_bridge.registry_sync.client import RegistryClient
from fbjd_core.auth import Role
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .conftest import Target, ceramics_works


@asynccontextmanager
async def pusher_for(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[RegistryPusher]:
    """A pusher as the lifespan makes one, driven by the test."""
    assert settings.province_registry_push_url
    registry = RegistryClient(settings.registry_url, token=lambda: service_token(settings))
    client = RegistryPushClient(settings.province_registry_push_url, timeout_s=settings.registry_push_timeout_seconds)
    try:
        yield RegistryPusher(sessionmaker, settings, registry, client, rng=random.Random(1))
    finally:
        await client.aclose()
        await registry.aclose()


async def status_of(bridge: Any) -> dict[str, Any]:
    reply = await bridge.api(Role.CITY).get("/status")
    assert reply.status_code == 200, reply.text
    push: dict[str, Any] = reply.json()["registry_push"]
    return push


def kinds(held: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    return sorted(kind for kind, _id in held)


async def test_a_new_enterprise_reaches_the_target_in_batches_and_a_change_follows_since_the_cursor(
    bridge_factory: Callable[..., Any],
    sessionmaker: async_sessionmaker[AsyncSession],
    registry: httpx.AsyncClient,
    registry_url: str,
    target: tuple[Target, str],
) -> None:
    held, url = target
    works = await ceramics_works(registry)
    async with (
        bridge_factory(registry_url=registry_url, province_registry_push_url=url, registry_push_batch_size=3) as bridge,
        pusher_for(bridge.settings, sessionmaker) as pusher,
    ):
        assert (await status_of(bridge))["cursor"] == "0"

        pushed = await pusher.push_until_idle()

        mine = held.of(works["ps_id"])
        assert kinds(mine) == ["ammeter"] * 4 + ["enterprise", "productorEquip", "relation", "treatment"]
        assert mine[("ammeter", works["main"]["id"])]["treatmentAmmeterIds"] == ",".join(
            [works["main"]["id"], works["standby"]["id"]]
        )
        assert all(len(body["enterprises"]) + len(body["ammeters"]) <= 3 for body in held.bodies)
        assert pushed == sum(
            sum(
                len(b[name])
                for name in ("enterprises", "productorEquips", "treatments", "ammeters", "relations", "deleted")
            )
            for b in held.bodies
        )
        chained = [(b["since"], b["cursor"]) for b in held.bodies]
        assert chained[0][0] == "0"
        assert all(prev[1] == nxt[0] for prev, nxt in zip(chained, chained[1:], strict=False))  # no gap, no overlap
        assert [b["more"] for b in held.bodies] == [True] * (len(held.bodies) - 1) + [False]
        status = await status_of(bridge)
        assert status["target"] == url
        assert status["cursor"] == held.cursor
        assert status["pending_changes"] == 0
        assert status["pushes"] == len(held.bodies)
        assert status["last_success_at"] is not None and status["last_error"] is None

        patched = await registry.patch(f"/points/{works['main']['id']}", json={"threshold_kw": 12.5})
        assert patched.status_code == 200, patched.text
        before = len(held.bodies)
        await pusher.push_until_idle()

        change = held.bodies[before:]
        assert change[0]["since"] == status["cursor"]
        changed = [a for body in change for a in body["ammeters"] if a["psId"] == works["ps_id"]]
        assert [(a["ammeterId"], a["threshold"]) for a in changed] == [(works["main"]["id"], "12.5")]
        assert held.of(works["ps_id"])[("ammeter", works["main"]["id"])]["threshold"] == "12.5"


@pytest.mark.parametrize("failure", ["http_500", "success_false"])
async def test_a_failing_target_keeps_the_cursor_backs_off_and_gets_everything_after(
    failure: str,
    bridge_factory: Callable[..., Any],
    sessionmaker: async_sessionmaker[AsyncSession],
    registry: httpx.AsyncClient,
    registry_url: str,
    target: tuple[Target, str],
    clock: Any,
) -> None:
    held, url = target
    works = await ceramics_works(registry)
    held.mode = failure
    async with (
        bridge_factory(
            registry_url=registry_url, province_registry_push_url=url, backoff_base_seconds=30, backoff_max_seconds=600
        ) as bridge,
        pusher_for(bridge.settings, sessionmaker) as pusher,
    ):
        assert await pusher.push_until_idle() == 0
        assert held.attempts == 1
        down = await status_of(bridge)
        assert down["cursor"] == "0"
        assert down["consecutive_failures"] == 1
        assert down["last_error"] and "登记同步接收方" in down["last_error"]
        assert down["next_attempt_at"] is not None
        assert down["pending_changes"] >= 8  # at least this enterprise's eight items wait

        assert await pusher.push_until_idle() == 0  # still backing off: the target is not knocked on
        assert held.attempts == 1

        clock.advance(seconds=31)
        assert await pusher.push_until_idle() == 0  # failed again: the back-off doubles
        again = await status_of(bridge)
        assert again["consecutive_failures"] == 2

        held.mode = "ok"
        clock.advance(seconds=61)
        assert await pusher.push_until_idle() >= 8
        assert len(held.of(works["ps_id"])) == 8
        up = await status_of(bridge)
        assert up["consecutive_failures"] == 0
        assert up["next_attempt_at"] is None
        assert up["pending_changes"] == 0
        assert up["cursor"] == held.cursor
        assert up["last_success_at"] is not None


async def test_a_lost_reply_leaves_the_cursor_and_the_same_batch_comes_again_to_the_same_result(
    bridge_factory: Callable[..., Any],
    sessionmaker: async_sessionmaker[AsyncSession],
    registry: httpx.AsyncClient,
    registry_url: str,
    target: tuple[Target, str],
    clock: Any,
) -> None:
    held, url = target
    works = await ceramics_works(registry)
    held.mode, held.hang_s = "lost_reply", 1.0
    async with (
        bridge_factory(
            registry_url=registry_url,
            province_registry_push_url=url,
            registry_push_timeout_seconds=0.3,
            registry_push_batch_size=5000,
        ) as bridge,
        pusher_for(bridge.settings, sessionmaker) as pusher,
    ):
        assert await pusher.push_until_idle() == 0  # the target applied it, the reply was lost
        first = held.bodies[0]
        assert len(held.of(works["ps_id"])) == 8
        assert (await status_of(bridge))["cursor"] == "0"

        held.mode = "ok"
        clock.advance(seconds=5)
        assert await pusher.push_until_idle() > 0
        second = held.bodies[1]
        assert second["since"] == first["since"] == "0"
        assert second["cursor"] == first["cursor"]
        assert {a["ammeterId"] for a in second["ammeters"]} == {a["ammeterId"] for a in first["ammeters"]}
        assert len(held.of(works["ps_id"])) == 8  # applied twice, held once
        assert (await status_of(bridge))["cursor"] == second["cursor"]


async def test_the_lifespan_pushes_by_itself_and_status_says_so(
    bridge_factory: Callable[..., Any],
    registry: httpx.AsyncClient,
    registry_url: str,
    target: tuple[Target, str],
    eventually: Any,
) -> None:
    held, url = target
    works = await ceramics_works(registry)
    async with bridge_factory(
        registry_url=registry_url,
        province_registry_push_url=url,
        sender_enabled=True,
        registry_push_interval_seconds=0.05,
    ) as bridge:

        async def arrived() -> bool:
            return len(held.of(works["ps_id"])) == 8

        await eventually(arrived, timeout=20)
        status = await status_of(bridge)
        assert status["running"] is True
        assert status["target"] == url
        assert status["last_success_at"] is not None


async def test_without_a_target_the_push_is_off(bridge_factory: Callable[..., Any]) -> None:
    async with bridge_factory(sender_enabled=True) as bridge:
        status = await status_of(bridge)
    assert status["target"] is None
    assert status["running"] is False
    assert status["pending_changes"] == 0


async def test_a_registry_that_does_not_answer_is_a_failed_round_retried_later(
    bridge_factory: Callable[..., Any],
    sessionmaker: async_sessionmaker[AsyncSession],
    target: tuple[Target, str],
    unused_port: int,
) -> None:
    held, url = target
    async with (
        bridge_factory(registry_url=f"http://127.0.0.1:{unused_port}", province_registry_push_url=url) as bridge,
        pusher_for(bridge.settings, sessionmaker) as pusher,
    ):
        assert await pusher.push_until_idle() == 0
        status = await status_of(bridge)
    assert held.attempts == 0  # nothing half-read was sent
    assert status["cursor"] == "0"
    assert status["consecutive_failures"] == 1
    assert status["last_error"] and "登记服务不可达" in status["last_error"]
    assert status["next_attempt_at"] is not None
