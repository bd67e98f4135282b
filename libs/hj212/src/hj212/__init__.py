"""Sans-IO codec for HJ 212 (HJ/T 212-2005, HJ 212-2017, HJ 212-2025) packets.

No sockets, no asyncio, no logging: bytes in, values out.  Typical server loop::

    decoder = hj212.FrameDecoder()
    decoder.feed(chunk)
    for event in decoder.events():
        if isinstance(event, hj212.Frame):
            msg = hj212.parse_message(event.segment)
            if msg.needs_reply:
                writer.write(hj212.encode(hj212.data_ack(msg)))
        else:
            ...  # a FrameError: log and go on

Modules: :mod:`~hj212.crc`, :mod:`~hj212.frame`, :mod:`~hj212.message`, :mod:`~hj212.commands`,
:mod:`~hj212.versions`, :mod:`~hj212.factors`, :mod:`~hj212.errors`, :mod:`~hj212.decode_cli`.
"""

from hj212.commands import (
    ExeRtn,
    QnRtn,
    data_ack,
    execute_result,
    get_day_data,
    get_history,
    get_hour_data,
    get_min_interval,
    get_minute_data,
    get_rtd_interval,
    get_run_time_data,
    get_time,
    notify_ack,
    parse_reply,
    request_response,
    set_min_interval,
    set_password,
    set_rtd_interval,
    set_time,
    set_timeout_retries,
)
from hj212.crc import crc16, crc16_hex
from hj212.errors import (
    BadField,
    BadHeader,
    BadLength,
    BadTail,
    CrcMismatch,
    FrameError,
    Hj212Error,
    MessageError,
    MissingField,
    Oversize,
)
from hj212.factors import (
    BUILTIN_PROFILES,
    FactorProfile,
    FactorRule,
    MappedValue,
    Meaning,
    Quantity,
    get_profile,
    map_factors,
)
from hj212.frame import MAX_FRAME, MAX_SEGMENT, Frame, FrameDecoder, build_frame, parse_frame
from hj212.message import CP, Message, encode, encode_message, format_time, new_qn, parse_message, parse_time
from hj212.versions import FlagBit, Version, command_flag, reply_flag, reply_flag_for, version_from_flag

__all__ = [
    # crc
    "crc16",
    "crc16_hex",
    # frame
    "Frame",
    "FrameDecoder",
    "parse_frame",
    "build_frame",
    "MAX_SEGMENT",
    "MAX_FRAME",
    # message
    "CP",
    "Message",
    "parse_message",
    "encode_message",
    "encode",
    "parse_time",
    "format_time",
    "new_qn",
    # versions
    "Version",
    "FlagBit",
    "version_from_flag",
    "reply_flag",
    "reply_flag_for",
    "command_flag",
    # commands
    "QnRtn",
    "ExeRtn",
    "data_ack",
    "notify_ack",
    "request_response",
    "execute_result",
    "parse_reply",
    "set_timeout_retries",
    "get_time",
    "set_time",
    "get_rtd_interval",
    "set_rtd_interval",
    "get_min_interval",
    "set_min_interval",
    "set_password",
    "get_history",
    "get_day_data",
    "get_run_time_data",
    "get_minute_data",
    "get_hour_data",
    # factors
    "Quantity",
    "Meaning",
    "FactorRule",
    "FactorProfile",
    "MappedValue",
    "map_factors",
    "get_profile",
    "BUILTIN_PROFILES",
    # errors
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
