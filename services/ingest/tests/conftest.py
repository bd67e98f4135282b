"""The ingest service under test: the real app (HTTP + HJ 212 TCP) on free ports, real PostgreSQL, and test
terminals that speak HJ 212 over real sockets (built on the same codec, as the DTU simulator is).

The app is started once per session; tests stay independent by using their own MNs and enterprises.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI, Request
from fbjd_core.auth import Role
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import now, to_cst
from fbjd_ingest.app import create_app
from fbjd_ingest.config import Settings
from fbjd_ingest.devices.directory import DeviceInfo
from fbjd_testing.plugin import serve
from hj212 import (
    CP,
    ExeRtn,
    Frame,
    FrameDecoder,
    Message,
    QnRtn,
    encode,
    execute_result,
    format_time,
    parse_message,
    parse_time,
    request_response,
)
from pydantic import SecretStr

PW = "123456"


def new_mn() -> str:
    """A fresh standard MN: 24 upper-case hex characters."""
    return uuid.uuid4().hex[:24].upper()


def new_ps_id() -> str:
    return uuid.uuid4().hex


def stored_device(mn: str) -> DeviceInfo:
    """A registered terminal as the store sees it (for tests that call the store's functions directly)."""
    return DeviceInfo(
        mn=mn,
        password=PW,
        ps_id=new_ps_id(),
        county=None,
        profile="hj212-2025-electric",
        factor_map={},
        rtd_interval_s=60,
        min_interval_s=300,
        data_cn="2051",
    )


def cst(moment: datetime) -> datetime:
    """Aware UTC → naive CST wall clock, as terminals write DataTime."""
    return to_cst(moment).replace(tzinfo=None)


def minute_floor(moment: datetime, minutes: int = 5) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % minutes, second=0, microsecond=0)


Values = dict[str, dict[str, str]]
HistoryProvider = Callable[[str, datetime, datetime], Iterable[tuple[datetime, Values]]]


@dataclass
class Terminal:
    """A test data transmission terminal: sends uploads, collects the center's answers, answers its commands
    like a well-behaved DTU (9011 QnRtn=1, answer data, 9012 ExeRtn=1), optionally from a history store."""

    mn: str
    port: int
    pw: str = PW
    st: str = "32"
    history: HistoryProvider | None = None
    answer_commands: bool = True
    acks: dict[str, Message] = field(default_factory=dict)
    commands: list[Message] = field(default_factory=list)
    received: list[Message] = field(default_factory=list)
    _waiters: dict[str, asyncio.Future[Message]] = field(default_factory=dict)
    _qn_base: datetime = field(default_factory=lambda: cst(now()))
    _qn_count: int = 0
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None
    _task: asyncio.Task[None] | None = None

    async def connect(self) -> Terminal:
        self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        self._task = asyncio.create_task(self._read())
        return self

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def new_qn(self) -> str:
        self._qn_count += 1
        return format_time(self._qn_base + timedelta(milliseconds=self._qn_count), milliseconds=True)

    def upload(
        self,
        cn: str,
        data_time: datetime | None,
        values: Values,
        *,
        flag: int = 5,
        pw: str | None = None,
        qn: str | None = None,
        pnum: int | None = None,
        pno: int | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[str, bytes]:
        """(QN, packet bytes) of an upload; `data_time` is the CST wall clock."""
        qn = qn or self.new_qn()
        cp_params = dict(params or {})
        if data_time is not None:
            cp_params = {"DataTime": format_time(data_time), **cp_params}
        msg = Message(
            qn=qn,
            st=self.st,
            cn=cn,
            pw=self.pw if pw is None else pw,
            mn=self.mn,
            flag=flag,
            pnum=pnum,
            pno=pno,
            cp=CP(cp_params, values),
        )
        return qn, encode(msg)

    async def write(self, data: bytes) -> None:
        assert self._writer is not None
        self._writer.write(data)
        await self._writer.drain()

    async def send(self, cn: str, data_time: datetime | None, values: Values, **kwargs: Any) -> str:
        qn, data = self.upload(cn, data_time, values, **kwargs)
        await self.write(data)
        return qn

    async def ack(self, qn: str, timeout: float = 10.0) -> Message:
        """The center's 9013/9014 for our packet `qn`."""
        if qn in self.acks:
            return self.acks[qn]
        future = self._waiters.setdefault(qn, asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(future, timeout)

    async def no_ack(self, qn: str, wait: float = 0.5) -> bool:
        await asyncio.sleep(wait)
        return qn not in self.acks

    async def _read(self) -> None:
        assert self._reader is not None
        decoder = FrameDecoder()
        while chunk := await self._reader.read(65536):
            decoder.feed(chunk)
            for event in decoder.events():
                if isinstance(event, Frame):
                    await self._on_message(parse_message(event.segment))

    async def _on_message(self, msg: Message) -> None:
        self.received.append(msg)
        if msg.cn in ("9013", "9014"):
            self.acks[msg.qn or ""] = msg
            waiter = self._waiters.pop(msg.qn or "", None)
            if waiter is not None and not waiter.done():
                waiter.set_result(msg)
            return
        self.commands.append(msg)
        if self.answer_commands:
            await self._answer(msg)

    async def _answer(self, command: Message) -> None:
        await self.write(encode(request_response(command, QnRtn.READY)))
        cn = command.cn or ""
        answer: dict[str, str] | None = {
            "1011": {"SystemTime": format_time(cst(now()))},
            "1061": {"RtdInterval": "60"},
            "1063": {"MinInterval": "5"},
        }.get(cn)
        if answer is not None:
            reply = Message(qn=command.qn, st=self.st, cn=cn, pw=self.pw, mn=self.mn, flag=4, cp=CP(answer))
            await self.write(encode(reply))
        if cn in ("2031", "2051", "2061") and self.history is not None:
            begin = parse_time(command.cp.params["BeginTime"], field="BeginTime")
            end = parse_time(command.cp.params["EndTime"], field="EndTime")
            for data_time, values in self.history(cn, begin, end):
                await self.send(cn, data_time, values, flag=4)
        await self.write(encode(execute_result(command, ExeRtn.SUCCESS)))


@dataclass
class IngestUnderTest:
    app: Any
    base_url: str
    tcp_port: int
    database_url: str
    http: httpx.AsyncClient
    token: Callable[..., str]

    def auth(self, role: Role = Role.CITY, **scope: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, **scope)}"}

    async def register(
        self, mn: str | None = None, *, ps_id: str | None = None, pw: str = PW, **fields: Any
    ) -> dict[str, Any]:
        body = {
            "mn": mn or new_mn(),
            "password": pw,
            "ps_id": ps_id or new_ps_id(),
            "name": "1号窑生产线电表",
            **fields,
        }
        reply = await self.http.post("/api/ingest/devices", json=body, headers=self.auth())
        assert reply.status_code == 201, reply.text
        result: dict[str, Any] = reply.json()
        return result

    async def terminal(self, mn: str, **kwargs: Any) -> Terminal:
        return await Terminal(mn, self.tcp_port, **kwargs).connect()

    async def stats(self) -> dict[str, Any]:
        reply = await self.http.get("/api/ingest/stats", headers=self.auth())
        assert reply.status_code == 200, reply.text
        result: dict[str, Any] = reply.json()
        return result

    async def data(self, mn: str, **params: Any) -> dict[str, Any]:
        reply = await self.http.get(f"/api/ingest/devices/{mn}/data", params=params, headers=self.auth())
        assert reply.status_code == 200, reply.text
        result: dict[str, Any] = reply.json()
        return result

    async def sql(self, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(asyncpg_dsn(self.database_url))
        try:
            rows: list[asyncpg.Record] = await conn.fetch(query, *args)
            return rows
        finally:
            await conn.close()

    def settings(self) -> Settings:
        settings: Settings = self.app.state.settings
        return settings


def ingest_settings(database_url: str, jwt_secret: str, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url,
        jwt_secret=SecretStr(jwt_secret),
        hj212_host="127.0.0.1",
        hj212_port=0,
        command_timeout_s=5.0,
        **overrides,
    )


@dataclass
class RulesInbox:
    """A stand-in rules service over real HTTP: keeps every notification ingest sends it."""

    url: str
    windows: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
async def rules_inbox() -> AsyncIterator[RulesInbox]:
    inbox = RulesInbox(url="")
    fake = FastAPI()

    @fake.post("/api/rules/notifications/readings", status_code=202)
    async def notified(request: Request) -> dict[str, bool]:
        inbox.tokens.append(request.headers.get("authorization", ""))
        inbox.windows.extend((await request.json())["windows"])
        return {"accepted": True}

    async with serve(fake) as url:
        inbox.url = url
        yield inbox


@pytest.fixture(scope="session")
async def ingest(
    database_url: str, jwt_secret: str, make_token: Callable[..., str], rules_inbox: RulesInbox
) -> AsyncIterator[IngestUnderTest]:
    app = create_app(ingest_settings(database_url, jwt_secret, rules_url=rules_inbox.url))
    async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        port = app.state.runtime.server.port
        yield IngestUnderTest(app, url, port, database_url, client, make_token)
