"""Property tests: round trip, robustness against any bytes, chunking invariance."""

from hj212 import (
    CP,
    MAX_FRAME,
    Frame,
    FrameDecoder,
    FrameError,
    Hj212Error,
    Message,
    MessageError,
    build_frame,
    encode,
    encode_message,
    parse_frame,
    parse_message,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

APPENDIX_A = (
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    b"CP=&&RtdInterval=30&&1C80\r\n"
)
SAMPLES = [
    APPENDIX_A,
    build_frame(
        "QN=20191012133710130;ST=22;CN=2011;PW=123456;MN=Y80110010000010;Flag=4;CP=&&DataTime=20191012133710;"
        "a21005-Rtd=0.00,a21005-Flag=N;a21004-Rtd=0.00,a21004-Flag=N&&"
    ),
    build_frame("CN=3020;MN=010000A8900016F000169DC0;CP=&&i11001-Info=//设备;运行,正常//&&"),
]

# -- generated messages -----------------------------------------------------------------------------------------
CHINESE = "设备运行正常故障电流电压功率"
NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_."
VALUE_CHARS = NAME_CHARS + " +-:&=" + CHINESE
HEADER_VALUE_CHARS = NAME_CHARS + " +-:" + CHINESE


def _no_edge_space(s: str) -> bool:
    return s == s.strip()


names = st.text(NAME_CHARS, min_size=1, max_size=8)
codes = st.text(NAME_CHARS + "-", min_size=1, max_size=10).filter(lambda s: not s.startswith("-"))
plain_values = st.text(VALUE_CHARS, max_size=12).filter(_no_edge_space)
info_values = (
    st.text(VALUE_CHARS + ";,", max_size=20).filter(lambda s: _no_edge_space(f"//{s}//")).map(lambda s: f"//{s}//")
)
values = st.one_of(plain_values, info_values)
header_values = st.text(HEADER_VALUE_CHARS, max_size=12).filter(_no_edge_space)
required = st.text(HEADER_VALUE_CHARS, min_size=1, max_size=24).filter(lambda s: bool(s.strip()) and _no_edge_space(s))
extra_keys = names.filter(lambda k: k.upper() not in {"QN", "ST", "CN", "PW", "MN", "FLAG", "PNUM", "PNO", "CP"})

cps = st.builds(
    CP,
    params=st.dictionaries(names, values, max_size=4),
    factors=st.dictionaries(codes, st.dictionaries(names, values, min_size=1, max_size=3), max_size=5),
)
messages = st.builds(
    Message,
    qn=st.none() | st.from_regex(r"\A[0-9]{17}\Z") | header_values,
    st=st.none() | header_values,
    cn=required,
    pw=st.none() | header_values,
    mn=required,
    flag=st.none() | st.integers(0, 255),
    pnum=st.none() | st.integers(0, 9999),
    pno=st.none() | st.integers(0, 9999),
    cp=cps,
    extra=st.lists(st.tuples(extra_keys, header_values), max_size=2, unique_by=lambda kv: kv[0]).map(tuple),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_round_trip_build_encode_parse_is_identity(m: Message) -> None:
    segment = encode_message(m)
    assert parse_message(segment) == m
    assert parse_message(segment.decode()) == m
    if len(segment) <= 1024:
        frame = parse_frame(encode(m))
        assert frame.crc_ok and frame.segment == segment


# -- any bytes: a result or an Hj212Error, nothing else ---------------------------------------------------------
def _mutations() -> st.SearchStrategy[bytes]:
    sample = st.sampled_from(SAMPLES)

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(sample))
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
            at = draw(st.integers(0, max(len(data) - 1, 0)))
            if kind == "flip" and data:
                data[at] ^= 1 << draw(st.integers(0, 7))
            elif kind == "cut":
                data = data[:at]
            elif kind == "insert":
                data[at:at] = draw(
                    st.binary(min_size=1, max_size=8) | st.sampled_from([b"##", b"\r\n", b"&&", b";", b"="])
                )
            elif data:
                del data[at]
        return bytes(data)

    return mutate()


any_bytes = st.binary(max_size=1200) | _mutations()


@settings(max_examples=300, deadline=None)
@given(any_bytes, st.booleans())
def test_parse_frame_returns_a_frame_or_raises_only_frame_errors(data: bytes, verify: bool) -> None:
    try:
        frame = parse_frame(data, verify_crc=verify)
    except FrameError:
        return
    assert isinstance(frame, Frame)
    assert not verify or frame.crc_ok


@settings(max_examples=300, deadline=None)
@given(any_bytes | st.text(max_size=300))
def test_parse_message_returns_a_message_or_raises_only_message_errors(data: bytes | str) -> None:
    segment = data[6:-6] if isinstance(data, bytes) and data.startswith(b"##") else data
    try:
        m = parse_message(segment)
    except MessageError:
        return
    assert m.cn and m.mn


@settings(max_examples=200, deadline=None)
@given(st.lists(any_bytes, min_size=1, max_size=6), st.data())
def test_decoder_yields_only_frames_and_frame_errors_and_bounds_its_buffer(
    parts: list[bytes], data: st.DataObject
) -> None:
    stream = b"".join(parts)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    decoder = FrameDecoder()
    for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        decoder.feed(stream[a:b])
        for event in decoder.events():
            assert isinstance(event, Frame | FrameError)
            assert not isinstance(event, Frame) or event.crc_ok
        assert decoder.buffered < MAX_FRAME
    decoder.feed_eof()
    assert all(isinstance(e, Frame | FrameError) for e in decoder.events())
    assert decoder.buffered == 0


@settings(max_examples=200, deadline=None)
@given(any_bytes)
def test_everything_the_codec_raises_is_an_hj212_error(data: bytes) -> None:
    try:
        parse_message(parse_frame(data, verify_crc=False).segment)
    except Hj212Error:
        pass


# -- chunking does not change the frames ------------------------------------------------------------------------
# Junk without '#', CR or LF: it can neither start a packet nor complete a truncated one into a good packet.
junk = st.binary(max_size=40).map(lambda b: b.replace(b"#", b"").replace(b"\r", b"").replace(b"\n", b""))
bad_packets = st.builds(
    lambda raw, cut: raw[: min(cut, len(raw) - 1)], st.sampled_from(SAMPLES), st.integers(1, 200)
) | st.sampled_from([APPENDIX_A.replace(b"1C80", b"1C81"), b"##01x1" + APPENDIX_A[6:], b"##9999" + APPENDIX_A[6:]])
pieces = st.lists(
    st.sampled_from(SAMPLES).map(lambda b: (True, b))
    | junk.map(lambda b: (False, b))
    | bad_packets.map(lambda b: (False, b)),
    max_size=8,
)


def _frames(chunks: list[bytes]) -> list[bytes]:
    decoder = FrameDecoder()
    out: list[bytes] = []
    for chunk in chunks:
        decoder.feed(chunk)
        out.extend(e.raw for e in decoder.events() if isinstance(e, Frame))
    decoder.feed_eof()
    out.extend(e.raw for e in decoder.events() if isinstance(e, Frame))
    return out


@settings(max_examples=150, deadline=None)
@given(pieces, st.data())
def test_decoder_yields_the_same_frames_whatever_the_chunking(
    parts: list[tuple[bool, bytes]], data: st.DataObject
) -> None:
    stream = b"".join(raw for _, raw in parts)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    whole = _frames([stream])
    assert _frames(chunks) == whole
    assert _frames([stream[i : i + 1] for i in range(len(stream))]) == whole
    assert whole == [raw for is_good, raw in parts if is_good]  # and no good packet is lost to a bad one
