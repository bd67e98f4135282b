"""The HJ 212 codec fuzzed at volume: a seeded generator of bad packets, fed the way the ingest server feeds them.

Run it as a script (what ``make fuzz`` calls)::

    .venv/bin/python tests/fuzz/hj212_fuzz.py --inputs 1000000 --jobs 2

Each input is a mutation of a real packet (the golden frames of ``libs/hj212/tests/data`` and packets built like
the ones terminals send): bit flips, truncation, splices, wrong length fields, wrong CRCs, huge fields, random
bytes, and garbage re-framed with a valid CRC so that the message parser sees it.  Every input goes through

* :func:`hj212.parse_frame` (CRC checked or not) and, for what frames, :func:`hj212.parse_message`;
* a :class:`hj212.FrameDecoder` fed in random chunks (sometimes byte by byte, as a slow terminal does), then
  ``feed_eof()``; for a quarter of the inputs the frames must be the same as when fed whole;
* for every message that parses, what the ingest handler does with it: version, Flag bits, DataTime, the 9014/9013
  answers encoded, the factor profiles mapped, 9011/9012 read, and ``encode_message`` either refusing or
  reading back the same message.

Pass criteria: only :class:`hj212.Hj212Error` subclasses are raised (anything else is a failure, kept with its
input as hex), no input takes longer than ``--max-input-seconds`` (a SIGALRM interrupts it), the decoder never
holds more than one incomplete packet, and memory stays bounded: RSS is sampled every 10,000 inputs and a
``tracemalloc`` peak is measured over a sample at the start of the run.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType

from hj212 import (
    BUILTIN_PROFILES,
    CP,
    MAX_FRAME,
    Frame,
    FrameDecoder,
    FrameError,
    Hj212Error,
    Message,
    build_frame,
    crc16_hex,
    data_ack,
    encode,
    encode_message,
    map_factors,
    notify_ack,
    parse_frame,
    parse_message,
    parse_reply,
)

__all__ = ["FuzzReport", "Failure", "corpus", "Mutator", "exercise", "run", "main"]

GOLDEN = Path(__file__).resolve().parents[2] / "libs" / "hj212" / "tests" / "data"
PROFILES = tuple(BUILTIN_PROFILES.values())
MAX_BUFFERS = (MAX_FRAME, 4096, 8192)  # the decoder's smallest buffer, its default, ingest's setting
HUGE = 10 * 1024 * 1024  # the oversize stream the slow-loris test sends, here through the decoder alone
TOKENS = (
    b"##",
    b"\r\n",
    b"\r",
    b"\n",
    b"&&",
    b"CP=&&",
    b"=//",
    b"//",
    b";",
    b",",
    b"=",
    b"-",
    b"Flag=",
    b"PNUM=",
    b"PNO=",
    b"DataTime=",
    b"QN=",
    b"MN=",
    b"CN=",
    b"\x00",
    b"\xff",
    b"\xe8\xae",  # a UTF-8 sequence cut short
    "设备".encode(),
    b"9999",
    b"0000",
    b"##9999",
    b"##0000",
)
INTERESTING_NUMBERS = ("0", "-1", "256", "4294967296", "99999999999999999999", "1e3", "0x10", "٣", "", " 5 ")


class InputTimeout(Exception):
    """Raised by the SIGALRM handler when one input runs longer than its bound."""


class InvariantBroken(Exception):
    """The codec returned something it promises never to return (not an exception class of the codec)."""


@dataclass
class Failure:
    kind: str
    error: str
    data_hex: str


@dataclass
class FuzzReport:
    inputs: int = 0
    seconds: float = 0.0
    by_mutation: Counter[str] = field(default_factory=Counter)
    raised: Counter[str] = field(default_factory=Counter)  # typed codec errors, by class name
    frames: int = 0
    messages: int = 0
    ack_refused: int = 0  # parsed messages whose 9014 answer the codec refuses to encode
    ack_refused_framed: Counter[str] = field(default_factory=Counter)  # the same, for frames off the decoder
    failures: list[Failure] = field(default_factory=list)
    failure_count: int = 0
    slowest_s: float = 0.0
    slowest_kind: str = ""
    slowest_hex: str = ""
    rss_start_kib: int = 0
    rss_peak_kib: int = 0
    tracemalloc_peak_bytes: int = 0

    @property
    def rate(self) -> float:
        return self.inputs / self.seconds if self.seconds else 0.0

    def merge(self, other: FuzzReport) -> None:
        self.inputs += other.inputs
        self.seconds = max(self.seconds, other.seconds)
        self.by_mutation.update(other.by_mutation)
        self.raised.update(other.raised)
        self.frames += other.frames
        self.messages += other.messages
        self.ack_refused += other.ack_refused
        self.ack_refused_framed.update(other.ack_refused_framed)
        self.failures.extend(other.failures)
        self.failure_count += other.failure_count
        if other.slowest_s > self.slowest_s:
            self.slowest_s, self.slowest_kind, self.slowest_hex = other.slowest_s, other.slowest_kind, other.slowest_hex
        self.rss_start_kib = max(self.rss_start_kib, other.rss_start_kib)
        self.rss_peak_kib = max(self.rss_peak_kib, other.rss_peak_kib)
        self.tracemalloc_peak_bytes = max(self.tracemalloc_peak_bytes, other.tracemalloc_peak_bytes)

    def summary(self) -> str:
        lines = [
            f"inputs: {self.inputs:,} in {self.seconds:.1f} s = {self.rate:,.0f} inputs/s",
            f"frames delimited: {self.frames:,}; messages parsed: {self.messages:,}; "
            f"9014 answers refused by encode: {self.ack_refused:,} "
            f"(of frames off the decoder: {dict(self.ack_refused_framed) or 0})",
            f"slowest input: {self.slowest_s * 1000:.1f} ms ({self.slowest_kind})",
            f"memory: RSS {self.rss_start_kib / 1024:.1f} MiB after warm-up, peak {self.rss_peak_kib / 1024:.1f} MiB;"
            f" tracemalloc peak over a sample {self.tracemalloc_peak_bytes / 1024 / 1024:.2f} MiB",
            "typed codec errors: " + ", ".join(f"{k} {v:,}" for k, v in self.raised.most_common()),
            "mutations: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.by_mutation.items())),
            f"failures (exceptions other than Hj212Error, broken invariants, timeouts): {self.failure_count}",
        ]
        lines += [f"  {f.kind}: {f.error}\n    input: {f.data_hex[:400]}" for f in self.failures[:20]]
        return "\n".join(lines)


# -- the seed corpus ---------------------------------------------------------------------------------------------
def _packets_built_like_terminals() -> list[bytes]:
    mn = "010000A8900016F000169DC0"
    d_codes = {f"d{g}{p:02d}01": {"Rtd": f"{p * 11.5:.2f}", "Flag": "N"} for g in (2, 3) for p in range(1, 10)}
    messages = [
        Message(
            qn="20260101120000123",
            st="44",
            cn="2011",
            pw="123456",
            mn=mn,
            flag=9,
            cp=CP({"DataTime": "20260101120000"}, d_codes),
        ),
        Message(
            qn="20260101120500000",
            st="32",
            cn="2051",
            pw="123456",
            mn=mn,
            flag=5,
            cp=CP({"DataTime": "20260101120500"}, {"d20501": {"Avg": "10.5", "Flag": "N"}}),
        ),
        Message(
            qn="20260101120500001",
            st="32",
            cn="2051",
            pw="123456",
            mn=mn,
            flag=7,
            pnum=2,
            pno=1,
            cp=CP({"DataTime": "20260101120500"}, {"d30501": {"Avg": "3.25", "Flag": "N"}}),
        ),
        Message(qn="20260101120000123", st="91", cn="9011", pw="123456", mn=mn, flag=4, cp=CP({"QnRtn": "1"})),
        Message(qn="20260101120000123", st="91", cn="9012", pw="123456", mn=mn, flag=4, cp=CP({"ExeRtn": "1"})),
        Message(qn="20260101120000123", st="32", cn="1013", pw="123456", mn=mn, flag=5),
        Message(qn="20260101120000123", st="44", cn="9015", pw="123456", mn=mn, flag=9),
        Message(st="32", cn="2011", pw="123456", mn="LD130133000015", cp=CP({"DataTime": "20160824003817000"})),
        Message(
            qn="20260101120000123",
            st="80",
            cn="2011",
            pw="123456",
            mn=mn,
            flag=5,
            cp=CP({"DataTime": "20260101120000"}, {"ea30010107": {"Rtd": "88123.4"}, "ele01": {"Rtd": "1"}}),
        ),
        Message(
            qn="20240101120000000",
            st="44",
            cn="3020",
            pw="123456",
            mn=mn,
            flag=4,
            cp=CP({"DataTime": "20240101120000"}, {"i11001": {"Info": "//设备运行;正常,电表通讯恢复//"}}),
        ),
    ]
    return [encode(m) for m in messages]


def corpus() -> list[bytes]:
    """Real packets: the golden frames (as on the wire, CR LF added) and packets built like terminals' ones."""
    golden = [p.read_bytes().strip() + b"\r\n" for p in sorted(GOLDEN.glob("*.txt"))]
    text = "QN=20240101120000000;ST=44;CN=3020;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&Info=//中文//&&"
    data = text.encode()
    char_count = b"##%04d%s%s\r\n" % (len(text), data, crc16_hex(data).encode())  # C#-style length in characters
    lower_crc = build_frame(data)[:-6] + build_frame(data)[-6:-2].lower() + b"\r\n"
    return golden + _packets_built_like_terminals() + [char_count, lower_crc]


# -- mutations ---------------------------------------------------------------------------------------------------
def _frame_any(segment: bytes, *, length: int | None = None) -> bytes:
    """Frame a segment with a valid CRC, whatever its size (build_frame refuses > 1024 bytes; a sender need not)."""
    declared = len(segment) if length is None else length
    return b"##%04d%s%s\r\n" % (declared % 10000, segment, crc16_hex(segment).encode())


def _segment(packet: bytes) -> bytes:
    return packet[6:-6] if packet.startswith(b"##") and len(packet) >= 12 else packet


class Mutator:
    """Seeded generator of bad packets.  ``next()`` → (mutation name, bytes)."""

    def __init__(self, seed: int, seeds: list[bytes] | None = None) -> None:
        self.rng = random.Random(seed)
        self.seeds = seeds or corpus()
        self.segments = [_segment(p) for p in self.seeds]
        ops: list[tuple[str, Callable[[], bytes], int]] = [
            ("bit_flip", self.bit_flip, 14),
            ("byte_set", self.byte_set, 8),
            ("truncate", self.truncate, 8),
            ("splice", self.splice, 8),
            ("insert_token", self.insert_token, 10),
            ("delete_range", self.delete_range, 5),
            ("repeat_range", self.repeat_range, 4),
            ("wrong_length", self.wrong_length, 8),
            ("wrong_crc", self.wrong_crc, 6),
            ("valid_crc_garbage", self.valid_crc_garbage, 18),
            ("field_values", self.field_values, 12),
            ("huge_field", self.huge_field, 1),
            ("random_bytes", self.random_bytes, 4),
            ("stream", self.stream, 6),
        ]
        self.names = [name for name, _, _ in ops]
        self.funcs = [func for _, func, _ in ops]
        self.weights = [w for _, _, w in ops]

    def next(self) -> tuple[str, bytes]:
        if self.rng.random() < 1 / 20000:
            return "huge_stream", self.huge_stream()
        i = self.rng.choices(range(len(self.funcs)), self.weights)[0]
        return self.names[i], self.funcs[i]()

    # -- helpers
    def seed(self) -> bytearray:
        return bytearray(self.rng.choice(self.seeds))

    def at(self, data: bytes | bytearray) -> int:
        return self.rng.randrange(len(data) + 1)

    def token(self) -> bytes:
        return self.rng.choice(TOKENS) if self.rng.random() < 0.7 else self.rng.randbytes(self.rng.randint(1, 8))

    # -- mutations of a packet
    def bit_flip(self) -> bytes:
        data = self.seed()
        for _ in range(self.rng.randint(1, 4)):
            data[self.rng.randrange(len(data))] ^= 1 << self.rng.randrange(8)
        return bytes(data)

    def byte_set(self) -> bytes:
        data = self.seed()
        for _ in range(self.rng.randint(1, 3)):
            data[self.rng.randrange(len(data))] = self.rng.choice(b"#\r\n&;=,-/\x00\xff\xe8 0123456789ABCDEFabcdef")
        return bytes(data)

    def truncate(self) -> bytes:
        data = self.seed()
        cut = self.rng.randrange(len(data))
        return bytes(data[:cut] if self.rng.random() < 0.7 else data[cut:])

    def splice(self) -> bytes:
        a, b = self.seed(), self.seed()
        return bytes(a[: self.at(a)] + b[self.at(b) :])

    def insert_token(self) -> bytes:
        data = self.seed()
        for _ in range(self.rng.randint(1, 4)):
            at = self.at(data)
            data[at:at] = self.token()
        return bytes(data)

    def delete_range(self) -> bytes:
        data = self.seed()
        a = self.at(data)
        del data[a : a + self.rng.randint(1, 64)]
        return bytes(data)

    def repeat_range(self) -> bytes:
        data = self.seed()
        a = self.at(data)
        piece = data[a : a + self.rng.randint(1, 32)] or b"#"
        data[a:a] = piece * self.rng.randint(2, 200)
        return bytes(data)

    def wrong_length(self) -> bytes:
        data = self.seed()
        choice = self.rng.random()
        if choice < 0.6:
            digits = b"%04d" % self.rng.choice([0, 1, 9, 1024, 1025, 9999, self.rng.randrange(10000)])
        elif choice < 0.8:
            digits = b"%04d" % max(0, len(data) - 12 + self.rng.randint(-3, 3))
        else:
            digits = self.rng.randbytes(self.rng.randint(0, 6))
        return bytes(data[:2] + digits + data[6:])

    def wrong_crc(self) -> bytes:
        data = self.seed()
        crc = self.rng.choice(
            [b"%04X" % self.rng.randrange(65536), b"%04x" % self.rng.randrange(65536), b"ZZZZ", b"", b"1C8", b"1C800"]
        )
        tail = self.rng.choice([b"\r\n", b"\n", b"\r", b"", b"\n\r"])
        return bytes(data[:-6] + crc + tail)

    def valid_crc_garbage(self) -> bytes:
        """A mutated data segment framed again with a correct CRC: the frame passes, the message parser works."""
        seg = bytearray(self.rng.choice(self.segments))
        for _ in range(self.rng.randint(1, 6)):
            op = self.rng.random()
            at = self.at(seg)
            if op < 0.3 and seg:
                seg[min(at, len(seg) - 1)] ^= 1 << self.rng.randrange(8)
            elif op < 0.65:
                seg[at:at] = self.token()
            elif op < 0.85:
                del seg[at : at + self.rng.randint(1, 16)]
            else:
                other = self.rng.choice(self.segments)
                seg = seg[:at] + other[self.at(other) :]
        length = None if self.rng.random() < 0.9 else len(seg.decode("utf-8", errors="replace"))
        return _frame_any(bytes(seg), length=length)

    def field_values(self) -> bytes:
        """Real field names with unusable values (numbers out of range, impossible dates, duplicates, empties)."""
        text = self.rng.choice(self.segments).decode("utf-8", errors="replace")
        parts = text.split(";")
        for _ in range(self.rng.randint(1, 3)):
            i = self.rng.randrange(len(parts))
            key, eq, value = parts[i].partition("=")
            kind = self.rng.random()
            if kind < 0.4:
                value = self.rng.choice(INTERESTING_NUMBERS)
            elif kind < 0.6:
                value = self.rng.choice(["20261345250000", "00000000000000", "2026010112000", "202601011200001234"])
            elif kind < 0.75:
                parts.insert(i, parts[i])  # a duplicate field
            elif kind < 0.9:
                key = key.lower() if self.rng.random() < 0.5 else f" {key} "
            else:
                value = ""
            parts[i] = f"{key}{eq}{value}"
        return _frame_any(";".join(parts).encode())

    def huge_field(self) -> bytes:
        """A field of 2 KB - 256 KB: over the 1024-byte limit, framed with a correct CRC (length field wraps)."""
        text = self.rng.choice(self.segments)
        size = self.rng.choice([1025, 2048, 9999, 65536, 262144])
        filler = self.rng.choice([b"9", b"A;", b"a-Rtd=1,", "电".encode(), b"=//", b"&&"]) * (size // 2 + 1)
        at = self.at(text)
        segment = text[:at] + filler[:size] + text[at:]
        if self.rng.random() < 0.5:
            return _frame_any(segment)
        return segment  # the bare segment, for parse_message on text a sender never framed

    def random_bytes(self) -> bytes:
        size = self.rng.choice([0, 1, 2, 6, 12, 64, 512, 1036, 1100, 4096, 9000])
        data = self.rng.randbytes(size)
        return b"##" + data if self.rng.random() < 0.3 else data

    def stream(self) -> bytes:
        """Several packets back to back, good and mutated, with junk between them."""
        pieces: list[bytes] = []
        for _ in range(self.rng.randint(2, 6)):
            r = self.rng.random()
            if r < 0.4:
                pieces.append(bytes(self.seed()))
            elif r < 0.8:
                pieces.append(self.funcs[self.rng.randrange(len(self.funcs) - 2)]())  # not huge_field, not stream
            else:
                pieces.append(self.rng.randbytes(self.rng.randint(1, 40)))
        return b"".join(pieces)

    def huge_stream(self) -> bytes:
        """10 MB without a frame end: the oversized-packet attack (junk, or one endless packet)."""
        if self.rng.random() < 0.5:
            return b"##1024" + b"9" * HUGE
        return self.rng.randbytes(HUGE)


# -- the code under test, driven the way ingest drives it ----------------------------------------------------------
def use_message(msg: Message, report: FuzzReport, *, framed: bool = False) -> None:
    """What the ingest handler and the command center do with a parsed message (``framed``: off the decoder)."""
    if not (msg.cn and msg.mn):
        raise InvariantBroken(f"parse_message returned a message without CN/MN: {msg!r}")
    _ = (msg.version, msg.needs_reply, msg.is_split)
    stamp = msg.data_time
    if stamp is not None and not isinstance(stamp, datetime):
        raise InvariantBroken(f"data_time is {stamp!r}")
    _ = msg.qn_time
    try:
        encode(data_ack(msg))
    except Hj212Error as exc:
        report.ack_refused += 1
        report.raised[f"ack:{type(exc).__name__}"] += 1
        if framed:
            report.ack_refused_framed[f"{type(exc).__name__}: {exc}"[:60]] += 1
    try:
        encode(notify_ack(msg))
    except Hj212Error as exc:
        report.raised[f"ack:{type(exc).__name__}"] += 1
    for profile in PROFILES:
        map_factors(profile, msg.cp)
    if msg.cn in ("9011", "9012"):
        try:
            parse_reply(msg)
        except Hj212Error as exc:
            report.raised[type(exc).__name__] += 1
    try:
        segment = encode_message(msg)
    except Hj212Error as exc:
        report.raised[f"encode:{type(exc).__name__}"] += 1
        return
    again = parse_message(segment)
    if again != msg:
        raise InvariantBroken(f"encode_message accepted a message that reads back differently: {msg!r} → {again!r}")


def _parse_segment(segment: bytes | str, report: FuzzReport, *, framed: bool = False) -> None:
    try:
        msg = parse_message(segment)
    except Hj212Error as exc:
        report.raised[type(exc).__name__] += 1
        return
    report.messages += 1
    use_message(msg, report, framed=framed)


def _chunks(data: bytes, rng: random.Random, whole: bool) -> Iterator[bytes]:
    if whole:
        yield data
        return
    if len(data) > 65536:
        step = 65536  # a big stream arrives as TCP reads do
        for i in range(0, len(data), step):
            yield data[i : i + step]
        return
    mode = rng.random()
    if mode < 0.3:
        yield data
    elif mode < 0.4 and len(data) <= 2500:
        yield from (data[i : i + 1] for i in range(len(data)))  # a slow terminal: one byte per read
    else:
        cuts = sorted(rng.randrange(len(data) + 1) for _ in range(rng.randint(1, 8)))
        yield from (data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True))


def decode_stream(data: bytes, rng: random.Random, report: FuzzReport, *, whole: bool = False) -> list[bytes]:
    """Feed ``data`` to a FrameDecoder in random chunks (or ``whole``); check every event and the buffer bound."""
    decoder = FrameDecoder(max_buffer=rng.choice(MAX_BUFFERS))
    frames: list[bytes] = []

    def drain() -> None:
        for event in decoder.events():
            if isinstance(event, Frame):
                if not event.crc_ok:
                    raise InvariantBroken("FrameDecoder yielded a Frame whose CRC does not verify")
                report.frames += 1
                frames.append(event.raw)
                _parse_segment(event.segment, report, framed=True)
            elif isinstance(event, FrameError):
                report.raised[f"decoder:{type(event).__name__}"] += 1
            else:
                raise InvariantBroken(f"FrameDecoder yielded {event!r}")

    for chunk in _chunks(data, rng, whole):
        decoder.feed(chunk)
        drain()
        if decoder.buffered >= MAX_FRAME:
            raise InvariantBroken(f"FrameDecoder holds {decoder.buffered} bytes (more than one packet)")
    decoder.feed_eof()
    drain()
    if decoder.buffered:
        raise InvariantBroken(f"FrameDecoder holds {decoder.buffered} bytes after feed_eof()")
    return frames


def exercise(data: bytes, rng: random.Random, report: FuzzReport) -> None:
    """One input through every entry point.  Raises only for a failure (typed codec errors are counted)."""
    for verify in (True, False):
        try:
            frame = parse_frame(data, verify_crc=verify)
        except Hj212Error as exc:
            report.raised[type(exc).__name__] += 1
            continue
        if verify and not frame.crc_ok:
            raise InvariantBroken("parse_frame(verify_crc=True) returned a frame with a bad CRC")
        _parse_segment(frame.segment, report)
        break  # the same segment without the CRC check: nothing new to parse
    if len(data) <= 65536 and rng.random() < 0.3:
        _parse_segment(data, report)  # a segment given as it is (decode_cli and tools do that)
        if rng.random() < 0.2:
            _parse_segment(data.decode("utf-8", errors="replace"), report)
    frames = decode_stream(data, rng, report)
    if rng.random() < 0.25 and len(data) <= 65536:
        whole = decode_stream(data, rng, FuzzReport(), whole=True)
        if whole != frames:
            raise InvariantBroken(f"chunking changed the frames: {len(frames)} fed in chunks, {len(whole)} whole")


# -- the loop ------------------------------------------------------------------------------------------------------
def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    raise InputTimeout("input ran past its time bound")


def _rss_kib() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except OSError:  # not Linux: the peak so far is the best we have
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _fail(report: FuzzReport, kind: str, data: bytes, exc: BaseException) -> None:
    report.failure_count += 1
    if len(report.failures) < 50:
        report.failures.append(Failure(kind, f"{type(exc).__name__}: {exc}"[:600], data[:4096].hex()))


def run(
    inputs: int,
    *,
    seed: int = 212,
    max_input_seconds: float = 2.0,
    tracemalloc_sample: int = 2000,
) -> FuzzReport:
    """Generate and run ``inputs`` inputs from ``seed``; the first ``tracemalloc_sample`` ones under tracemalloc."""
    report = FuzzReport()
    mutator = Mutator(seed)
    rng = random.Random(seed ^ 0x212)
    use_alarm = hasattr(signal, "setitimer") and _is_main_thread()
    previous = signal.signal(signal.SIGALRM, _on_alarm) if use_alarm else None
    tracemalloc.start()
    start = time.perf_counter()
    try:
        for i in range(inputs):
            if i == tracemalloc_sample:
                report.tracemalloc_peak_bytes = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                report.rss_start_kib = report.rss_peak_kib = _rss_kib()
            kind, data = mutator.next()
            report.by_mutation[kind] += 1
            t0 = time.perf_counter()
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, max_input_seconds)
            try:
                exercise(data, rng, report)
            except InvariantBroken as exc:
                _fail(report, f"{kind}/invariant", data, exc)
            except InputTimeout as exc:
                _fail(report, f"{kind}/timeout", data, exc)
            except Exception as exc:  # the point of the exercise: anything that is not a typed codec error
                _fail(report, f"{kind}/untyped", data, exc)
            finally:
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            spent = time.perf_counter() - t0
            if spent > report.slowest_s:
                report.slowest_s, report.slowest_kind, report.slowest_hex = spent, kind, data[:200].hex()
            if i % 10000 == 9999:
                report.rss_peak_kib = max(report.rss_peak_kib, _rss_kib())
    finally:
        if tracemalloc.is_tracing():
            report.tracemalloc_peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        if use_alarm:
            signal.signal(signal.SIGALRM, previous)
    report.inputs = inputs
    report.seconds = time.perf_counter() - start
    report.rss_peak_kib = max(report.rss_peak_kib, _rss_kib())
    report.rss_start_kib = report.rss_start_kib or report.rss_peak_kib
    return report


def _is_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _run_share(args: tuple[int, int, float]) -> FuzzReport:
    inputs, seed, bound = args
    return run(inputs, seed=seed, max_input_seconds=bound)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=212)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (seeds seed+k)")
    parser.add_argument("--max-input-seconds", type=float, default=2.0)
    parser.add_argument("--max-rss-growth-mib", type=float, default=64.0)
    args = parser.parse_args(argv)
    jobs = max(1, min(args.jobs, args.inputs))
    shares = [
        (args.inputs // jobs + (k < args.inputs % jobs), args.seed + k, args.max_input_seconds) for k in range(jobs)
    ]
    started = time.perf_counter()
    if jobs == 1:
        report = _run_share(shares[0])
    else:
        report = FuzzReport()
        with ProcessPoolExecutor(jobs) as pool:
            for part in pool.map(_run_share, shares):
                report.merge(part)
    report.seconds = time.perf_counter() - started
    print(f"HJ 212 codec fuzz: seed {args.seed}, {jobs} process(es)")  # noqa: T201
    print(report.summary())  # noqa: T201
    growth = (report.rss_peak_kib - report.rss_start_kib) / 1024
    if growth > args.max_rss_growth_mib:
        print(f"FAIL: RSS grew {growth:.1f} MiB after warm-up (limit {args.max_rss_growth_mib})")  # noqa: T201
        return 1
    return 1 if report.failure_count else 0


if __name__ == "__main__":
    sys.exit(main())
