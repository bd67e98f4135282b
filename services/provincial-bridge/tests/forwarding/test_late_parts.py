"""A late part of a split packet (分包, PNUM/PNO) reaches the upstream: ingest moves the receipt it completes to the
batch that stored the part (receipts_v1.xid), so the forwarder, walking in commit order, meets the minute again
after its cursor and sends it whole — the same DataTime twice, the second with every factor. A plain resend adds
nothing and sends nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hj212 import Message

    from .conftest import Clock, ForwarderFactory, Ingest, Upstream

from .conftest import forward_until, new_mn

FIRST_PART = {
    "d20101": {"Rtd": "220.1", "Flag": "N"},
    "d20201": {"Rtd": "221.2", "Flag": "N"},
    "d20301": {"Rtd": "219.8", "Flag": "N"},
    "d20401": {"Rtd": "0.24", "Flag": "N"},
}
SECOND_PART = {"d20501": {"Avg": "13.25", "Flag": "N"}, "i33201": {"Cou": "1.1", "Flag": "N"}}
MINUTE = {"d20501": {"Avg": "12.5", "Flag": "N"}}


def part(mn: str, data_time: str, pno: int, factors: dict[str, dict[str, str]]) -> str:
    """Part `pno` of a minute upload the terminal split in two (Flag 7)."""
    groups = ";".join(
        ",".join(f"{code}-{name}={value}" for name, value in fields.items()) for code, fields in factors.items()
    )
    return (
        f"QN={data_time}00{pno};PNUM=2;PNO={pno};ST=44;CN=2051;PW=123456;MN={mn};Flag=7;"
        f"CP=&&DataTime={data_time};{groups}&&"
    )


def data_time(clock: Clock, minutes: int) -> str:
    moment: datetime = clock.start + timedelta(minutes=minutes)
    return moment.strftime("%Y%m%d%H%M%S")


def key(message: Message) -> tuple[str, str, str]:
    return (message.mn or "", message.cn or "", message.cp.params["DataTime"])


async def test_a_late_second_part_sends_the_minute_again_with_all_six_factors_once(
    ingest: Ingest, upstream: Upstream, make_forwarder: ForwarderFactory, clock: Clock
) -> None:
    meter, at, minute = new_mn(), clock.start, data_time(clock, 0)
    await ingest.segments([(part(meter, minute, 1, FIRST_PART), at + timedelta(seconds=1))])
    forwarder = make_forwarder()
    assert await forwarder.forward_until_idle() == 1
    assert [m.cp.factors for _c, m in upstream.received] == [FIRST_PART]

    # The second part comes 40 s later, after the minute was forwarded with 4 factors.
    await ingest.segments([(part(meter, minute, 2, SECOND_PART), at + timedelta(seconds=41))])
    await forward_until(forwarder, lambda: len(upstream.acknowledged) == 2)
    first, second = (m for _c, m in upstream.received)
    assert key(first) == key(second) == (meter, "2051", minute)  # the same DataTime twice
    assert second.cp.factors == FIRST_PART | SECOND_PART  # the second complete: 6 factors
    assert await forwarder.forward_until_idle() == 0
    assert len(upstream.received) == 2  # once more, not again and again


async def test_both_parts_before_the_forwarder_reads_send_the_minute_once(
    ingest: Ingest, upstream: Upstream, make_forwarder: ForwarderFactory, clock: Clock
) -> None:
    meter, at, minute = new_mn(), clock.start, data_time(clock, 5)
    await ingest.segments([(part(meter, minute, 1, FIRST_PART), at + timedelta(seconds=1))])
    await ingest.segments([(part(meter, minute, 2, SECOND_PART), at + timedelta(seconds=2))])
    forwarder = make_forwarder()
    assert await forwarder.forward_until_idle() == 1
    assert [m.cp.factors for _c, m in upstream.received] == [FIRST_PART | SECOND_PART]


async def test_a_plain_resend_sends_nothing_again(
    ingest: Ingest, upstream: Upstream, make_forwarder: ForwarderFactory, clock: Clock
) -> None:
    meter, at = new_mn(), clock.start
    packets = [(part(meter, data_time(clock, 10), pno, f), at) for pno, f in ((1, FIRST_PART), (2, SECOND_PART))]
    await ingest.segments(packets)
    await ingest.upload(meter, "2051", data_time(clock, 15), MINUTE, received_at=at + timedelta(seconds=1))
    forwarder = make_forwarder()
    assert await forwarder.forward_until_idle() == 2

    # The terminal resends both minutes (its backlog after a lost 9014), then uploads the next one.
    await ingest.segments([(segment, at + timedelta(seconds=30)) for segment, _at in packets])
    await ingest.upload(meter, "2051", data_time(clock, 15), MINUTE, received_at=at + timedelta(seconds=30))
    latest = await ingest.upload(meter, "2051", data_time(clock, 20), MINUTE, received_at=at + timedelta(seconds=31))
    await forward_until(forwarder, lambda: len(upstream.acknowledged) == 3)
    assert upstream.acknowledged_keys[-1] == latest.key
    assert len(upstream.received) == 3  # the resent minutes were not sent again
