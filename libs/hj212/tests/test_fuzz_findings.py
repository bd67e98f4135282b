"""What the fuzzer (tests/fuzz/hj212_fuzz.py) found, kept as plain regressions."""

import pytest
from hj212 import BadField, data_ack, encode, notify_ack, parse_frame, parse_message
from hj212.message import MAX_WARNINGS

MN = "010000A8900016F000169DC0"


@pytest.mark.parametrize("field", ["Flag", "PNUM", "PNO"])
def test_a_number_field_of_thousands_of_digits_is_a_bad_field_not_a_value_error(field: str) -> None:
    segment = f"QN=20260101120000123;ST=32;CN=2011;PW=123456;MN={MN};{field}={'9' * 5000};CP=&&&&"
    with pytest.raises(BadField) as caught:
        parse_message(segment)
    assert caught.value.field == field
    assert len(str(caught.value)) < 200, "the message names the field without quoting 5,000 digits"


def test_nineteen_digit_pnum_is_refused_and_eighteen_is_read_with_a_warning() -> None:
    base = f"QN=20260101120000123;ST=32;CN=2011;PW=123456;MN={MN};Flag=7;PNO=1;"
    with pytest.raises(BadField):
        parse_message(base + "PNUM=" + "1" * 19 + ";CP=&&&&")
    m = parse_message(base + "PNUM=" + "1" * 18 + ";CP=&&&&")
    assert m.pnum == 111_111_111_111_111_111
    assert any("PNUM" in w for w in m.warnings)


def test_a_qn_with_two_slashes_still_gets_its_9014_and_9013_echoing_it() -> None:
    segment = f"QN=2026//01;ST=32;CN=2051;PW=123456;MN={MN};Flag=5;CP=&&DataTime=20260101000000;d20501-Avg=1&&"
    request = parse_message(segment)
    for answer in (data_ack(request), notify_ack(request)):
        reply = parse_message(parse_frame(encode(answer)).segment)
        assert (reply.qn, reply.pw, reply.mn) == ("2026//01", "123456", MN)


def test_a_huge_segment_of_items_without_equals_carries_a_bounded_list_of_warnings() -> None:
    segment = f"CN=2011;MN={MN};CP=&&DataTime=20260101120000;" + "A;" * 100_000 + "&&"
    m = parse_message(segment)
    assert len(m.warnings) == MAX_WARNINGS
    assert m.warnings[-1] == f"… and {100_000 - MAX_WARNINGS + 1} more warnings"
