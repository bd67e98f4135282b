"""What happens to each packet. Synchronous: it decides, queues rows for the writer and returns at once.

Per good frame (CRC verified):

* unparsable message → counted and logged, no answer (we cannot trust its QN/MN);
* unknown MN → kept in quarantine; answered (9014/9013) once that row is committed, so the terminal stops
  resending while the operator registers it;
* registered MN, wrong PW → refused: security event, nothing stored, no answer;
* upload (2xxx/3xxx with DataTime) → receipt + readings to the writer; 9014 after the commit if Flag asks;
* 9011/9012 → recorded against our command by QN; 1011/1061/1063 answers likewise;
* 1013 time-calibration request → 9013, then 1012; 9015 heartbeat (2025) → 9013.

Bad frames (CRC mismatch included, as the standard says to stop processing them) are counted per type, peer
and MN when it can be read, logged with the password scrubbed, and never answered.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from fbjd_core.ids import new_id
from fbjd_core.logging import scrub
from fbjd_core.time import from_cst, now
from hj212 import (
    CrcMismatch,
    Frame,
    FrameError,
    Hj212Error,
    Message,
    MessageError,
    data_ack,
    encode,
    notify_ack,
    parse_message,
)

from fbjd_ingest.commands.center import TerminalSupervisor
from fbjd_ingest.commands.dispatcher import CommandDispatcher, TerminalLink
from fbjd_ingest.config import Settings
from fbjd_ingest.devices.directory import DeviceDirectory, DeviceInfo
from fbjd_ingest.quarantine.store import QuarantineRow, Reason
from fbjd_ingest.readings.rows import cst_day, reading_rows, receipt_row
from fbjd_ingest.readings.writer import BatchWriter, Job
from fbjd_ingest.security.store import SecurityEventRow
from fbjd_ingest.tcp.session import Session
from fbjd_ingest.tcp.stats import IngestStats

__all__ = ["PacketHandler"]

log = logging.getLogger(__name__)

REPLY_CNS = frozenset({"9011", "9012"})
NOTIFY_CNS = frozenset({"1013", "9015"})
ANSWER_CNS = frozenset({"1011", "1061", "1063"})


def _is_upload(cn: str) -> bool:
    return len(cn) == 4 and cn[0] in "23"


class PacketHandler:
    def __init__(
        self,
        *,
        settings: Settings,
        directory: DeviceDirectory,
        writer: BatchWriter,
        dispatcher: CommandDispatcher,
        supervisor: TerminalSupervisor,
        stats: IngestStats,
    ) -> None:
        self.settings = settings
        self.directory = directory
        self.writer = writer
        self.dispatcher = dispatcher
        self.supervisor = supervisor
        self.stats = stats
        self._max_age = timedelta(days=settings.max_data_age_days)
        self._max_future = timedelta(seconds=settings.max_future_s)

    # -- frames -------------------------------------------------------------------------------------------------
    def on_frame(self, session: Session, frame: Frame) -> None:
        try:
            msg = parse_message(frame.segment)
        except MessageError as exc:
            self._bad(session, exc, mn=None)
            return
        cn = msg.cn or ""
        self.stats.packets[cn] += 1
        device = self.directory.get(msg.mn or "")
        if device is None:
            self._quarantine(session, msg, frame.raw, Reason.UNKNOWN_MN, None)
            return
        if msg.pw != device.password:
            self._refuse(session, device, msg)
            return
        link = self._link(session, device, msg)
        self.writer.touch(device.mn, peer=session.peer, version=msg.version.value)
        if _is_upload(cn):
            self._upload(session, link, device, msg, frame.raw)
        elif cn in REPLY_CNS:
            self.dispatcher.on_reply(msg)
        elif cn in NOTIFY_CNS:
            self._notify(session, link, msg)
        elif cn in ANSWER_CNS and self.dispatcher.on_answer(msg):
            pass
        else:
            self.stats.unhandled[cn] += 1
            self._note(
                session,
                "unhandled",
                device.mn,
                "packet with a CN the center does not handle; ignored",
                cn=cn,
                qn=msg.qn,
            )

    def on_frame_error(self, session: Session, error: FrameError) -> None:
        mn: str | None = None
        if isinstance(error, CrcMismatch) and error.frame is not None:
            try:
                mn = parse_message(error.frame.segment).mn  # only to count it against its MN; never acted on
            except Hj212Error:
                mn = None
        self._bad(session, error, mn=mn)

    def on_disconnect(self, session: Session) -> None:
        self.dispatcher.channel_closed(session)

    # -- the cases ----------------------------------------------------------------------------------------------
    def _link(self, session: Session, device: DeviceInfo, msg: Message) -> TerminalLink:
        link = session.links.get(device.mn)
        if link is None or link.pw != msg.pw or link.version != msg.version:
            first = link is None
            link = TerminalLink(device.mn, device.ps_id, msg.st or "", msg.pw or "", msg.version, session)
            session.links[device.mn] = link
            self.dispatcher.bind(link)
            if first:
                log.info(
                    "terminal connected", extra={"mn": device.mn, "peer": session.peer, "version": msg.version.value}
                )
                self.supervisor.first_contact(link, device)
        return link

    def _upload(self, session: Session, link: TerminalLink, device: DeviceInfo, msg: Message, raw: bytes) -> None:
        received_at = now()
        local = msg.data_time
        if local is None:
            self._quarantine(session, msg, raw, Reason.NO_DATA_TIME, device)
            return
        data_time = from_cst(local)
        if not received_at - self._max_age <= data_time <= received_at + self._max_future:
            self._quarantine(session, msg, raw, Reason.DATA_TIME_OUT_OF_RANGE, device, data_time)
            self.supervisor.after_upload(link, device, msg, data_time, received_at)
            return
        job = Job(
            owner=session,
            reply=encode(data_ack(msg)) if msg.needs_reply else None,
            receipt=receipt_row(device, msg, data_time, received_at, session.peer),
            readings=reading_rows(device, msg, data_time, received_at),
            day=cst_day(data_time),
            raw=raw,
        )
        self._submit(session, job)
        self.supervisor.after_upload(link, device, msg, data_time, received_at)

    def _notify(self, session: Session, link: TerminalLink, msg: Message) -> None:
        if msg.needs_reply or msg.flag is None:
            session.send(encode(notify_ack(msg)))
            self.stats.acks["9013"] += 1
        if msg.cn == "1013":
            self.supervisor.time_requested(link)

    def _quarantine(
        self,
        session: Session,
        msg: Message,
        raw: bytes,
        reason: str,
        device: DeviceInfo | None,
        data_time: datetime | None = None,
    ) -> None:
        mn, cn = msg.mn or "", msg.cn or ""
        if data_time is None and msg.data_time is not None:
            data_time = from_cst(msg.data_time)
        reply: bytes | None = None
        if msg.needs_reply and _is_upload(cn):
            reply = encode(data_ack(msg))
        elif cn in NOTIFY_CNS and (msg.needs_reply or msg.flag is None):
            reply = encode(notify_ack(msg))
        row = QuarantineRow(
            new_id(),
            mn,
            None if device is None else device.ps_id,
            reason,
            session.peer,
            now(),
            msg.st,
            cn,
            msg.qn,
            data_time,
            raw,
        )
        self.stats.quarantined[reason] += 1
        self._note(session, reason, mn, "packet kept in quarantine", cn=cn, qn=msg.qn)
        self._submit(session, Job(owner=session, reply=reply, quarantine=row))

    def _refuse(self, session: Session, device: DeviceInfo, msg: Message) -> None:
        self.stats.refused["wrong_password"] += 1
        event = SecurityEventRow(
            new_id(), now(), "wrong_password", device.ps_id, device.mn, session.peer, msg.cn, msg.qn, None
        )
        self._note(
            session,
            "wrong_password",
            device.mn,
            "packet refused: wrong access password (PW)",
            cn=msg.cn,
            qn=msg.qn,
            level=logging.WARNING,
        )
        self._submit(session, Job(owner=session, event=event))

    def _submit(self, session: Session, job: Job) -> None:
        self.writer.submit(job)
        session.job_started()
        if self.writer.overloaded:
            session.pause("writer")
            self.writer.hold(lambda: session.resume("writer"))

    # -- reporting ----------------------------------------------------------------------------------------------
    def _bad(self, session: Session, error: Hj212Error, *, mn: str | None) -> None:
        kind = type(error).__name__
        self.stats.bad_frame(kind, peer_ip=session.peer_ip, mn=mn)
        session.bad_frames += 1
        limit = self.settings.bad_frame_log_limit
        if session.bad_frames <= limit or session.bad_frames % 100 == 0:
            sample = scrub((error.data or b"")[:64].decode("utf-8", errors="replace"))
            log.warning(
                "bad frame",
                extra={
                    "peer": session.peer,
                    "mn": mn,
                    "kind": kind,
                    "error": scrub(str(error)),
                    "sample": sample,
                    "count_on_connection": session.bad_frames,
                },
            )

    def _note(
        self,
        session: Session,
        what: str,
        mn: str,
        event: str,
        *,
        level: int = logging.INFO,
        cn: str | None = None,
        qn: str | None = None,
    ) -> None:
        """Log the first occurrence per connection and MN; the counters carry the rest."""
        key = (what, mn)
        if key in session.noted or len(session.noted) > 1000:
            return
        session.noted.add(key)
        log.log(level, event, extra={"mn": mn, "peer": session.peer, "reason": what, "cn": cn, "qn": qn})
