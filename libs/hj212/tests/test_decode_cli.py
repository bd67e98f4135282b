import io
import json
from pathlib import Path
from typing import Any

from hj212 import build_frame
from hj212.decode_cli import main

DATA = Path(__file__).parent / "data"
APPENDIX_A = (DATA / "appendix_a.txt").read_bytes().strip()


def run(data: bytes) -> tuple[int, list[dict[str, Any]], str]:
    out = io.StringIO()
    status = main(io.BytesIO(data), out)
    return status, [json.loads(line) for line in out.getvalue().splitlines()], out.getvalue()


def test_appendix_a_decodes_to_the_documented_json() -> None:
    status, (obj,), _ = run(APPENDIX_A + b"\r\n")
    assert status == 0
    assert obj == {
        "ok": True,
        "crc_ok": True,
        "version": "2017",
        "qn": "20160801085857223",
        "st": "32",
        "cn": "1062",
        "pw": "100000",
        "mn": "010000A8900016F000169DC0",
        "flag": 5,
        "pnum": None,
        "pno": None,
        "data_time": None,
        "values": {},
        "params": {"RtdInterval": "30"},
    }


def test_every_golden_packet_decodes_one_line_each_and_blank_lines_are_skipped() -> None:
    files = sorted(DATA.glob("*.txt"))
    data = b"\n\r\n".join(p.read_bytes().strip() for p in files) + b"\n\n"
    status, objs, _ = run(data)
    assert status == 0 and len(objs) == len(files)
    assert all(o["ok"] and o["crc_ok"] for o in objs)


def test_2005_packet_with_millisecond_datatime() -> None:
    _, (obj,), _ = run((DATA / "xiaoyao_2005_ms_datatime.txt").read_bytes())
    assert (obj["version"], obj["qn"], obj["flag"], obj["data_time"]) == ("2005", None, None, "2016-08-24T00:38:17")
    assert obj["values"]["011"] == {"Rtd": "231.0", "Flag": "N"}


def test_wrong_crc_still_decodes_with_crc_ok_false() -> None:
    status, (obj,), _ = run(APPENDIX_A.replace(b"1C80", b"1C08"))
    assert status == 1
    assert obj["ok"] is True and obj["crc_ok"] is False and obj["cn"] == "1062"


def test_bad_packet_reports_the_error_and_decoding_continues() -> None:
    status, objs, _ = run(b"hello\n##01x1abc\n" + APPENDIX_A + b"\n##0020CN=2011;MN=M;CP=&&&&0000\n")
    assert status == 1
    assert objs[0] == {"ok": False, "error": "BadHeader: packet does not start with '##': b'hello'"}
    assert objs[1]["ok"] is False and str(objs[1]["error"]).startswith("BadLength: ")
    assert objs[2]["ok"] is True
    assert objs[3]["ok"] is True and objs[3]["crc_ok"] is False


def test_message_errors_are_reported_too() -> None:
    _, (obj,), _ = run(build_frame("QN=1;ST=32;MN=M;CP=&&&&"))
    assert obj == {"ok": False, "error": "MissingField: the data segment has no CN (command code)"}


def test_chinese_is_printed_as_is() -> None:
    packet = build_frame("CN=3020;MN=010000A8900016F000169DC0;CP=&&i11001-Info=//设备运行正常//&&")
    _, (obj,), text = run(packet)
    assert obj["values"] == {"i11001": {"Info": "//设备运行正常//"}}
    assert "设备运行正常" in text


def test_text_stream_input_is_accepted() -> None:
    out = io.StringIO()
    assert main(io.StringIO(APPENDIX_A.decode() + "\n"), out) == 0
    assert json.loads(out.getvalue())["cn"] == "1062"
