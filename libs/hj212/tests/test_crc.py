from hj212.crc import _TABLE, crc16, crc16_bitwise, crc16_bytewise, crc16_hex
from hypothesis import given, settings
from hypothesis import strategies as st

APPENDIX_A_SEGMENT = (
    b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
)


def test_check_value_123456789_is_2f80() -> None:
    assert crc16(b"123456789") == 0x2F80


def test_check_value_is_not_modbus_4b37() -> None:
    assert crc16(b"123456789") != 0x4B37


def test_empty_input_gives_start_value_ffff() -> None:
    assert crc16(b"") == 0xFFFF
    assert crc16_hex(b"") == "FFFF"


def test_appendix_a_segment_crc_is_1c80_not_the_texts_1c08() -> None:
    assert crc16_hex(APPENDIX_A_SEGMENT) == "1C80"
    assert len(APPENDIX_A_SEGMENT) == 101


def test_crc16_hex_is_four_upper_case_digits() -> None:
    assert crc16_hex(b"123456789") == "2F80"
    values = {crc16_hex(bytes([b])) for b in range(256)}
    assert all(len(v) == 4 and v == v.upper() for v in values)


def _rounds(v: int) -> int:
    """The 8 shift/XOR rounds of Appendix A, written out independently of the module under test."""
    for _ in range(8):
        lsb = v & 1
        v >>= 1
        if lsb:
            v ^= 0xA001
    return v


def test_table_entry_v_is_the_eight_rounds_applied_to_v() -> None:
    assert len(_TABLE) == 256
    assert all(_TABLE[v] == _rounds(v) for v in range(256))


def test_bitwise_reference_matches_the_python_of_hj212_md() -> None:
    def crc_hj212(data: bytes) -> int:
        crc = 0xFFFF
        for b in data:
            crc = _rounds((crc >> 8) ^ b)
        return crc

    for data in (b"", b"1", b"123456789", APPENDIX_A_SEGMENT, bytes(range(256))):
        assert crc16_bitwise(data) == crc_hj212(data)


def test_utf8_chinese_bytes_are_treated_as_unsigned() -> None:
    data = "i11001-Info=//设备运行正常//".encode()
    assert crc16(data) == crc16_bitwise(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=1500))
def test_table_driven_and_folded_crc_equal_the_bitwise_reference(data: bytes) -> None:
    expected = crc16_bitwise(data)
    assert crc16_bytewise(data) == expected
    assert crc16(data) == expected


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=300).flatmap(lambda n: st.binary(min_size=n, max_size=n)))
def test_folded_crc_is_right_at_every_length_around_the_fold_threshold(data: bytes) -> None:
    assert crc16(data) == crc16_bitwise(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=300))
def test_low_byte_is_always_one_of_eight_values(data: bytes) -> None:
    assert crc16(data) & 0xFF in {0x00, 0x01, 0x40, 0x41, 0x80, 0x81, 0xC0, 0xC1}
