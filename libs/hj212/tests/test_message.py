from datetime import datetime
from pathlib import Path

import pytest
from hj212 import (
    CP,
    BadField,
    Message,
    MessageError,
    MissingField,
    Version,
    crc16_hex,
    encode,
    encode_message,
    format_time,
    parse_frame,
    parse_message,
    parse_time,
)

DATA = Path(__file__).parent / "data"


def golden(name: str) -> Message:
    return parse_message(parse_frame((DATA / name).read_bytes().strip()).segment)


# -- the public samples -----------------------------------------------------------------------------------------
def test_appendix_a_packet_fields() -> None:
    m = golden("appendix_a.txt")
    assert (m.qn, m.st, m.cn, m.pw, m.mn, m.flag) == (
        "20160801085857223",
        "32",
        "1062",
        "100000",
        "010000A8900016F000169DC0",
        5,
    )
    assert m.cp == CP({"RtdInterval": "30"}, {})
    assert m.version is Version.HJ212_2017
    assert m.needs_reply and not m.is_split
    assert m.qn_time == datetime(2016, 8, 1, 8, 58, 57, 223000)
    assert m.warnings == ()


def test_appendix_a_packet_re_encodes_byte_for_byte() -> None:
    raw = (DATA / "appendix_a.txt").read_bytes().strip() + b"\r\n"
    assert encode(parse_message(parse_frame(raw).segment)) == raw


def test_guocay_realtime_packet_keeps_every_factor_and_field_as_strings() -> None:
    m = golden("guocay_lowercase_crc.txt")
    assert m.cn == "2011" and m.flag == 4 and not m.needs_reply
    assert list(m.cp.factors) == ["a21005", "a21004", "a21007", "a21006", "a21001", "a21003", "a21002"]
    assert m.cp.factors["a21003"] == {"Rtd": "101.94", "Flag": "N"}
    assert m.cp.factors["a21005"]["Rtd"] == "0.00"
    assert m.data_time == datetime(2019, 10, 12, 13, 37, 10)
    assert "MN 'Y80110010000010' is not 24 hex characters" in m.warnings


def test_xiaoyao_2005_packet_without_qn_and_flag_with_millisecond_datatime() -> None:
    m = golden("xiaoyao_2005_ms_datatime.txt")
    assert m.qn is None and m.flag is None
    assert m.version is Version.HJT212_2005 and not m.needs_reply
    assert m.data_time == datetime(2016, 8, 24, 0, 38, 17)
    assert m.cp.factors == {
        "B01": {"Rtd": "36.91"},
        "011": {"Rtd": "231.0", "Flag": "N"},
        "060": {"Rtd": "1.803", "Flag": "N"},
    }


def test_alltobs_switch_codes() -> None:
    m = golden("alltobs_switch_codes.txt")
    assert m.cp.factors == {"ele01": {"Rtd": "1"}, "ele02": {"Rtd": "0"}}


# -- versions and flags -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("flag", "version", "reply", "split"),
    [
        (None, Version.HJT212_2005, False, False),
        (0, Version.HJT212_2005, False, False),
        (1, Version.HJT212_2005, True, False),
        (4, Version.HJ212_2017, False, False),
        (5, Version.HJ212_2017, True, False),
        (7, Version.HJ212_2017, True, True),
        (9, Version.HJ212_2025, True, False),
        (10, Version.HJ212_2025, False, True),
        (13, Version.UNKNOWN, True, False),
    ],
)
def test_flag_bits_give_version_reply_and_split(flag: int | None, version: Version, reply: bool, split: bool) -> None:
    m = Message(cn="2011", mn="M", flag=flag)
    assert (m.version, m.needs_reply, m.is_split) == (version, reply, split)


# -- split packets ----------------------------------------------------------------------------------------------
def test_split_packet_pnum_pno() -> None:
    m = parse_message(
        "QN=20160801085000534;ST=32;CN=2051;PW=123456;MN=010000A8900016F000169DC0;Flag=7;PNUM=2;PNO=1;"
        "CP=&&DataTime=20160801084000;w01018-Cou=1.1,w01018-Min=2.2&&"
    )
    assert (m.pnum, m.pno, m.is_split) == (2, 1, True)
    assert m.warnings == ()


def test_pno_before_pnum_without_flag_is_accepted() -> None:
    m = parse_message("ST=32;CN=2011;PW=123456;MN=010000A8900016F000169DC0;PNO=2;PNUM=3;CP=&&DataTime=20160801084000&&")
    assert (m.pnum, m.pno, m.flag) == (3, 2, None)


def test_pnum_without_d_bit_is_a_warning() -> None:
    m = parse_message("CN=2011;MN=010000A8900016F000169DC0;Flag=5;PNUM=2;PNO=1;CP=&&&&")
    assert any("D bit" in w for w in m.warnings)


# -- Appendix C typos -------------------------------------------------------------------------------------------
def test_missing_semicolon_before_cp_flag_5cp() -> None:
    m = parse_message(
        "QN=20160801085857223;ST=32;CN=1011;PW=123456;MN=010000A8900016F000169DC0;Flag=5CP=&&PolId=w01018&&"
    )
    assert m.flag == 5 and m.cp.params == {"PolId": "w01018"}


def test_comma_instead_of_semicolon_between_header_fields() -> None:
    m = parse_message("QN=20160801085857534,ST=32;CN=2051;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&&&")
    assert m.qn == "20160801085857534" and m.st == "32"


def test_comma_between_begin_and_end_time() -> None:
    m = parse_message(
        "QN=20160801085857223;ST=32;CN=2061;PW=123456;MN=010000A8900016F000169DC0;Flag=5;"
        "CP=&&BeginTime=20160801000000,EndTime=20160801230000&&"
    )
    assert m.cp.params == {"BeginTime": "20160801000000", "EndTime": "20160801230000"}


def test_space_after_cp_opening() -> None:
    m = parse_message(
        "QN=20160801085857223;ST=32;CN=1011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&& PolId=w01018&&"
    )
    assert m.cp.params == {"PolId": "w01018"}


def test_code_missing_its_letter_is_kept_as_sent() -> None:
    m = parse_message("CN=2011;MN=010000A8900016F000169DC0;CP=&&DataTime=20160801085857;01018-Rtd=2.2,01018-Flag=N&&")
    assert m.cp.factors == {"01018": {"Rtd": "2.2", "Flag": "N"}}


def test_header_whitespace_and_any_order() -> None:
    m = parse_message(" MN = 010000A8900016F000169DC0 ; CN=2011 ;QN=20160801085857223;CP=&&&&")
    assert (m.mn, m.cn, m.qn) == ("010000A8900016F000169DC0", "2011", "20160801085857223")


# -- kept, not dropped ------------------------------------------------------------------------------------------
def test_unknown_header_fields_and_cp_keys_are_kept() -> None:
    m = parse_message(
        "QN=1;ST=44;CN=2011;PW=1;MN=M;Flag=9;Ver=3;CP=&&DataTime=20250101000000;Foo=bar;SB1-RS=1;x-y-Zz=7&&"
    )
    assert m.extra == (("Ver", "3"),)
    assert m.cp.params == {"DataTime": "20250101000000", "Foo": "bar"}
    assert m.cp.factors == {"SB1": {"RS": "1"}, "x-y": {"Zz": "7"}}


def test_info_text_in_slashes_may_contain_separators_and_chinese() -> None:
    seg = (
        "CN=3020;MN=010000A8900016F000169DC0;CP=&&DataTime=20240101120000;"
        "i11001-Info=//设备;运行,正常//;i12001-Info=0&&"
    )
    m = parse_message(seg.encode())
    assert m.cp.factors == {"i11001": {"Info": "//设备;运行,正常//"}, "i12001": {"Info": "0"}}


def test_invalid_utf8_is_replaced_and_warned_not_raised() -> None:
    m = parse_message(b"CN=2011;MN=010000A8900016F000169DC0;CP=&&a-Info=\xff\xfe&&")
    assert m.cp.factors["a"]["Info"] == "\ufffd\ufffd"
    assert any("UTF-8" in w for w in m.warnings)


def test_warnings_are_not_part_of_equality() -> None:
    a = parse_message("CN=2011;MN=ZX00001;CP=&&&&")
    assert a.warnings == ("MN 'ZX00001' is not 24 hex characters",)
    assert a == Message(cn="2011", mn="ZX00001")


def test_unreadable_datatime_gives_none_and_a_warning() -> None:
    m = parse_message("CN=2011;MN=010000A8900016F000169DC0;CP=&&DataTime=2016080&&")
    assert m.data_time is None and any("DataTime" in w for w in m.warnings)
    assert parse_message("CN=2011;MN=M;CP=&&DataTime=20161340000000&&").data_time is None


# -- what cannot be parsed --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("segment", "error", "field"),
    [
        ("QN=1;ST=32;PW=1;MN=M;Flag=5;CP=&&&&", MissingField, "CN"),
        ("QN=1;ST=32;CN=2011;PW=1;Flag=5;CP=&&&&", MissingField, "MN"),
        ("QN=1;ST=32;CN=2011;PW=1;MN=;Flag=5;CP=&&&&", MissingField, "MN"),
        ("QN=1;ST=32;CN=2011;PW=1;MN=M;Flag=5", MissingField, "CP"),
        ("QN=1;ST=32;CN=2011;PW=1;MN=M;Flag=5;CP=&&DataTime=1", BadField, "CP"),
        ("CN=2011;MN=M;Flag=5a;CP=&&&&", BadField, "Flag"),
        ("CN=2011;MN=M;Flag=256;CP=&&&&", BadField, "Flag"),
        ("CN=2011;MN=M;Flag=-1;CP=&&&&", BadField, "Flag"),
        ("CN=2011;MN=M;Flag=7;PNUM=x;PNO=1;CP=&&&&", BadField, "PNUM"),
        ("CN=2011;MN=M;Flag=7;PNUM=2;PNO=１;CP=&&&&", BadField, "PNO"),
    ],
)
def test_unusable_segments_raise_message_errors(segment: str, error: type[MessageError], field: str) -> None:
    with pytest.raises(error) as info:
        parse_message(segment)
    assert info.value.field == field


# -- encoding ---------------------------------------------------------------------------------------------------
def test_encode_uses_canonical_field_order() -> None:
    m = Message(
        pno=1,
        pnum=2,
        flag=7,
        mn="MN1",
        pw="123456",
        cn="2011",
        st="44",
        qn="20250101000000000",
        cp=CP({"DataTime": "20250101000000"}, {"d20105": {"Rtd": "220.2", "Flag": "N"}, "d20405": {"Rtd": "0.2"}}),
    )
    assert encode_message(m) == (
        b"QN=20250101000000000;ST=44;CN=2011;PW=123456;MN=MN1;Flag=7;PNUM=2;PNO=1;"
        b"CP=&&DataTime=20250101000000;d20105-Rtd=220.2,d20105-Flag=N;d20405-Rtd=0.2&&"
    )


def test_encode_gives_a_full_packet() -> None:
    segment = b"CN=2011;MN=M;CP=&&&&"
    assert encode(Message(cn="2011", mn="M")) == b"##0020" + segment + crc16_hex(segment).encode() + b"\r\n"


@pytest.mark.parametrize(
    "m",
    [
        Message(cn="2011"),
        Message(mn="M"),
        Message(cn="2011", mn="M;X"),
        Message(cn="2011", mn=" M"),
        Message(cn="2011", mn="M", flag=300),
        Message(cn="2011", mn="M", cp=CP({"a-b": "1"})),
        Message(cn="2011", mn="M", cp=CP({"a": "1,2"})),
        Message(cn="2011", mn="M", cp=CP({}, {"w01018": {}})),
        Message(cn="2011", mn="M", cp=CP({}, {"w01018": {"R-td": "1"}})),
        Message(cn="2011", mn="M", cp=CP({}, {"i1": {"Info": "//a//b//"}})),
        Message(cn="2011", mn="M", extra=(("Flag", "5"),)),
        Message(cn="2011", mn="M", extra=(("xCP", "&&"),)),
    ],
)
def test_encode_refuses_messages_that_would_not_read_back_identically(m: Message) -> None:
    with pytest.raises((BadField, MissingField)):
        encode_message(m)


# -- time fields ------------------------------------------------------------------------------------------------
def test_parse_time_accepts_14_and_17_digits() -> None:
    assert parse_time("20160801085857") == datetime(2016, 8, 1, 8, 58, 57)
    assert parse_time("20160801085857223") == datetime(2016, 8, 1, 8, 58, 57, 223000)


@pytest.mark.parametrize("text", ["2016080108585", "201608010858572", "2016080108585x", "20160231000000", ""])
def test_parse_time_rejects_other_text(text: str) -> None:
    with pytest.raises(BadField):
        parse_time(text)


def test_format_time_round_trips() -> None:
    dt = datetime(2016, 8, 1, 8, 58, 57, 223456)
    assert format_time(dt) == "20160801085857"
    assert format_time(dt, milliseconds=True) == "20160801085857223"
    assert parse_time(format_time(dt)) == dt.replace(microsecond=0)
