"""Every difference between HJ/T 212-2005, HJ 212-2017 and HJ 212-2025 that this codec knows about.

The protocol version travels in the Flag byte ``V5 V4 V3 V2 V1 V0 D A`` (Std p.6, MSB first):

* A (bit 0): the command requires a response.  D (bit 1): the packet carries PNUM/PNO (split packet).
* V (bits 7..2): ``000000`` HJ/T 212-2005, ``000001`` HJ 212-2017, ``000010`` HJ 212-2025 (second-hand:
  caoyiliang/HJ212 ``Version {HJT212_2005=0, HJT212_2017=4, HJT212_2025=8}``).  Anything else is UNKNOWN.
* A missing Flag means a 2005-style packet (HJ/T 212-2005 terminals often send neither QN nor Flag).

Answers (9011/9012/9013/9014) keep the version bits and clear A and D: Flag=4 for 2017 (Appendix C), 8 for
2025 (caoyiliang/HJ212_Server builds ``Flag={0|version}``), 0 for 2005.  Choice for 2005 packets that carry
no Flag at all: the answer carries none either (:func:`reply_flag_for`), so a terminal that never sends Flag
gets a packet in its own dialect; one that sent ``Flag=0``/``Flag=1`` gets ``Flag=0``.

Commands from the center set A=1: Flag=5 for 2017 (Appendix C uses Flag=5 for requests), 9 for 2025, 1 for 2005.

Other version-specific facts kept here: CN 9015 (heartbeat, 2025, second-hand) is answered with 9013 like a
1013 notification.
"""

from __future__ import annotations

from enum import Enum, IntFlag

__all__ = [
    "Version",
    "FlagBit",
    "version_from_flag",
    "version_bits",
    "make_flag",
    "reply_flag",
    "reply_flag_for",
    "command_flag",
    "NOTIFICATION_CNS",
]


class Version(Enum):
    """Protocol version of a packet; the value is what ``fbjd hj212 decode`` prints."""

    HJT212_2005 = "2005"
    HJ212_2017 = "2017"
    HJ212_2025 = "2025"
    UNKNOWN = "unknown"


class FlagBit(IntFlag):
    """The two low bits of Flag; bits 7..2 are the version (see :func:`version_bits`)."""

    A = 1  # the receiver must answer
    D = 2  # split packet: PNUM/PNO present


_A = int(FlagBit.A)  # plain ints, so Flag values stay plain ints (IntFlag arithmetic would leak FlagBit objects)
_D = int(FlagBit.D)

_BITS_TO_VERSION = {0: Version.HJT212_2005, 1: Version.HJ212_2017, 2: Version.HJ212_2025}
_VERSION_TO_BITS = {v: b for b, v in _BITS_TO_VERSION.items()}

#: CN of notifications answered with 9013: 1013 time-calibration request (all versions), 9015 heartbeat (2025).
NOTIFICATION_CNS = frozenset({"1013", "9015"})


def version_from_flag(flag: int | None) -> Version:
    """Version from a Flag value; ``None`` (no Flag field) is 2005."""
    if flag is None:
        return Version.HJT212_2005
    return _BITS_TO_VERSION.get(flag >> 2, Version.UNKNOWN)


def version_bits(version: Version) -> int:
    """The 6-bit version number (0, 1, 2).  Raises ``ValueError`` for UNKNOWN: we cannot speak it."""
    try:
        return _VERSION_TO_BITS[version]
    except KeyError:
        raise ValueError(f"no Flag version bits for {version}") from None


def make_flag(version: Version, *, needs_reply: bool = False, split: bool = False) -> int:
    """Build a Flag value: version bits plus A (``needs_reply``) and D (``split``)."""
    flag = version_bits(version) << 2
    if needs_reply:
        flag |= _A
    if split:
        flag |= _D
    return flag


def reply_flag(version: Version) -> int:
    """Flag of the center's answers (9011..9014) to a packet of ``version``: 0, 4 or 8."""
    return make_flag(version)


def reply_flag_for(request_flag: int | None) -> int | None:
    """Flag for the answer to a packet whose Flag was ``request_flag``.

    Keeps the request's version bits (so an UNKNOWN future version is answered in kind) and clears A and D.
    ``None`` stays ``None``: a 2005 terminal that sent no Flag gets none back.
    """
    if request_flag is None:
        return None
    return request_flag & 0xFF & ~(_A | _D)


def command_flag(version: Version) -> int:
    """Flag for a command the center sends (A=1: the terminal must answer): 1, 5 or 9."""
    return make_flag(version, needs_reply=True)
