"""Several upstreams (the province and county platforms connected to the city, issue 6): each has its own cursor,
connection and back-off, so one that is down holds back no other and catches up on its own, nothing lost or
doubled; a county platform gets its own county's terminals only; GET /forwarding lists every upstream."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from fbjd_bridge.config import Settings
from fbjd_bridge.forwarding.targets import Upstream as Target
from fbjd_bridge.forwarding.targets import parse_upstreams
from fbjd_core.auth import Role

if TYPE_CHECKING:
    from conftest import BridgeFactory

    from .conftest import Clock, ForwarderFactory, Ingest, Stored, Upstream

from .conftest import forward_until, new_mn

MINUTE = {"d20501": {"Avg": "13.25", "Flag": "N"}}


async def uploads(ingest: Ingest, clock: Clock, mns: list[str], count: int, *, after: timedelta) -> list[Stored]:
    """`count` minute uploads, the terminals in turn, one second apart from `after` into the test's day."""
    stored = []
    for i in range(count):
        moment = clock.start + after + timedelta(minutes=5 * i)
        stored.append(
            await ingest.upload(
                mns[i % len(mns)],
                "2051",
                moment.strftime("%Y%m%d%H%M%S"),
                MINUTE,
                received_at=clock.start + after + timedelta(seconds=i),
            )
        )
    return stored


def test_the_upstream_list_names_each_upstream_and_a_bare_address_after_itself() -> None:
    assert parse_upstreams("province=10.0.0.1:9000, cangxian=10.0.0.2:9000", "cangxian=130921") == [
        Target("province", "10.0.0.1:9000", "10.0.0.1", 9000),
        Target("cangxian", "10.0.0.2:9000", "10.0.0.2", 9000, county="130921"),
    ]
    assert parse_upstreams("10.0.0.1:9000") == [Target("10.0.0.1:9000", "10.0.0.1:9000", "10.0.0.1", 9000)]
    assert parse_upstreams(None) == []


@pytest.mark.parametrize(
    ("upstreams", "counties"),
    [
        ("province=10.0.0.1", None),  # no port
        ("province=10.0.0.1:9000,province=10.0.0.2:9000", None),  # one name twice
        ("province=10.0.0.1:9000,,x=10.0.0.2:9000", None),  # an empty entry
        ("a b=10.0.0.1:9000", None),  # a name with a space
        ("cangxian=10.0.0.2:9000", "cangxian=1309"),  # not a county code
        ("cangxian=10.0.0.2:9000", "botou=130981"),  # a county for an upstream not in the list
    ],
)
def test_a_malformed_upstream_list_is_refused_at_start(
    upstreams: str, counties: str | None, settings_factory: Any
) -> None:
    with pytest.raises(ValueError):
        settings_factory(upstream_hj212=upstreams, upstream_counties=counties)
    assert isinstance(settings_factory(upstream_hj212="10.0.0.1:9000"), Settings)


async def test_an_upstream_down_for_a_while_holds_back_no_other_and_catches_up_with_nothing_lost_or_doubled(
    ingest: Ingest,
    upstream: Upstream,
    county_platform: Upstream,
    make_forwarder: ForwarderFactory,
    clock: Clock,
    bridge_factory: BridgeFactory,
) -> None:
    both = f"province={upstream.address},cangxian={county_platform.address}"
    province = make_forwarder(name="province", upstream_hj212=both)
    county = make_forwarder(name="cangxian", upstream_hj212=both)
    mns = [new_mn(), new_mn()]

    # The county platform goes down; readings keep coming for an hour of the test's day.
    await county_platform.down()
    stored: list[Stored] = []
    for hour in range(3):
        stored += await uploads(ingest, clock, mns, 4, after=timedelta(minutes=20 * hour))
        await province.forward_until_idle()
        await county.forward_until_idle()  # refused: backs off, its cursor stays
        assert upstream.acknowledged_keys == [s.key for s in stored]  # the province never waits for it
    assert county_platform.received == []

    async with bridge_factory(upstream_hj212=both, upstream_from=clock.start) as bridge:
        listed = (await bridge.api(Role.CITY).get("/forwarding")).json()["upstreams"]
    by_name = {u["name"]: u for u in listed}
    assert [u["name"] for u in listed] == ["province", "cangxian"]
    assert by_name["province"]["backlog"] == 0 and by_name["province"]["forwarded"] == 12
    assert by_name["province"]["address"] == upstream.address and by_name["province"]["connected"] is True
    assert by_name["cangxian"]["backlog"] == 12 and by_name["cangxian"]["forwarded"] == 0
    assert by_name["cangxian"]["last_error"] and by_name["cangxian"]["consecutive_failures"] >= 1

    # Back: it catches up from its own cursor, in order, once each; the province got each once too.
    await county_platform.up()
    await forward_until(county, lambda: len(county_platform.acknowledged) == len(stored))
    assert county_platform.acknowledged_keys == [s.key for s in stored]
    assert county_platform.keys([m for _c, m in county_platform.received]) == [s.key for s in stored]
    assert upstream.keys([m for _c, m in upstream.received]) == [s.key for s in stored]
    assert await county.forward_until_idle() == 0 and await province.forward_until_idle() == 0


async def test_a_county_platform_gets_its_own_countys_terminals_only(
    ingest: Ingest,
    upstream: Upstream,
    county_platform: Upstream,
    make_forwarder: ForwarderFactory,
    clock: Clock,
    bridge_factory: BridgeFactory,
) -> None:
    cangxian, botou = new_mn(), new_mn()
    await ingest.register(cangxian, county="130921")
    await ingest.register(botou, county="130981")
    settings = {
        "upstream_hj212": f"province={upstream.address},cangxian={county_platform.address}",
        "upstream_counties": "cangxian=130921",
    }
    province = make_forwarder(name="province", **settings)
    county = make_forwarder(name="cangxian", **settings)
    stored = await uploads(ingest, clock, [cangxian, botou], 6, after=timedelta(0))

    await forward_until(province, lambda: len(upstream.acknowledged) == 6)
    await forward_until(county, lambda: len(county_platform.acknowledged) == 3)
    assert county_platform.acknowledged_keys == [s.key for s in stored if s.mn == cangxian]
    assert upstream.acknowledged_keys == [s.key for s in stored]

    more = await uploads(ingest, clock, [botou], 2, after=timedelta(hours=1))  # the other county only
    assert await county.forward_until_idle() == 0
    await forward_until(province, lambda: len(upstream.acknowledged) == 8)
    async with bridge_factory(upstream_from=clock.start, **settings) as bridge:
        listed = (await bridge.api(Role.ADMIN).get("/forwarding")).json()["upstreams"]
    assert [(u["name"], u["county"], u["backlog"]) for u in listed] == [
        ("province", None, 0),
        ("cangxian", "130921", 0),
    ]
    assert len(more) == 2 and len(county_platform.received) == 3


async def test_a_county_platform_passes_over_a_long_run_of_other_counties_receipts(
    ingest: Ingest, county_platform: Upstream, make_forwarder: ForwarderFactory, clock: Clock
) -> None:
    cangxian, botou = new_mn(), new_mn()
    await ingest.register(cangxian, county="130921")
    await ingest.register(botou, county="130981")
    county = make_forwarder(
        upstream_hj212=f"cangxian={county_platform.address}", upstream_counties="cangxian=130921", upstream_batch_size=2
    )
    others = await uploads(ingest, clock, [botou], 45, after=timedelta(0))  # more than one round examines
    own = await uploads(ingest, clock, [cangxian], 3, after=timedelta(hours=5))

    assert await county.forward_until_idle() == 3  # the rounds that pass over only the other county go on
    assert county_platform.acknowledged_keys == [s.key for s in own]
    assert len(others) == 45 and len(county_platform.received) == 3
