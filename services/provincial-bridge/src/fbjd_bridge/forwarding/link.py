"""The TCP connection to the upstream: packets out, its 9014 answers in (asyncio around the sans-IO codec).

A reader task decodes what the upstream sends with `hj212.FrameDecoder` and hands every 9014 to `on_ack(MN,
QN)`. Anything else from the upstream (a command, a bad frame) is logged and left unanswered: this link is a
data feed, the upstream's commands go to the terminals' own connections. `activity` is set on every answer and
when the connection ends, so the forwarder waits on one event for both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from hj212 import Frame, FrameDecoder, Hj212Error, parse_message

from fbjd_bridge.forwarding.errors import UpstreamUnavailable

__all__ = ["UpstreamLink"]

log = logging.getLogger(__name__)

_READ_SIZE = 65536


class UpstreamLink:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, address: str) -> None:
        self.address = address
        self._reader = reader
        self._writer = writer
        self.on_ack: Callable[[str, str], object] = lambda _mn, _qn: None  # told (MN, QN) of each 9014
        self.activity = asyncio.Event()
        self.error: str | None = None  # why the connection ended (None while it is open)
        self._task = asyncio.create_task(self._read(), name="bridge-upstream-reader")

    @classmethod
    async def open(cls, host: str, port: int, *, timeout_s: float, address: str) -> UpstreamLink:
        """Connect; UpstreamUnavailable when refused, unreachable or not answering within `timeout_s`."""
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=timeout_s)
        except TimeoutError:
            raise UpstreamUnavailable(f"连接上级平台 {address} 超时（{timeout_s:g} 秒）") from None
        except OSError as exc:
            raise UpstreamUnavailable(f"无法连接上级平台 {address}：{exc.strerror or exc}") from None
        return cls(reader, writer, address=address)

    @property
    def closed(self) -> bool:
        return self.error is not None

    async def send(self, frame: bytes, *, timeout_s: float) -> None:
        """Write one packet; UpstreamUnavailable when the link is down or the upstream stopped reading."""
        if self.error is not None:
            raise UpstreamUnavailable(self.error)
        self._writer.write(frame)
        try:
            await asyncio.wait_for(self._writer.drain(), timeout=timeout_s)
        except TimeoutError:
            self._end(f"上级平台 {timeout_s:g} 秒未接收数据")
            raise UpstreamUnavailable(self.error or "") from None
        except OSError as exc:
            self._end(f"发送到上级平台失败：{exc.strerror or exc}")
            raise UpstreamUnavailable(self.error or "") from None

    async def close(self) -> None:
        self._end(self.error or "closed by the bridge")
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()

    def _end(self, error: str) -> None:
        if self.error is None:
            self.error = error
        self.activity.set()

    async def _read(self) -> None:
        decoder = FrameDecoder()
        try:
            while chunk := await self._reader.read(_READ_SIZE):
                decoder.feed(chunk)
                for event in decoder.events():
                    if isinstance(event, Frame):
                        self._answer(event)
                    else:
                        log.warning(
                            "bad frame from the upstream", extra={"upstream": self.address, "error": str(event)}
                        )
            self._end("上级平台关闭了连接")
        except OSError as exc:
            self._end(f"与上级平台的连接中断：{exc.strerror or exc}")

    def _answer(self, frame: Frame) -> None:
        try:
            message = parse_message(frame.segment)
        except Hj212Error as exc:
            log.warning("unreadable packet from the upstream", extra={"upstream": self.address, "error": str(exc)})
            return
        if message.cn == "9014" and message.mn and message.qn:
            self.on_ack(message.mn, message.qn)
            self.activity.set()
        else:
            log.info(
                "packet from the upstream ignored",
                extra={"upstream": self.address, "cn": message.cn, "mn": message.mn, "qn": message.qn},
            )
