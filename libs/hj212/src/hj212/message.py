"""Data segment <-> :class:`Message` (Std §6.3.2-6.3.3).

A data segment is ``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&<data area>&&``.

Parsing is lenient where real terminals and the standard's own Appendix C deviate, and strict only where the
packet becomes useless:

* header pairs in any order, separated by ``;`` or ``,`` (C.22/C.48 typos), whitespace trimmed; QN and Flag
  optional (HJ/T 212-2005 style); ``Flag=5CP=&&`` (missing ``;``, C.19) works because the header ends at the
  first ``CP=&&``;
* the data area is the text between ``CP=&&`` and the **last** ``&&``; inside it groups are split at ``;`` and
  fields at ``,``; ``xxx-Info=//text//`` values may contain ``;`` and ``,``;
* a key with a ``-`` is ``<factor code>-<field>`` split at the last ``-``; every code and field is kept, values
  are the strings as sent (converting them is the caller's job);
* oddities that do not stop us (MN not 24 hex characters, QN not 17 digits, PNUM without the D bit, ...) are
  collected in ``Message.warnings`` instead of raising.

Raised: :class:`~hj212.errors.MissingField` (no CN, no MN, no ``CP=&&``) and :class:`~hj212.errors.BadField`
(Flag/PNUM/PNO not integers, CP not closed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hj212.errors import BadField, MissingField
from hj212.frame import build_frame
from hj212.versions import FlagBit, Version, version_from_flag

__all__ = [
    "CP",
    "Message",
    "parse_message",
    "encode_message",
    "encode",
    "parse_time",
    "format_time",
    "new_qn",
]

_HEADER_KEYS = ("QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO")
_HEADER_SET = frozenset(_HEADER_KEYS)
_HEADER_BY_UPPER = {k.upper(): k for k in _HEADER_KEYS}
_HEX_UPPER = "0123456789ABCDEF"
_ST_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_A = int(FlagBit.A)  # plain ints: IntFlag arithmetic is slow in the per-packet path
_D = int(FlagBit.D)
MAX_WARNINGS = 50  # per message: the first ones, then a count
_MAX_INT_DIGITS = 18  # Flag, PNUM and PNO longer than this are refused before int() is asked to read them


# -- time fields ------------------------------------------------------------------------------------------------
def parse_time(s: str, *, field: str = "DataTime") -> datetime:
    """``YYYYMMDDhhmmss`` (N14) or ``YYYYMMDDhhmmsszzz`` (17 digits, milliseconds) -> naive local datetime.

    Raises :class:`~hj212.errors.BadField` (naming ``field``) for anything else, including impossible dates.
    """
    if len(s) not in (14, 17) or not (s.isascii() and s.isdigit()):
        raise BadField(
            f"{field} {s!r} is not YYYYMMDDhhmmss (14 digits) or 17 digits with milliseconds", field=field, value=s
        )
    try:
        return datetime(
            int(s[0:4]),
            int(s[4:6]),
            int(s[6:8]),
            int(s[8:10]),
            int(s[10:12]),
            int(s[12:14]),
            int(s[14:17]) * 1000 if len(s) == 17 else 0,
        )
    except ValueError as exc:
        raise BadField(f"{field} {s!r} is not a real date/time: {exc}", field=field, value=s) from None


def format_time(dt: datetime, *, milliseconds: bool = False) -> str:
    """datetime -> ``YYYYMMDDhhmmss`` (or 17 digits with ``milliseconds=True``).  Time zone info is ignored:
    HJ 212 times are the terminal's local wall-clock time."""
    text = f"{dt.year:04d}{dt.month:02d}{dt.day:02d}{dt.hour:02d}{dt.minute:02d}{dt.second:02d}"
    if milliseconds:
        text += f"{dt.microsecond // 1000:03d}"
    return text


def new_qn(now: datetime) -> str:
    """A QN (request number) for a command sent at ``now``: ``YYYYMMDDhhmmsszzz``."""
    return format_time(now, milliseconds=True)


def _try_time(s: str | None) -> datetime | None:
    if s is None:
        return None
    try:
        return parse_time(s)
    except BadField:
        return None


# -- data classes -----------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CP:
    """The data area ``CP=&&…&&``.

    ``params``: keys without ``-`` (DataTime, BeginTime, RtdInterval, QnRtn, ExeRtn, SystemTime, PolId, ...).
    ``factors``: ``{code: {field: value}}`` from ``code-Field=value`` (``{"w01018": {"Rtd": "2.2", "Flag": "N"}}``,
    ``{"SB1": {"RS": "1"}}``).  Each keeps the order of the packet (how params and factors interleave is not
    kept: encoding writes params first); all values are strings exactly as sent.  The dicts are plain dicts for
    convenience: treat a parsed message's CP as read-only.
    """

    params: dict[str, str] = field(default_factory=dict)
    factors: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Message:
    """One HJ 212 message (a data segment).

    ``extra`` keeps unknown header pairs in order.  ``warnings`` lists what the parser tolerated; it is not part
    of equality (two messages with the same content are equal however they were obtained).
    """

    qn: str | None = None
    st: str | None = None
    cn: str | None = None
    pw: str | None = None
    mn: str | None = None
    flag: int | None = None
    pnum: int | None = None
    pno: int | None = None
    cp: CP = field(default_factory=CP)
    extra: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def version(self) -> Version:
        """Protocol version from the Flag bits (no Flag: HJ/T 212-2005)."""
        return version_from_flag(self.flag)

    @property
    def needs_reply(self) -> bool:
        """Flag bit A: the sender expects an answer (9014 for data, 9011/9012 for requests)."""
        return self.flag is not None and bool(self.flag & _A)

    @property
    def is_split(self) -> bool:
        """Flag bit D: one packet of a split message (PNUM/PNO present)."""
        return self.flag is not None and bool(self.flag & _D)

    @property
    def data_time(self) -> datetime | None:
        """CP ``DataTime`` as a naive local datetime (14 or 17 digits); None if absent or unreadable."""
        return _try_time(self.cp.params.get("DataTime"))

    @property
    def qn_time(self) -> datetime | None:
        """QN read as a timestamp (``YYYYMMDDhhmmsszzz``); None if absent or not a time."""
        return _try_time(self.qn)


# -- parsing ----------------------------------------------------------------------------------------------------
def _decode(segment: bytes | bytearray | str, warnings: list[str]) -> str:
    if isinstance(segment, str):
        return segment
    data = bytes(segment)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        warnings.append(f"data segment is not valid UTF-8 (byte {exc.start}); bad bytes shown as U+FFFD")
        return data.decode("utf-8", errors="replace")


def _has_space(text: str) -> bool:
    """Whether ``text`` contains any whitespace (then keys and values need ``strip()``; usually they don't)."""
    parts = text.split(None, 1)
    return len(parts) != 1 or len(parts[0]) != len(text)


def _parse_header(header: str, warnings: list[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    known: dict[str, str] = {}
    extra: list[tuple[str, str]] = []
    if "," in header:
        header = header.replace(",", ";")
    strip = _has_space(header)
    for key, eq, value in [item.partition("=") for item in header.split(";")]:
        if strip:
            key = key.strip()
            value = value.strip()
        if not eq:
            if key:
                warnings.append(f"header item {key!r} has no '='; ignored")
            continue
        if key not in _HEADER_SET:
            canonical = _HEADER_BY_UPPER.get(key.upper())
            if canonical is None:
                extra.append((key, value))
                continue
            warnings.append(f"header field {key!r} read as {canonical!r}")
            key = canonical
        if key in known:
            warnings.append(f"header field {key} appears twice; using the last value {value!r}")
        known[key] = value
    return known, extra


def _split_items(body: str) -> list[str]:
    """Split the data area into ``key=value`` items at ``;`` and ``,``, but not inside ``=//text//`` values."""
    if "=//" not in body:
        return body.replace(",", ";").split(";")
    items: list[str] = []
    start = i = 0
    n = len(body)
    while i < n:
        c = body[i]
        if c == ";" or c == ",":
            items.append(body[start:i])
            start = i + 1
        elif c == "=" and body.startswith("//", i + 1):
            close = body.find("//", i + 3)
            if close >= 0:
                i = close + 1
        i += 1
    items.append(body[start:])
    return items


def _parse_cp(body: str, warnings: list[str]) -> CP:
    params: dict[str, str] = {}
    factors: dict[str, dict[str, str]] = {}
    if not body:
        return CP(params, factors)
    strip = _has_space(body)
    for key, eq, value in [item.partition("=") for item in _split_items(body)]:
        if strip:
            key = key.strip()
            value = value.strip()
        if not eq:
            if key:
                warnings.append(f"CP item {key!r} has no '='; ignored")
            continue
        code, dash, name = key.rpartition("-")
        if dash:
            fields = factors.get(code)
            if fields is None:
                factors[code] = {name: value}
                continue
            if name in fields:
                warnings.append(f"CP field {key} appears twice; using the last value {value!r}")
            fields[name] = value
        else:
            if key in params:
                warnings.append(f"CP field {key} appears twice; using the last value {value!r}")
            params[key] = value
    return CP(params, factors)


def _int_field(name: str, value: str | None, maximum: int, warnings: list[str]) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()):
        raise BadField(f"{name} {value[:40]!r} is not a non-negative integer", field=name, value=value[:64])
    if len(value) > _MAX_INT_DIGITS:  # int() refuses > 4300 digits with ValueError; no count needs > 18
        raise BadField(f"{name} has {len(value)} digits: {value[:20]}…", field=name, value=value[:64])
    number = int(value)
    if number > maximum:
        if name == "Flag":
            raise BadField(f"Flag {value} is not a byte (0-255)", field=name, value=value)
        warnings.append(f"{name} {value} is larger than {maximum}")
    return number


def _is_digits(s: str, *lengths: int) -> bool:
    return len(s) in lengths and s.isascii() and s.isdigit()


def _check(known: dict[str, str], flag: int | None, pnum: int | None, pno: int | None, cp: CP) -> list[str]:
    """Warnings for values that are off-standard but do not stop processing (cheap: runs for every packet)."""
    warnings: list[str] = []
    mn = known["MN"]
    if len(mn) != 24 or mn.strip(_HEX_UPPER):  # strip() leaves something iff a character is not in the set
        warnings.append(f"MN {mn!r} is not 24 hex characters")
    qn = known.get("QN")
    if qn is not None and not _is_digits(qn, 17):
        warnings.append(f"QN {qn!r} is not 17 digits (YYYYMMDDhhmmsszzz)")
    st = known.get("ST")
    if st is not None and (len(st) != 2 or st.strip(_ST_CHARS)):
        warnings.append(f"ST {st!r} is not 2 characters 0-9/A-Z")
    if not _is_digits(known["CN"], 4):
        warnings.append(f"CN {known['CN']!r} is not 4 digits")
    has_pn = pnum is not None or pno is not None
    if flag is not None and bool(flag & _D) != has_pn:
        warnings.append("Flag D bit (split packet) and PNUM/PNO disagree")
    if pnum is not None and pno is not None and pno > pnum:
        warnings.append(f"PNO {pno} is larger than PNUM {pnum}")
    data_time = cp.params.get("DataTime")
    if data_time is not None and not _is_digits(data_time, 14, 17):
        warnings.append(f"DataTime {data_time!r} is not YYYYMMDDhhmmss[zzz]")
    return warnings


def parse_message(segment: bytes | bytearray | str) -> Message:
    """Parse a data segment (bytes as received, or text) into a :class:`Message`."""
    notes: list[str] = []
    text = _decode(segment, notes)
    start = text.find("CP=&&")
    if start < 0:
        raise MissingField(f"no 'CP=&&' in the data segment: {text[:60]!r}", field="CP")
    close = text.rfind("&&")
    if close < start + 5:
        raise BadField("the CP data area 'CP=&&…' is not closed with '&&'", field="CP", value=text[start : start + 40])
    if text[close + 2 :].strip():
        notes.append(f"text after the closing '&&' of CP ignored: {text[close + 2 : close + 22]!r}")
    known, extra = _parse_header(text[:start], notes)
    if not known.get("CN"):
        raise MissingField("the data segment has no CN (command code)", field="CN")
    if not known.get("MN"):
        raise MissingField("the data segment has no MN (device ID)", field="MN")
    flag = _int_field("Flag", known.get("Flag"), 255, notes)
    pnum = _int_field("PNUM", known.get("PNUM"), 9999, notes)
    pno = _int_field("PNO", known.get("PNO"), 9999, notes)
    cp = _parse_cp(text[start + 5 : close], notes)
    warnings = _check(known, flag, pnum, pno, cp)
    return Message(
        qn=known.get("QN"),
        st=known.get("ST"),
        cn=known["CN"],
        pw=known.get("PW"),
        mn=known["MN"],
        flag=flag,
        pnum=pnum,
        pno=pno,
        cp=cp,
        extra=tuple(extra),
        warnings=_capped(notes, warnings) if notes or warnings else (),
    )


def _capped(notes: list[str], warnings: list[str]) -> tuple[str, ...]:
    """At most MAX_WARNINGS warnings (a 256 KB segment of ``A;A;…`` would otherwise carry 100,000 of them)."""
    every = (*notes, *warnings)
    if len(every) <= MAX_WARNINGS:
        return every
    return (*every[: MAX_WARNINGS - 1], f"… and {len(every) - MAX_WARNINGS + 1} more warnings")


# -- encoding ---------------------------------------------------------------------------------------------------
def _bad(where: str, text: str, why: str) -> BadField:
    return BadField(f"cannot encode {where} {text!r}: {why}", field=where, value=text)


def _check_key(where: str, key: str, *, dash_ok: bool) -> None:
    if key != key.strip():
        raise _bad(where, key, "leading/trailing whitespace would be lost")
    if "=" in key or ";" in key or "," in key:
        raise _bad(where, key, "names cannot contain '=', ';' or ','")
    if not dash_ok and "-" in key:
        raise _bad(where, key, "this name cannot contain '-' (it would read back as <code>-<field>)")


def _check_value(where: str, value: str) -> None:
    if value != value.strip():
        raise _bad(where, value, "leading/trailing whitespace would be lost")
    if "//" in value:
        if len(value) >= 4 and value.startswith("//") and value.endswith("//") and "//" not in value[2:-2]:
            return  # //text// may hold ';' and ','
        raise _bad(where, value, "'//' is only allowed as the //…// wrapper of a whole text value")
    if ";" in value or "," in value:
        raise _bad(where, value, "values cannot contain ';' or ',' unless wrapped as //…//")


def _check_header_value(where: str, value: str) -> None:
    """Header values are split at ``;`` and ``,`` only (no ``//…//`` wrapping there), so ``//`` is harmless: a
    terminal's ``QN=2026//01`` must still get its 9014 answer echoing that QN."""
    if value != value.strip():
        raise _bad(where, value, "leading/trailing whitespace would be lost")
    if ";" in value or "," in value:
        raise _bad(where, value, "header values cannot contain ';' or ','")


def _encode_header(m: Message) -> list[str]:
    if not m.cn:
        raise MissingField("cannot encode a message without CN", field="CN")
    if not m.mn:
        raise MissingField("cannot encode a message without MN", field="MN")
    if m.flag is not None and not 0 <= m.flag <= 255:
        raise _bad("Flag", str(m.flag), "must be 0-255")
    parts: list[str] = []
    for name, value in (("QN", m.qn), ("ST", m.st), ("CN", m.cn), ("PW", m.pw), ("MN", m.mn)):
        if value is not None:
            _check_header_value(name, value)
            parts.append(f"{name}={value}")
    for name, number in (("Flag", m.flag), ("PNUM", m.pnum), ("PNO", m.pno)):
        if number is not None:
            if number < 0:
                raise _bad(name, str(number), "must not be negative")
            parts.append(f"{name}={number}")
    for key, value in m.extra:
        _check_key("header", key, dash_ok=True)
        if key.upper() in _HEADER_BY_UPPER:
            raise _bad("header", key, "standard fields go in their own attribute, not in extra")
        _check_header_value(key, value)
        parts.append(f"{key}={value}")
    return parts


def _encode_cp(cp: CP) -> str:
    items: list[str] = []
    for key, value in cp.params.items():
        _check_key("CP", key, dash_ok=False)
        _check_value(key, value)
        items.append(f"{key}={value}")
    for code, fields in cp.factors.items():
        _check_key("factor code", code, dash_ok=True)
        if not fields:
            raise _bad("factor code", code, "a factor needs at least one field")
        group: list[str] = []
        for name, value in fields.items():
            _check_key("factor field", name, dash_ok=False)
            _check_value(f"{code}-{name}", value)
            group.append(f"{code}-{name}={value}")
        items.append(",".join(group))
    return ";".join(items)


def encode_message(m: Message) -> bytes:
    """The data segment (UTF-8) in canonical order ``QN;ST;CN;PW;MN;Flag;PNUM;PNO;<extra>;CP=&&…&&``.

    Raises :class:`~hj212.errors.MissingField`/:class:`~hj212.errors.BadField` for messages that would not read
    back identically (a ``;`` inside a value, a param name with ``-``, ...).
    """
    header = "".join(f"{part};" for part in _encode_header(m))
    if "CP=&&" in header:
        raise _bad("header", header, "'CP=&&' inside a header value")
    return f"{header}CP=&&{_encode_cp(m.cp)}&&".encode()


def encode(m: Message) -> bytes:
    """The complete packet ``##LLLL…CCCC\\r\\n`` for ``m``."""
    return build_frame(encode_message(m))
