"""What a terminal has to deliver: one period record (or ready messages), and how far its delivery got."""

from __future__ import annotations

from dataclasses import dataclass, field

from hj212.message import Message

from fbjd_infra.simulators.plant import PeriodRecord

__all__ = ["Outgoing"]


@dataclass
class Outgoing:
    """A period record is built into packets at its first send (QN, PW of that moment) and then kept, so a resend
    repeats the same QN; parts already answered (split packets) are not sent again."""

    cn: str
    record: PeriodRecord | None = None
    messages: list[Message] | None = None
    acked_parts: set[int] = field(default_factory=set)
    tries: int = 0
    keep: bool = True  # back to the backlog when undelivered (real-time data is not)
