"""The operator's `fbjd` command, run as a process the way staff run it."""

from __future__ import annotations

import json
import subprocess
import sys

APPENDIX_A = (
    "##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80"
)


def _fbjd(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fbjd_infra.cli", *args], input=stdin, capture_output=True, text=True, timeout=60
    )


def test_fbjd_lists_its_commands() -> None:
    result = _fbjd("--help")
    assert result.returncode == 0
    for command in ("run", "migrate", "hj212", "simulate", "bench"):
        assert command in result.stdout


def test_hj212_decode_reads_a_logged_packet_and_goes_on_after_a_bad_line() -> None:
    bad_crc = APPENDIX_A[:-4] + "1C08"
    result = _fbjd("hj212", "decode", stdin=f"{APPENDIX_A}\r\nnot a packet\n{bad_crc}\n")
    assert result.returncode == 1, "a batch with bad packets exits 1, after decoding every line"
    good, garbage, wrong_crc = (json.loads(line) for line in result.stdout.splitlines())
    assert good["ok"] is True and good["crc_ok"] is True
    assert (good["version"], good["cn"], good["mn"], good["flag"]) == ("2017", "1062", "010000A8900016F000169DC0", 5)
    assert garbage["ok"] is False and garbage["error"].split(":")[0] in {"BadHeader", "BadLength", "BadTail"}
    assert wrong_crc["ok"] is True and wrong_crc["crc_ok"] is False


def test_hj212_decode_exits_0_when_every_packet_is_good() -> None:
    result = _fbjd("hj212", "decode", stdin=APPENDIX_A + "\n" + APPENDIX_A + "\n")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["crc_ok"] for line in result.stdout.splitlines()] == [True, True]
