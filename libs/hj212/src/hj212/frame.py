"""Packet framing: ``##`` + 4-digit length + data segment + 4-hex CRC + CR LF (Std §6.3.1).

Two entry points:

* :func:`parse_frame` -- one complete packet you already hold (a line of a log file, a test fixture).
* :class:`FrameDecoder` -- a TCP byte stream, h11-style: ``feed()`` the bytes you read, then drain
  ``events()``.  Each event is a :class:`Frame` (CRC verified) or a :class:`~hj212.errors.FrameError` instance
  (yielded, not raised).  After an error the decoder resyncs to the next ``##`` after the bad packet's start
  and keeps going, so one bad packet never costs the good ones around it.

Length field: the standard counts "ASCII characters"; it never says whether a Chinese character counts 1 or 3.
We emit the UTF-8 byte count and accept a declared length equal to the *character* count too, when the CRC
(always over the UTF-8 bytes) verifies.  The data segment is limited to 1024 bytes, a packet to 1036.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from hj212.crc import crc16_hex
from hj212.errors import BadHeader, BadLength, BadTail, CrcMismatch, FrameError, Oversize

__all__ = ["Frame", "FrameDecoder", "parse_frame", "build_frame", "MAX_SEGMENT", "MAX_FRAME"]

#: Longest data segment, in bytes (Std Table 2).
MAX_SEGMENT = 1024
#: Longest packet: ``##`` + 4 + 1024 + 4 + CR LF.
MAX_FRAME = 2 + 4 + MAX_SEGMENT + 4 + 2

_HEAD = b"##"
_TAIL = b"\r\n"
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_SPACE = b" \t\r\n\x00"
_SAMPLE = 32  # bytes of skipped junk kept for the error message


@dataclass(frozen=True, slots=True)
class Frame:
    """One delimited packet.

    ``segment`` is the data segment as received (UTF-8 bytes), ``crc_received`` the CRC text as sent (case kept),
    ``crc_ok`` whether it matches, ``raw`` the whole packet as received.
    """

    segment: bytes
    crc_received: str
    crc_ok: bool
    raw: bytes


def _is_hex4(b: bytes | bytearray) -> bool:
    return len(b) == 4 and not b.translate(None, _HEX_DIGITS)


def _char_count(segment: bytes) -> int | None:
    try:
        return len(segment.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _crc_error(frame: Frame, computed: str, offset: int) -> CrcMismatch:
    return CrcMismatch(
        f"CRC mismatch: packet says {frame.crc_received}, data segment computes to {computed}",
        received=frame.crc_received,
        computed=computed,
        data=frame.raw,
        offset=offset,
        frame=frame,
    )


def _length_error(declared: int, segment: bytes, frame: Frame, offset: int) -> BadLength:
    chars = _char_count(segment)
    counted = f"{len(segment)} bytes" if chars in (None, len(segment)) else f"{len(segment)} bytes / {chars} characters"
    return BadLength(
        f"length field says {declared:04d} but the data segment has {counted}",
        data=frame.raw,
        offset=offset,
        frame=frame,
    )


def parse_frame(raw: bytes, *, verify_crc: bool = True) -> Frame:
    """Parse exactly one packet; the trailing CR LF is optional.

    Raises a :class:`~hj212.errors.FrameError`.  With ``verify_crc=False`` a wrong CRC gives a Frame with
    ``crc_ok=False`` instead of :class:`~hj212.errors.CrcMismatch` (for tools that show bad packets anyway).
    A declared length equal to the character count instead of the byte count is accepted (see module doc);
    when the CRC is wrong too, the CRC error is the one reported.
    """
    raw = bytes(raw)
    end = len(raw)
    if raw.endswith(_TAIL):
        end -= 2
    elif raw.endswith(b"\n"):
        end -= 1
    if not raw.startswith(_HEAD):
        raise BadHeader(f"packet does not start with '##': {raw[:16]!r}", data=raw, offset=0)
    digits = raw[2:6]
    if len(digits) < 4 or not digits.isdigit():
        raise BadLength(f"length field {digits!r} after '##' is not 4 decimal digits", data=raw, offset=2)
    if end - 6 < 4:
        raise BadTail("packet ends before its 4-digit CRC", data=raw, offset=end)
    crc_field = raw[end - 4 : end]
    if not _is_hex4(crc_field):
        raise BadTail(
            f"packet does not end with a 4-hex-digit CRC (+ CR LF): ends {raw[-8:]!r}", data=raw, offset=end - 4
        )
    segment = raw[6 : end - 4]
    if len(segment) > MAX_SEGMENT:
        raise Oversize(f"data segment is {len(segment)} bytes; HJ 212 allows {MAX_SEGMENT}", data=raw, offset=6)
    received = crc_field.decode("ascii")
    computed = crc16_hex(segment)
    frame = Frame(segment, received, computed == received.upper(), raw)
    declared = int(digits)
    if declared != len(segment) and declared != _char_count(segment):
        raise _length_error(declared, segment, frame, 2)
    if verify_crc and not frame.crc_ok:
        raise _crc_error(frame, computed, end - 4)
    return frame


def build_frame(segment: bytes | str) -> bytes:
    """Wrap a data segment: ``##`` + byte length + segment + upper-case CRC + CR LF.  Raises Oversize."""
    data = segment.encode("utf-8") if isinstance(segment, str) else bytes(segment)
    if len(data) > MAX_SEGMENT:
        raise Oversize(
            f"data segment is {len(data)} bytes; HJ 212 allows {MAX_SEGMENT}: split it with PNUM/PNO",
            data=data,
        )
    return b"##%04d%s%s\r\n" % (len(data), data, crc16_hex(data).encode("ascii"))


class FrameDecoder:
    """Incremental packet decoder for one TCP connection (sans-IO: you do the reading and writing).

    Usage::

        decoder = FrameDecoder()
        while chunk := await reader.read(4096):
            decoder.feed(chunk)
            for event in decoder.events():
                if isinstance(event, Frame): ...         # CRC verified
                else: ...                                # a FrameError: log it; CrcMismatch has .frame
        decoder.feed_eof()                               # reports a packet cut off by the disconnect
        for event in decoder.events(): ...

    ``feed()`` parses at once and queues the events; ``events()`` yields and removes the queued ones, and
    simply ends when it needs more data (there is no NEED_DATA sentinel to check).

    Recovery rules:

    * Bytes before a ``##`` are skipped and reported once per run as BadHeader (runs of pure whitespace,
      e.g. a stray CR LF, are skipped silently).
    * A run of junk longer than ``max_buffer`` without ``##`` is reported once as Oversize; junk is never kept,
      so memory stays bounded: at most one incomplete packet (<= 1036 bytes) is buffered between feeds.
    * Any bad packet (bad length digits, oversize, CRC mismatch, no CRC + CR LF) is reported and the decoder
      restarts its search one byte after the bad ``##``, so a good packet hidden behind it is still found.
      The bytes up to the next ``##`` count as part of the bad packet (not reported again).
    * A declared length equal to the character count (shorter than the UTF-8 byte count) is recognised by
      finding the CR LF within the 1036-byte limit and checking the CRC.
    * A packet cut short and followed by a complete good packet is reported (BadLength) as soon as the good one
      is in the buffer, without waiting for more data.
    """

    def __init__(self, *, max_buffer: int = 4096) -> None:
        if max_buffer < MAX_FRAME:
            raise ValueError(f"max_buffer must be at least {MAX_FRAME} (one full packet)")
        self.max_buffer = max_buffer
        self._buf = bytearray()
        self._pos = 0  # stream offset of _buf[0]
        self._events: deque[Frame | FrameError] = deque()
        self._eof = False
        self._reset_skip()

    # -- public -------------------------------------------------------------------------------------------
    @property
    def buffered(self) -> int:
        """Bytes held waiting for the rest of a packet."""
        return len(self._buf)

    def feed(self, data: bytes) -> None:
        """Add bytes read from the connection and parse what is complete."""
        if self._eof:
            raise RuntimeError("FrameDecoder.feed() called after feed_eof()")
        if data:
            self._buf += data
            self._process()

    def feed_eof(self) -> None:
        """The peer closed the connection: report a packet left incomplete and junk not yet reported."""
        if self._eof:
            return
        self._eof = True
        self._process()
        self._end_skip_run()

    def events(self) -> Iterator[Frame | FrameError]:
        """Yield (and forget) the frames and errors parsed so far, in stream order."""
        while self._events:
            yield self._events.popleft()

    # -- scanning -----------------------------------------------------------------------------------------
    def _process(self) -> None:
        buf = self._buf
        while buf:
            if not buf.startswith(_HEAD):
                i = buf.find(_HEAD)
                if i < 0:
                    keep = 1 if buf[-1] == 0x23 and not self._eof else 0  # a lone '#' may start the next '##'
                    self._skip(len(buf) - keep)
                    return
                self._skip(i)
            self._end_skip_run()
            if not self._try_frame():
                return

    def _try_frame(self) -> bool:
        """Handle the packet starting at buf[0] (which is ``##``).  False: wait for more data."""
        buf = self._buf
        size = len(buf)
        digits = bytes(buf[2:6])
        if digits and not digits.isdigit():
            return self._fail(BadLength(f"length field {digits!r} after '##' is not 4 decimal digits"))
        if len(digits) < 4:
            return self._need_data()
        n = int(digits)
        if n > MAX_SEGMENT:
            return self._fail(Oversize(f"length field says {n}; HJ 212 allows at most {MAX_SEGMENT}"))
        end = n + 12
        if size >= end and buf[end - 2 : end] == _TAIL:
            if _is_hex4(buf[end - 6 : end - 2]):
                return self._take(n + 6, end, n)
            return self._fail(BadTail(f"CRC field {bytes(buf[end - 6 : end - 2])!r} is not 4 hex digits"))
        if self._try_shorter(n) or self._try_char_count(n):
            return True
        if size >= MAX_FRAME:
            return self._fail(BadTail(f"no CRC + CR LF after the {n}-byte data segment the length field announces"))
        if self._cut_short(n):
            return True
        return self._need_data()

    def _try_char_count(self, n: int) -> bool:
        """The CR LF is not where the byte count puts it: look further, for a length counted in characters."""
        buf = self._buf
        p = buf.find(_TAIL, n + 11, min(len(buf), MAX_FRAME))
        if p < 0:
            return False
        if not _is_hex4(buf[p - 4 : p]):
            return self._fail(BadTail(f"no CRC + CR LF after the {n}-byte data segment the length field announces"))
        frame, computed = self._frame(p - 4, p + 2)
        if not frame.crc_ok:
            return self._fail(
                BadTail(
                    f"no CRC + CR LF after the {n}-byte data segment the length field announces "
                    f"(the next CR LF, {p - 10} bytes in, has CRC {frame.crc_received}, not {computed})"
                )
            )
        return self._take(p - 4, p + 2, n)

    def _try_shorter(self, n: int) -> bool:
        """A complete packet with a good CRC that ends before its length field says: report it at once."""
        buf = self._buf
        p = buf.find(_TAIL, 10, min(len(buf), n + 11))
        if p < 0 or not _is_hex4(buf[p - 4 : p]):
            return False
        frame, _ = self._frame(p - 4, p + 2)
        if not frame.crc_ok:
            return False
        return self._fail(_length_error(n, frame.segment, frame, self._pos))

    def _cut_short(self, n: int) -> bool:
        """Still incomplete, but a complete good packet follows inside the buffer: this one was cut short."""
        buf = self._buf
        q = buf.find(_HEAD, 2)
        while q >= 0:
            if self._complete_packet_at(q):
                return self._fail(
                    BadLength(f"packet cut short: only {q - 6} of the {n} announced bytes before the next packet")
                )
            q = buf.find(_HEAD, q + 1)
        return False

    def _complete_packet_at(self, q: int) -> bool:
        buf = self._buf
        digits = bytes(buf[q + 2 : q + 6])
        if len(digits) < 4 or not digits.isdigit():
            return False
        end = q + int(digits) + 12
        if end > len(buf) or buf[end - 2 : end] != _TAIL or not _is_hex4(buf[end - 6 : end - 2]):
            return False
        return crc16_hex(bytes(buf[q + 6 : end - 6])) == buf[end - 6 : end - 2].decode("ascii").upper()

    # -- results ------------------------------------------------------------------------------------------
    def _frame(self, seg_end: int, frame_end: int) -> tuple[Frame, str]:
        raw = bytes(self._buf[:frame_end])
        segment = raw[6:seg_end]
        received = raw[seg_end : seg_end + 4].decode("ascii")
        computed = crc16_hex(segment)
        return Frame(segment, received, computed == received.upper(), raw), computed

    def _take(self, seg_end: int, frame_end: int, declared: int) -> bool:
        frame, computed = self._frame(seg_end, frame_end)
        if not frame.crc_ok:
            return self._fail(_crc_error(frame, computed, self._pos))
        if declared != len(frame.segment) and declared != _char_count(frame.segment):
            return self._fail(_length_error(declared, frame.segment, frame, self._pos))
        if _HEAD in frame.segment and self._holds_packet(frame_end):
            # This CRC is weak (e.g. a prefix made of one 8-byte block repeated twice leaves it unchanged), so a
            # packet cut short can "verify" together with the packet after it.  Real segments hold no packet.
            return self._fail(BadLength("packet cut short: a complete packet follows inside its data segment"))
        self._events.append(frame)
        del self._buf[:frame_end]
        self._pos += frame_end
        return True

    def _holds_packet(self, limit: int) -> bool:
        q = self._buf.find(_HEAD, 2, limit)
        while q >= 0:
            if self._complete_packet_at(q):
                return True
            q = self._buf.find(_HEAD, q + 1, limit)
        return False

    def _fail(self, err: FrameError) -> bool:
        """Report the packet at buf[0] as bad and resync one byte later (its other bytes are skipped quietly).

        Even a bad packet whose extent is known (wrong length, good CRC) is not dropped whole: resyncing one byte
        on is what guarantees that a good packet hidden inside it is still found.
        """
        if err.offset is None:
            err.offset = self._pos
        if err.data is None:
            err.data = bytes(self._buf[:64])
        self._events.append(err)
        self._skip_quiet = True
        self._skip(1)
        return True

    def _need_data(self) -> bool:
        if not self._eof:
            return False
        return self._fail(BadTail(f"connection closed inside a packet: {len(self._buf)} bytes received after its '##'"))

    # -- skipped bytes ------------------------------------------------------------------------------------
    def _reset_skip(self) -> None:
        self._skip_count = 0
        self._skip_start = 0
        self._skip_sample = b""
        self._skip_text = False
        self._skip_quiet = False
        self._skip_reported = False

    def _skip(self, k: int) -> None:
        if k <= 0:
            return
        chunk = bytes(self._buf[:k])
        if not self._skip_count:
            self._skip_start = self._pos
        if len(self._skip_sample) < _SAMPLE:
            self._skip_sample += chunk[: _SAMPLE - len(self._skip_sample)]
        if not self._skip_text and chunk.strip(_SPACE):
            self._skip_text = True
        self._skip_count += k
        del self._buf[:k]
        self._pos += k
        if self._skip_count > self.max_buffer and not self._skip_reported:
            self._skip_reported = True
            self._events.append(
                Oversize(
                    f"{self._skip_count} bytes without a '##' packet header; discarding until the next '##'",
                    data=self._skip_sample,
                    offset=self._skip_start,
                )
            )

    def _end_skip_run(self) -> None:
        if self._skip_count and self._skip_text and not (self._skip_quiet or self._skip_reported):
            self._events.append(
                BadHeader(
                    f"skipped {self._skip_count} bytes that are not part of a packet: {self._skip_sample!r}",
                    data=self._skip_sample,
                    offset=self._skip_start,
                )
            )
        if self._skip_count or self._skip_quiet:
            self._reset_skip()
