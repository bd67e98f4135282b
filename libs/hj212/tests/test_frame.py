from pathlib import Path

import pytest
from hj212 import (
    MAX_FRAME,
    BadHeader,
    BadLength,
    BadTail,
    CrcMismatch,
    Frame,
    FrameDecoder,
    FrameError,
    Oversize,
    build_frame,
    crc16_hex,
    parse_frame,
)

DATA = Path(__file__).parent / "data"
GOLDEN = sorted(DATA.glob("*.txt"))

APPENDIX_A = (
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    b"CP=&&RtdInterval=30&&1C80\r\n"
)
SEGMENT_A = APPENDIX_A[6:-6]
INFO_TEXT = (
    "QN=20240101120000000;ST=44;CN=3020;PW=123456;MN=010000A8900016F000169DC0;Flag=4;"
    "CP=&&DataTime=20240101120000;i11001-Info=//设备运行正常，电表通讯恢复//&&"
)


def wire(path: Path) -> bytes:
    """A golden file holds one packet on one line; on the wire it ends with CR LF."""
    return path.read_bytes().strip() + b"\r\n"


def char_count_packet(text: str) -> bytes:
    """What a C#-style terminal sends: length = number of characters (UTF-16 units), CRC over UTF-8."""
    data = text.encode()
    return b"##%04d%s%s\r\n" % (len(text), data, crc16_hex(data).encode())


def decode_all(*chunks: bytes, eof: bool = True) -> list[Frame | FrameError]:
    decoder = FrameDecoder()
    events: list[Frame | FrameError] = []
    for chunk in chunks:
        decoder.feed(chunk)
        events.extend(decoder.events())
    if eof:
        decoder.feed_eof()
        events.extend(decoder.events())
    return events


def frames(events: list[Frame | FrameError]) -> list[bytes]:
    return [e.raw for e in events if isinstance(e, Frame)]


def errors(events: list[Frame | FrameError]) -> list[type]:
    return [type(e) for e in events if not isinstance(e, Frame)]


# -- parse_frame ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_public_sample_packets_of_hj212_md_section_8_verify(path: Path) -> None:
    frame = parse_frame(wire(path))
    assert frame.crc_ok
    assert int(wire(path)[2:6]) == len(frame.segment)


def test_appendix_a_packet_verifies() -> None:
    frame = parse_frame(APPENDIX_A)
    assert frame == Frame(SEGMENT_A, "1C80", True, APPENDIX_A)


def test_trailing_crlf_is_optional() -> None:
    assert parse_frame(APPENDIX_A[:-2]).segment == SEGMENT_A


def test_lower_case_crc_is_accepted_and_kept_as_sent() -> None:
    frame = parse_frame(wire(DATA / "guocay_lowercase_crc.txt"))
    assert frame.crc_received == "cc01"
    assert frame.crc_ok


def test_standards_typo_1c08_is_reported_as_crc_mismatch_with_both_values() -> None:
    bad = APPENDIX_A.replace(b"1C80", b"1C08")
    with pytest.raises(CrcMismatch) as info:
        parse_frame(bad)
    assert str(info.value) == "CRC mismatch: packet says 1C08, data segment computes to 1C80"
    assert info.value.frame is not None and info.value.frame.segment == SEGMENT_A
    assert "CrcMismatch('CRC mismatch" in repr(info.value)


def test_without_crc_verification_a_mismatch_gives_crc_ok_false() -> None:
    frame = parse_frame(APPENDIX_A.replace(b"1C80", b"1C08"), verify_crc=False)
    assert not frame.crc_ok
    assert frame.crc_received == "1C08"


def test_missing_header_is_bad_header() -> None:
    with pytest.raises(BadHeader):
        parse_frame(APPENDIX_A[1:])


@pytest.mark.parametrize("length", [b"01a1", b"101Q", b"+101", b" 101"])
def test_length_that_is_not_four_digits_is_bad_length(length: bytes) -> None:
    with pytest.raises(BadLength):
        parse_frame(b"##" + length + APPENDIX_A[6:])


def test_length_that_disagrees_with_the_segment_is_bad_length_and_says_both() -> None:
    with pytest.raises(BadLength) as info:
        parse_frame(b"##0100" + APPENDIX_A[6:])
    assert "0100" in str(info.value) and "101 bytes" in str(info.value)
    assert info.value.frame is not None


def test_missing_or_non_hex_crc_is_bad_tail() -> None:
    with pytest.raises(BadTail):
        parse_frame(APPENDIX_A.replace(b"1C80", b"1CX0"))
    with pytest.raises(BadTail):
        parse_frame(b"##0000")


def test_segment_over_1024_bytes_is_oversize() -> None:
    segment = b"CN=2011;MN=X;CP=&&" + b"a" * 1010 + b"&&"
    with pytest.raises(Oversize):
        parse_frame(b"##%04d%s%s" % (len(segment), segment, crc16_hex(segment).encode()))


def test_chinese_info_with_utf8_byte_count_length_verifies() -> None:
    raw = build_frame(INFO_TEXT)
    assert int(raw[2:6]) == len(INFO_TEXT.encode())
    assert parse_frame(raw).segment.decode() == INFO_TEXT


def test_chinese_info_with_character_count_length_is_accepted_when_crc_verifies() -> None:
    raw = char_count_packet(INFO_TEXT)
    assert int(raw[2:6]) == len(INFO_TEXT) < len(INFO_TEXT.encode())
    frame = parse_frame(raw)
    assert frame.crc_ok and frame.segment == INFO_TEXT.encode()


def test_character_count_length_with_a_wrong_crc_is_a_crc_mismatch() -> None:
    raw = char_count_packet(INFO_TEXT)
    bad = raw[:-6] + (b"0000" if raw[-6:-2] != b"0000" else b"0001") + b"\r\n"
    with pytest.raises(CrcMismatch):
        parse_frame(bad)


# -- build_frame ------------------------------------------------------------------------------------------------
def test_build_frame_reproduces_the_appendix_a_packet() -> None:
    assert build_frame(SEGMENT_A) == APPENDIX_A
    assert build_frame(SEGMENT_A.decode()) == APPENDIX_A


def test_build_frame_counts_utf8_bytes() -> None:
    assert build_frame("电")[:6] == b"##0003"


def test_build_frame_refuses_more_than_1024_bytes() -> None:
    build_frame(b"x" * 1024)
    with pytest.raises(Oversize, match="PNUM/PNO"):
        build_frame(b"x" * 1025)


# -- FrameDecoder -----------------------------------------------------------------------------------------------
GOOD = [wire(p) for p in GOLDEN] + [APPENDIX_A, build_frame(INFO_TEXT)]


def test_decoder_yields_one_packet() -> None:
    assert decode_all(APPENDIX_A) == [Frame(SEGMENT_A, "1C80", True, APPENDIX_A)]


def test_decoder_separates_packets_arriving_in_one_chunk() -> None:
    events = decode_all(b"".join(GOOD))
    assert frames(events) == GOOD and errors(events) == []


def test_decoder_reassembles_packets_fed_one_byte_at_a_time() -> None:
    stream = b"".join(GOOD)
    events = decode_all(*(stream[i : i + 1] for i in range(len(stream))))
    assert frames(events) == GOOD and errors(events) == []


def test_garbage_before_a_packet_is_reported_once_and_the_packet_still_comes_out() -> None:
    events = decode_all(b"AT+CSQ\r\nOK\r\n", APPENDIX_A)
    assert errors(events) == [BadHeader]
    assert isinstance(events[0], BadHeader) and events[0].offset == 0 and events[0].data == b"AT+CSQ\r\nOK\r\n"
    assert frames(events) == [APPENDIX_A]


def test_whitespace_between_packets_is_skipped_silently() -> None:
    events = decode_all(APPENDIX_A, b"\r\n  \r\n", APPENDIX_A)
    assert frames(events) == [APPENDIX_A, APPENDIX_A] and errors(events) == []


def test_bad_packets_interleaved_with_good_ones_never_cost_a_good_one() -> None:
    bad_crc = APPENDIX_A.replace(b"1C80", b"1C08")
    bad_digits = b"##01x1" + APPENDIX_A[6:]
    oversize = b"##9999" + APPENDIX_A[6:]
    truncated = APPENDIX_A[:60]
    no_tail = APPENDIX_A[:-2]  # CR LF lost
    stream = [GOOD[0], b"garbage", GOOD[1], bad_crc, GOOD[2], bad_digits, GOOD[3], oversize, GOOD[4]]
    stream += [truncated, GOOD[5], no_tail, GOOD[0]]
    joined = b"".join(stream)
    for chunks in ([joined], [joined[i : i + 7] for i in range(0, len(joined), 7)]):
        events = decode_all(*chunks)
        assert frames(events) == [GOOD[0], GOOD[1], GOOD[2], GOOD[3], GOOD[4], GOOD[5], GOOD[0]]
        assert len(errors(events)) >= 6
        assert all(issubclass(t, FrameError) for t in errors(events))


def test_crc_mismatch_event_carries_the_frame_for_logging() -> None:
    bad = APPENDIX_A.replace(b"1C80", b"1c08")
    (event,) = decode_all(bad)
    assert isinstance(event, CrcMismatch)
    assert event.frame == Frame(SEGMENT_A, "1c08", False, bad)
    assert event.offset == 0


def test_error_offsets_are_positions_in_the_stream() -> None:
    bad = APPENDIX_A.replace(b"1C80", b"1C08")
    events = decode_all(APPENDIX_A + bad + APPENDIX_A)
    assert [e.offset for e in events if isinstance(e, FrameError)] == [len(APPENDIX_A)]


def test_packet_cut_short_is_reported_as_soon_as_the_next_good_packet_is_complete() -> None:
    for cut in (APPENDIX_A[:50], b"##0500" + SEGMENT_A[:30]):
        decoder = FrameDecoder()
        decoder.feed(cut + APPENDIX_A)
        events = list(decoder.events())  # no EOF, no more data: it must not wait
        assert len(errors(events)) == 1 and frames(events) == [APPENDIX_A]
        assert decoder.buffered == 0


def test_complete_packet_shorter_than_its_length_field_is_reported_with_its_frame() -> None:
    lying = b"##0200" + APPENDIX_A[6:]
    decoder = FrameDecoder()
    decoder.feed(lying)
    (event,) = decoder.events()
    assert isinstance(event, BadLength) and event.frame is not None and event.frame.crc_ok
    assert decoder.buffered == 0


def test_stray_hash_before_a_packet_does_not_hide_it() -> None:
    assert frames(decode_all(b"#" + APPENDIX_A)) == [APPENDIX_A]
    assert frames(decode_all(b"#", b"#", APPENDIX_A[1:])) == [APPENDIX_A]


def test_connection_closed_inside_a_packet_is_reported_at_eof() -> None:
    events = decode_all(APPENDIX_A + APPENDIX_A[:40])
    assert frames(events) == [APPENDIX_A] and errors(events) == [BadTail]


def test_chinese_info_with_character_count_length_is_found_in_a_stream() -> None:
    packet = char_count_packet(INFO_TEXT)
    stream = APPENDIX_A + packet + APPENDIX_A
    for chunks in ([stream], [stream[i : i + 1] for i in range(len(stream))]):
        events = decode_all(*chunks)
        assert frames(events) == [APPENDIX_A, packet, APPENDIX_A] and errors(events) == []


def test_junk_without_header_is_discarded_and_reported_once_as_oversize() -> None:
    decoder = FrameDecoder(max_buffer=4096)
    events: list[Frame | FrameError] = []
    for _ in range(100):
        decoder.feed(b"x" * 1000)
        events.extend(decoder.events())
        assert decoder.buffered <= 1
    decoder.feed(APPENDIX_A)
    events.extend(decoder.events())
    assert errors(events) == [Oversize]
    assert frames(events) == [APPENDIX_A]


def test_buffer_never_holds_more_than_one_packet_between_feeds() -> None:
    decoder = FrameDecoder()
    for chunk in (b"##1000" + b"y" * 2000, b"##0101" + b"z" * 100, APPENDIX_A):
        decoder.feed(chunk)
        list(decoder.events())
        assert decoder.buffered < MAX_FRAME


def test_max_buffer_must_hold_a_whole_packet() -> None:
    with pytest.raises(ValueError):
        FrameDecoder(max_buffer=1000)


def test_feed_after_eof_is_a_programming_error() -> None:
    decoder = FrameDecoder()
    decoder.feed_eof()
    with pytest.raises(RuntimeError):
        decoder.feed(APPENDIX_A)
