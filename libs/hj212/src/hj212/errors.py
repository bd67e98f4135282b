"""Errors raised (or, by :class:`~hj212.frame.FrameDecoder`, yielded) by the HJ 212 codec.

The tree::

    Hj212Error                  anything this package reports; catch this one in servers
    ├── FrameError              the bytes on the wire are not a usable packet
    │   ├── BadHeader           no '##' where a packet should start (junk on the line)
    │   ├── BadLength           the 4-digit length is not digits, or does not match the data segment
    │   ├── CrcMismatch         framing is fine but the CRC does not match (``.frame`` holds the packet)
    │   ├── Oversize            data segment longer than 1024 bytes, or too much junk without a '##'
    │   └── BadTail             no 4-hex-digit CRC + CR LF where the packet should end
    └── MessageError            the data segment is not a usable HJ 212 message
        ├── MissingField        a required field (CN, MN, CP=&&...&&) is absent
        └── BadField            a field is present but its value is unusable

Messages are written for the engineer on site: they name the field, what the packet says and what was
expected.  ``data`` holds (at most 64 of) the offending bytes.  ``offset``: for
:func:`~hj212.frame.parse_frame`, where in the packet the offending part starts; for
:class:`~hj212.frame.FrameDecoder` events, the stream offset of the bad packet's ``##`` (or of the first
skipped byte), counting every byte fed since the connection opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hj212.frame import Frame

__all__ = [
    "Hj212Error",
    "FrameError",
    "BadHeader",
    "BadLength",
    "CrcMismatch",
    "Oversize",
    "BadTail",
    "MessageError",
    "MissingField",
    "BadField",
]

#: How many offending bytes an error keeps (enough to recognise the packet in a log line).
MAX_ERROR_DATA = 64


class Hj212Error(Exception):
    """Base class of every error of this package."""

    def __init__(self, message: str, *, data: bytes | None = None, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = None if data is None else bytes(data[:MAX_ERROR_DATA])
        self.offset = offset

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        if self.offset is not None:
            parts.append(f"offset={self.offset}")
        if self.data is not None:
            parts.append(f"data={self.data!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class FrameError(Hj212Error):
    """The bytes are not a well-formed packet (``##`` + length + segment + CRC + CR LF).

    ``frame`` is set when the packet could still be delimited (e.g. CRC mismatch, wrong length with a good CRC),
    so a server can log or count what it received.
    """

    def __init__(
        self,
        message: str,
        *,
        data: bytes | None = None,
        offset: int | None = None,
        frame: Frame | None = None,
    ) -> None:
        super().__init__(message, data=data, offset=offset)
        self.frame = frame


class BadHeader(FrameError):
    """Bytes that do not start with ``##`` where a packet was expected."""


class BadLength(FrameError):
    """The length field is not 4 decimal digits, or disagrees with the data segment."""


class CrcMismatch(FrameError):
    """The packet is framed correctly but its CRC is wrong; ``frame`` holds it (``frame.crc_ok`` is False)."""

    def __init__(
        self,
        message: str,
        *,
        received: str,
        computed: str,
        data: bytes | None = None,
        offset: int | None = None,
        frame: Frame | None = None,
    ) -> None:
        super().__init__(message, data=data, offset=offset, frame=frame)
        self.received = received
        self.computed = computed


class Oversize(FrameError):
    """More bytes than HJ 212 allows: a segment over 1024 bytes, or a long run of junk with no ``##``."""


class BadTail(FrameError):
    """No ``CCCC\\r\\n`` (4 hex digits + CR LF) where the packet should end: truncated or corrupted packet."""


class MessageError(Hj212Error):
    """The data segment is not a usable message.  ``field`` names the field concerned."""

    def __init__(self, message: str, *, field: str, data: bytes | None = None, offset: int | None = None) -> None:
        super().__init__(message, data=data, offset=offset)
        self.field = field


class MissingField(MessageError):
    """A required field is absent (CN, MN, or the ``CP=&&...&&`` block)."""


class BadField(MessageError):
    """A field's value cannot be used (e.g. ``Flag=5a``, ``PNUM=x``, a date that does not exist)."""

    def __init__(
        self,
        message: str,
        *,
        field: str,
        value: str | None = None,
        data: bytes | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message, field=field, data=data, offset=offset)
        self.value = value
