"""``fbjd hj212 decode``: turn packets (one per line) into JSON lines, for engineers on site and for scripts.

Each non-blank input line is one packet (CR LF optional).  Each output line is one JSON object::

    {"ok": true, "crc_ok": true, "version": "2017", "qn": ..., "st": ..., "cn": ..., "pw": ..., "mn": ...,
     "flag": 5, "pnum": null, "pno": null, "data_time": "2016-08-01T08:58:57",
     "values": {"w01018": {"Rtd": "2.2", "Flag": "N"}}, "params": {"DataTime": "20160801085857"}}

or ``{"ok": false, "error": "CrcMismatch: ..."}`` when the line is not a usable packet.  A wrong CRC alone does
not stop decoding: the packet is shown with ``"crc_ok": false``.  Exit status 0 when every packet was ok with a
good CRC, 1 otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, BinaryIO, TextIO

from hj212.errors import Hj212Error
from hj212.frame import parse_frame
from hj212.message import parse_message

__all__ = ["main", "decode_line"]


def _lines(stdin: TextIO | BinaryIO) -> Iterable[bytes]:
    source: Any = getattr(stdin, "buffer", stdin)  # sys.stdin -> its binary buffer: UTF-8 Chinese intact
    for line in source:
        yield line.encode("utf-8") if isinstance(line, str) else line


def decode_line(line: bytes) -> dict[str, Any]:
    """One packet -> the JSON-ready dict described in the module docstring."""
    try:
        frame = parse_frame(line, verify_crc=False)
        m = parse_message(frame.segment)
    except Hj212Error as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    data_time = m.data_time
    return {
        "ok": True,
        "crc_ok": frame.crc_ok,
        "version": m.version.value,
        "qn": m.qn,
        "st": m.st,
        "cn": m.cn,
        "pw": m.pw,
        "mn": m.mn,
        "flag": m.flag,
        "pnum": m.pnum,
        "pno": m.pno,
        "data_time": None
        if data_time is None
        else data_time.isoformat(timespec="milliseconds" if data_time.microsecond else "seconds"),
        "values": m.cp.factors,
        "params": m.cp.params,
    }


def main(stdin: TextIO | BinaryIO, stdout: TextIO) -> int:
    """Decode every packet of ``stdin`` to ``stdout``; returns the exit status."""
    status = 0
    for line in _lines(stdin):
        packet = line.strip()
        if not packet:
            continue
        result = decode_line(packet)
        if not (result["ok"] and result["crc_ok"]):
            status = 1
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return status
