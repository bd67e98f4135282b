from datetime import datetime
from pathlib import Path
from typing import TypedDict

import pytest
from hj212 import (
    CP,
    BadField,
    ExeRtn,
    Message,
    MissingField,
    QnRtn,
    Version,
    command_flag,
    data_ack,
    encode,
    encode_message,
    execute_result,
    get_day_data,
    get_history,
    get_hour_data,
    get_min_interval,
    get_minute_data,
    get_rtd_interval,
    get_run_time_data,
    get_time,
    new_qn,
    notify_ack,
    parse_frame,
    parse_message,
    parse_reply,
    reply_flag,
    reply_flag_for,
    request_response,
    set_min_interval,
    set_password,
    set_rtd_interval,
    set_time,
    set_timeout_retries,
    version_from_flag,
)

DATA = Path(__file__).parent / "data"
MN = "010000A8900016F000169DC0"
NOW = datetime(2016, 8, 1, 8, 58, 57, 223000)


class Terminal(TypedDict):
    st: str
    pw: str
    mn: str
    version: Version


TERMINAL = Terminal(st="32", pw="100000", mn=MN, version=Version.HJ212_2017)


def upload(flag: str) -> Message:
    return parse_message(f"QN=20160801085857223;ST=32;CN=2011;PW=123456;MN={MN};{flag}CP=&&DataTime=20160801085857&&")


# -- answers ----------------------------------------------------------------------------------------------------
def test_9014_for_a_2017_packet_is_exactly_the_standards_format() -> None:
    assert encode_message(data_ack(upload("Flag=5;"))) == (
        b"QN=20160801085857223;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&"
    )


def test_9014_answers_each_split_packet_with_flag_4() -> None:
    req = parse_message(f"QN=20160801085857535;ST=32;CN=2051;PW=123456;MN={MN};Flag=7;PNUM=2;PNO=2;CP=&&&&")
    ack = data_ack(req)
    assert (ack.qn, ack.flag, ack.pnum, ack.pno) == ("20160801085857535", 4, None, None)


def test_9014_for_a_2025_packet_uses_flag_8() -> None:
    assert data_ack(upload("Flag=9;")).flag == 8


def test_9014_for_a_2005_packet_without_qn_and_flag_has_neither() -> None:
    req = parse_message((DATA / "xiaoyao_2005_ms_datatime.txt").read_bytes().strip()[6:-4])
    assert encode_message(data_ack(req)) == b"ST=91;CN=9014;PW=123456;MN=LD130133000015;CP=&&&&"


def test_9014_for_a_2005_packet_with_flag_uses_flag_0() -> None:
    assert data_ack(upload("Flag=1;")).flag == 0


def test_9013_answers_a_time_calibration_request() -> None:
    req = parse_message(f"QN=20160801085857223;ST=32;CN=1013;PW=123456;MN={MN};Flag=5;CP=&&PolId=w01018&&")
    assert encode_message(notify_ack(req)) == (
        b"QN=20160801085857223;ST=91;CN=9013;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&"
    )


def test_9013_answers_a_2025_heartbeat_9015() -> None:
    req = parse_message(f"QN=20250801085857223;ST=44;CN=9015;PW=123456;MN={MN};Flag=9;CP=&&&&")
    ack = notify_ack(req)
    assert (ack.cn, ack.st, ack.flag, ack.qn) == ("9013", "91", 8, "20250801085857223")


# -- commands ---------------------------------------------------------------------------------------------------
def test_set_rtd_interval_reproduces_the_appendix_a_packet() -> None:
    raw = (DATA / "appendix_a.txt").read_bytes().strip() + b"\r\n"
    assert encode(set_rtd_interval(30, now=NOW, **TERMINAL)) == raw


@pytest.mark.parametrize(
    ("version", "flag"), [(Version.HJT212_2005, 1), (Version.HJ212_2017, 5), (Version.HJ212_2025, 9)]
)
def test_commands_ask_for_an_answer_in_the_terminals_version(version: Version, flag: int) -> None:
    m = get_time(now=NOW, st="44", pw="123456", mn=MN, version=version)
    assert m.flag == flag and m.needs_reply and m.version is version


def test_commands_get_a_new_qn_from_now() -> None:
    assert get_rtd_interval(now=NOW, **TERMINAL).qn == "20160801085857223"
    assert new_qn(datetime(2024, 1, 2, 3, 4, 5, 6000)) == "20240102030405006"


@pytest.mark.parametrize(
    ("build", "cn", "params"),
    [
        (lambda: set_timeout_retries(5, 3, now=NOW, **TERMINAL), "1000", {"OverTime": "5", "ReCount": "3"}),
        (lambda: get_time(now=NOW, **TERMINAL), "1011", {}),
        (lambda: get_time(now=NOW, pol_id="w01018", **TERMINAL), "1011", {"PolId": "w01018"}),
        (
            lambda: set_time(datetime(2016, 8, 1, 9, 0, 0), now=NOW, **TERMINAL),
            "1012",
            {"SystemTime": "20160801090000"},
        ),
        (lambda: get_rtd_interval(now=NOW, **TERMINAL), "1061", {}),
        (lambda: set_rtd_interval(30, now=NOW, **TERMINAL), "1062", {"RtdInterval": "30"}),
        (lambda: get_min_interval(now=NOW, **TERMINAL), "1063", {}),
        (lambda: set_min_interval(10, now=NOW, **TERMINAL), "1064", {"MinInterval": "10"}),
        (lambda: set_password("654321", now=NOW, **TERMINAL), "1072", {"NewPW": "654321"}),
    ],
)
def test_parameter_commands(build: object, cn: str, params: dict[str, str]) -> None:
    assert callable(build)
    m = build()
    assert isinstance(m, Message)
    assert (m.cn, m.cp, m.st, m.pw, m.mn) == (cn, CP(params), "32", "100000", MN)
    assert parse_message(encode_message(m)) == m


@pytest.mark.parametrize(
    ("build", "cn"),
    [(get_day_data, "2031"), (get_run_time_data, "2041"), (get_minute_data, "2051"), (get_hour_data, "2061")],
)
def test_history_requests_carry_begin_and_end_time(build: object, cn: str) -> None:
    assert callable(build)
    m = build(datetime(2016, 8, 1), datetime(2016, 8, 1, 23), now=NOW, **TERMINAL)
    assert m.cn == cn
    assert m.cp.params == {"BeginTime": "20160801000000", "EndTime": "20160801230000"}


def test_2025_electricity_history_is_requested_with_cn_2011() -> None:
    m = get_history(
        "2011",
        datetime(2025, 1, 1),
        datetime(2025, 1, 2),
        now=NOW,
        st="44",
        pw="123456",
        mn=MN,
        version=Version.HJ212_2025,
    )
    assert encode_message(m).startswith(b"QN=20160801085857223;ST=44;CN=2011;PW=123456;")
    assert m.flag == 9


@pytest.mark.parametrize(
    "build",
    [
        lambda: set_timeout_retries(0, 3, now=NOW, **TERMINAL),
        lambda: set_timeout_retries(5, 100, now=NOW, **TERMINAL),
        lambda: set_rtd_interval(29, now=NOW, **TERMINAL),
        lambda: set_rtd_interval(3601, now=NOW, **TERMINAL),
        lambda: set_min_interval(7, now=NOW, **TERMINAL),
        lambda: get_day_data(datetime(2016, 8, 2), datetime(2016, 8, 1), now=NOW, **TERMINAL),
        lambda: get_time(now=NOW, st="32", pw="1", mn=MN, version=Version.UNKNOWN),
    ],
)
def test_commands_refuse_values_the_standard_does_not_allow(build: object) -> None:
    assert callable(build)
    with pytest.raises(ValueError):
        build()


# -- versions ---------------------------------------------------------------------------------------------------
def test_reply_and_command_flags_per_version() -> None:
    assert [reply_flag(v) for v in (Version.HJT212_2005, Version.HJ212_2017, Version.HJ212_2025)] == [0, 4, 8]
    assert [command_flag(v) for v in (Version.HJT212_2005, Version.HJ212_2017, Version.HJ212_2025)] == [1, 5, 9]
    assert [reply_flag_for(f) for f in (None, 0, 1, 5, 7, 9, 11, 13)] == [None, 0, 0, 4, 4, 8, 8, 12]
    assert version_from_flag(None) is Version.HJT212_2005
    assert type(command_flag(Version.HJ212_2017)) is int and type(reply_flag_for(7)) is int  # not FlagBit


# -- terminal answers -------------------------------------------------------------------------------------------
def test_9011_and_9012_answers_read_back_with_their_meaning() -> None:
    req = set_time(datetime(2016, 8, 1, 9), now=NOW, **TERMINAL)
    ready = parse_message(encode_message(request_response(req, QnRtn.READY)))
    done = parse_message(encode_message(execute_result(req, ExeRtn.NO_DATA)))
    assert ready.qn == done.qn == req.qn and ready.flag == 4
    assert parse_reply(ready) is QnRtn.READY and QnRtn.READY.meaning == "ready to execute the request"
    assert parse_reply(done) is ExeRtn.NO_DATA and ExeRtn.NO_DATA.meaning == "no data"


def test_reply_parsing_from_the_wire() -> None:
    m = parse_message(f"QN=20160801085857223;ST=91;CN=9011;PW=123456;MN={MN};Flag=4;CP=&&QnRtn=3&&")
    assert parse_reply(m) is QnRtn.PW_ERROR


@pytest.mark.parametrize(
    ("segment", "error"),
    [
        (f"ST=91;CN=9012;MN={MN};CP=&&ExeRtn=7&&", BadField),
        (f"ST=91;CN=9012;MN={MN};CP=&&ExeRtn=ok&&", BadField),
        (f"ST=91;CN=9011;MN={MN};CP=&&&&", MissingField),
        (f"ST=91;CN=9014;MN={MN};CP=&&&&", BadField),
    ],
)
def test_unreadable_replies_raise(segment: str, error: type) -> None:
    with pytest.raises(error):
        parse_reply(parse_message(segment))


def test_every_answer_fits_in_one_packet() -> None:
    for m in (data_ack(upload("Flag=5;")), notify_ack(upload("Flag=5;"))):
        assert parse_frame(encode(m)).crc_ok
