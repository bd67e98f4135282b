"""The HJ 212 codec against bad input: the short form of `make fuzz` (30,000 generated inputs), plus hypothesis
driving the server's path over packets whose CRC is right and whose content is anything."""

from __future__ import annotations

import random

from hj212 import MAX_FRAME, FrameDecoder, Hj212Error, Oversize, parse_message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .hj212_fuzz import HUGE, FuzzReport, Mutator, _frame_any, corpus, decode_stream, run, use_message

SHORT_RUN = 30_000


def test_thirty_thousand_mutated_packets_raise_only_typed_codec_errors_in_bounded_time_and_memory() -> None:
    report = run(SHORT_RUN, seed=20261125, max_input_seconds=2.0)
    assert report.failure_count == 0, report.summary()
    assert report.inputs == SHORT_RUN
    assert report.slowest_s < 2.0, report.summary()
    assert report.frames > 1000 and report.messages > 5000, "the mutations still reach the message parser"
    assert not report.ack_refused_framed, "every message off the decoder can be answered"
    assert (report.rss_peak_kib - report.rss_start_kib) < 64 * 1024, report.summary()
    assert report.tracemalloc_peak_bytes < 48 * 1024 * 1024, report.summary()
    typed = {name.split(":")[-1] for name in report.raised}
    assert {"BadLength", "CrcMismatch", "BadTail", "BadHeader", "Oversize", "MissingField", "BadField"} <= typed


def test_every_mutation_kind_is_generated_from_the_golden_frames() -> None:
    mutator = Mutator(7)
    kinds = {mutator.next()[0] for _ in range(5000)}
    assert set(mutator.names) <= kinds
    assert len(corpus()) >= 10


def test_ten_megabytes_without_a_frame_end_keep_the_decoder_at_one_packet_and_are_reported_once() -> None:
    for stream in (b"##1024" + b"9" * HUGE, random.Random(1).randbytes(HUGE)):
        decoder = FrameDecoder(max_buffer=8192)
        oversize = 0
        for i in range(0, len(stream), 65536):
            decoder.feed(stream[i : i + 65536])
            oversize += sum(isinstance(e, Oversize) for e in decoder.events())
            assert decoder.buffered < MAX_FRAME
        assert oversize >= 1


def test_a_slow_terminal_feeding_one_byte_at_a_time_gets_the_same_frames_as_a_fast_one() -> None:
    stream = b"".join(corpus())
    report = FuzzReport()
    whole = decode_stream(stream, random.Random(0), report, whole=True)
    assert len(whole) == len(corpus())
    byte_by_byte: list[bytes] = []
    decoder = FrameDecoder()
    for i in range(len(stream)):
        decoder.feed(stream[i : i + 1])
        byte_by_byte.extend(e.raw for e in decoder.events() if not isinstance(e, Exception))
    assert byte_by_byte == whole


segments = st.binary(max_size=1024) | st.text(max_size=400).map(lambda s: s.encode()[:1024])
header_soup = st.lists(
    st.sampled_from(["QN=", "ST=", "CN=", "PW=", "MN=", "Flag=", "PNUM=", "PNO=", ";", ",", "CP=&&", "&&", "//", "-"])
    | st.text(max_size=6),
    max_size=40,
).map(lambda parts: "".join(parts).encode()[:1024])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(segments | header_soup)
def test_any_segment_with_a_correct_crc_is_parsed_answered_and_re_encoded_or_refused_with_a_typed_error(
    segment: bytes,
) -> None:
    report = FuzzReport()
    frames = decode_stream(_frame_any(segment), random.Random(len(segment)), report)
    assert len(frames) <= 1
    try:
        msg = parse_message(segment)
    except Hj212Error:
        return
    use_message(msg, report, framed=True)
    assert msg.cn and msg.mn
