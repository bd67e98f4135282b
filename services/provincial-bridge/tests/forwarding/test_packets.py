"""The packets a stored receipt becomes upstream (pure): read back with libs/hj212 as the upstream reads them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fbjd_bridge.forwarding.errors import UnforwardableReceipt
from fbjd_bridge.forwarding.packets import (
    QnAllocator,
    Reading,
    Receipt,
    build_packets,
    data_time_text,
    format_number,
)
from hj212 import CP, MAX_FRAME, MAX_SEGMENT, Message, parse_frame, parse_message

MN = "010000A8900016F000169DC0"
SENT_AT = datetime(2026, 3, 1, 0, 41, 5, 123000, tzinfo=UTC)  # 08:41:05.123 CST


def receipt(cn: str = "2051", *, st: str | None = "44", data_time: datetime | None = None) -> Receipt:
    return Receipt(
        ps_id="0" * 32,
        mn=MN,
        cn=cn,
        st=st,
        data_time=data_time or datetime(2026, 3, 1, 0, 40, tzinfo=UTC),  # 08:40 CST
        received_at=datetime(2026, 3, 1, 0, 41, 2, tzinfo=UTC),
    )


def read_back(frame: bytes) -> Message:
    parsed = parse_frame(frame)
    assert parsed.crc_ok
    return parse_message(parsed.segment)


def test_a_minute_receipt_is_one_packet_with_the_same_cn_datatime_and_factors() -> None:
    readings = [
        Reading("d30501", avg=0.0, flag="N"),
        Reading("d20501", min=12.5, avg=13.25, max=14.0, cou=1.5, flag="N"),
    ]
    [packet] = build_packets(receipt(), readings, password="654321", qns=QnAllocator(), at=SENT_AT)

    message = read_back(packet.frame)
    assert (message.st, message.cn, message.pw, message.mn) == ("44", "2051", "654321", MN)
    assert message.flag == 5  # HJ 212-2017, answer required: the upstream sends a 9014
    assert message.needs_reply and not message.is_split
    assert message.qn == packet.qn == "20260301084105123"  # fresh: the send time, CST, to the millisecond
    assert message.cp.params == {"DataTime": "20260301084000"}  # the period's start, CST, as the terminal sent it
    assert message.cp.factors == {  # codes in order; fields in the standard's order, values as sent
        "d20501": {"Min": "12.5", "Avg": "13.25", "Max": "14", "Cou": "1.5", "Flag": "N"},
        "d30501": {"Avg": "0", "Flag": "N"},
    }
    assert packet.frame.startswith(b"##") and packet.frame.endswith(b"\r\n")


def test_real_time_data_keeps_rtd_and_flag_and_a_terminal_without_st_gets_44() -> None:
    [packet] = build_packets(
        receipt("2011", st=None),
        [Reading("d20401", rtd=0.24, flag="N")],
        password="123456",
        qns=QnAllocator(),
        at=SENT_AT,
    )
    message = read_back(packet.frame)
    assert (message.st, message.cn) == ("44", "2011")
    assert message.cp.factors == {"d20401": {"Rtd": "0.24", "Flag": "N"}}


def test_hour_and_day_data_keep_their_cn() -> None:
    qns = QnAllocator()
    for cn in ("2061", "2031"):
        [packet] = build_packets(receipt(cn), [Reading("i33201", cou=8.5)], password="123456", qns=qns, at=SENT_AT)
        assert read_back(packet.frame).cn == cn


def test_a_receipt_without_readings_still_carries_its_datatime() -> None:
    [packet] = build_packets(receipt(), [], password="123456", qns=QnAllocator(), at=SENT_AT)
    assert read_back(packet.frame).cp == CP({"DataTime": "20260301084000"}, {})


def test_a_reading_with_no_value_and_no_flag_is_left_out() -> None:
    [packet] = build_packets(
        receipt(), [Reading("d20501", avg=1.0), Reading("e30101")], password="123456", qns=QnAllocator(), at=SENT_AT
    )
    assert list(read_back(packet.frame).cp.factors) == ["d20501"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2.2, "2.2"),  # "2.20" as sent comes back as 2.2: the column holds the number, not the text
        (14.0, "14"),
        (0.0, "0"),
        (-0.0, "0"),
        (-3.75, "-3.75"),
        (1e-05, "0.00001"),  # never an exponent: HJ 212 numbers are plain digits
        (1.5e20, "150000000000000000000"),
        (123456.789, "123456.789"),
        (0.1 + 0.2, "0.30000000000000004"),  # the shortest text that reads back as the same double
    ],
)
def test_numbers_come_back_as_plain_digits_that_read_as_the_stored_value(value: float, text: str) -> None:
    assert format_number(value) == text
    assert float(text) == value


def test_datatime_keeps_milliseconds_only_when_the_terminal_sent_them() -> None:
    assert data_time_text(datetime(2016, 8, 23, 16, 38, 17, tzinfo=UTC)) == "20160824003817"
    assert data_time_text(datetime(2016, 8, 23, 16, 38, 17, 250000, tzinfo=UTC)) == "20160824003817250"


def test_qns_are_fresh_and_never_repeat_for_one_mn() -> None:
    qns = QnAllocator()
    same_instant = [qns.next(MN, SENT_AT) for _ in range(3)]
    assert same_instant == ["20260301084105123", "20260301084105124", "20260301084105125"]
    assert qns.next("OTHER", SENT_AT) == "20260301084105123"  # answers are matched by (MN, QN)
    assert qns.next(MN, datetime(2026, 3, 1, 0, 42, tzinfo=UTC)) == "20260301084200000"


def test_a_receipt_too_long_for_one_packet_is_split_with_pnum_pno() -> None:
    readings = [
        Reading(f"d2{param:02d}{device:02d}", rtd=220.25 + device, flag="N")
        for param in range(1, 10)
        for device in range(1, 8)
    ]  # 63 factors of 32 bytes: 2,016 bytes of data area, the standard allows 1,024 per packet
    packets = build_packets(receipt("2011"), readings, password="123456", qns=QnAllocator(), at=SENT_AT)

    messages = [read_back(p.frame) for p in packets]
    assert len(packets) == 3
    assert all(len(p.frame) <= MAX_FRAME and len(parse_frame(p.frame).segment) <= MAX_SEGMENT for p in packets)
    assert [(m.flag, m.pnum, m.pno) for m in messages] == [(7, 3, 1), (7, 3, 2), (7, 3, 3)]  # split, answered
    assert len({m.qn for m in messages}) == 3  # each part its own QN, each answered by its own 9014
    assert all(m.cp.params == {"DataTime": "20260301084000"} for m in messages)
    together = {code: fields for m in messages for code, fields in m.cp.factors.items()}
    assert together == {r.code: {"Rtd": format_number(r.rtd or 0), "Flag": "N"} for r in readings}


def test_a_factor_larger_than_a_packet_cannot_be_forwarded() -> None:
    with pytest.raises(UnforwardableReceipt, match="more than one packet holds"):
        build_packets(receipt(), [Reading("x" * 1100, rtd=1.0)], password="123456", qns=QnAllocator(), at=SENT_AT)


def test_a_password_the_codec_cannot_write_makes_the_receipt_unforwardable() -> None:
    with pytest.raises(UnforwardableReceipt, match="cannot be written as HJ 212"):
        build_packets(receipt(), [Reading("d20501", avg=1.0)], password="12;456", qns=QnAllocator(), at=SENT_AT)
