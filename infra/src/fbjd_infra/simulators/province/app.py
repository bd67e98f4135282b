"""The simulated provincial platform (省级平台): its two push endpoints, a page, and switches for tests.

    POST /pcom/ps/ex/join/abnormal   treatment abnormal records (JSON array)
    POST /pcom/ps/ex/join/limit      stop / limit / off-peak records (JSON array)
    GET  /                           what it holds (merged records) and the latest requests, as a table
    GET  /_received                  the same as JSON (records, accepted reports in arrival order, requests)
    POST /_switch                    {"mode": "ok"|"error500"|"timeout"|"fail"|"slow", "delay_s": 2.0}

Modes: `ok` validates strictly, merges and answers `{"success": true}`; `error500` answers HTTP 500 without
looking; `timeout` holds the request without answering (until `hang_s`, or until switched back, then 504);
`fail` answers `{"success": false, "msg": "系统繁忙…"}` (naming no field: the province's trouble, not the
records'); `slow` takes the records and then waits `delay_s` before answering (a client that gave up has
them delivered all the same: the reply is lost, not the records).

`python -m fbjd_infra.simulators.province --port 8107` runs it with uvicorn (`main(argv)`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from fbjd_infra.simulators.province.store import ProvinceStore, RequestLog
from fbjd_infra.simulators.province.validation import validate

__all__ = ["ProvinceState", "create_app", "main"]

log = logging.getLogger(__name__)

Mode = Literal["ok", "error500", "timeout", "fail", "slow"]
BUSY = "系统繁忙，请稍后再试"


class Switch(BaseModel):
    mode: Mode
    delay_s: float | None = Field(default=None, ge=0, le=600)


@dataclass
class ProvinceState:
    store: ProvinceStore
    mode: Mode = "ok"
    delay_s: float = 2.0
    hang_s: float = 30.0
    release: asyncio.Event = field(default_factory=asyncio.Event)  # set: hanging requests give up at once

    def switch(self, mode: Mode, delay_s: float | None) -> None:
        self.mode = mode
        if delay_s is not None:
            self.delay_s = delay_s
        if mode == "timeout":
            self.release.clear()
        else:
            self.release.set()

    def log(self, endpoint: str, items: int, success: bool, msg: str) -> None:
        self.store.requests.append(RequestLog(datetime.now(UTC), endpoint, items, success, msg))


async def _receive(state: ProvinceState, endpoint: str, request: Request) -> Response:
    mode = state.mode
    if mode == "error500":
        state.log(endpoint, 0, False, "HTTP 500")
        return PlainTextResponse("Internal Server Error", status_code=500)
    if mode == "timeout":
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.release.wait(), timeout=state.hang_s)
        state.log(endpoint, 0, False, "timeout")
        return PlainTextResponse("Gateway Timeout", status_code=504)
    if mode == "fail":
        state.log(endpoint, 0, False, BUSY)
        return JSONResponse({"success": False, "msg": BUSY})
    if not request.headers.get("content-type", "").startswith("application/json"):
        return _answer(state, endpoint, 0, False, "Content-Type 须为 application/json")
    try:
        body = json.loads(await request.body())
    except ValueError:
        return _answer(state, endpoint, 0, False, "请求体不是合法的 JSON")
    reports, problem = validate(endpoint, body)
    if problem is not None:
        return _answer(state, endpoint, len(body) if isinstance(body, list) else 0, False, problem.msg)
    state.store.accept(endpoint, reports)
    if mode == "slow":
        await asyncio.sleep(state.delay_s)
    return _answer(state, endpoint, len(reports), True, f"成功接收{len(reports)}条")


def _answer(state: ProvinceState, endpoint: str, items: int, success: bool, msg: str) -> JSONResponse:
    state.log(endpoint, items, success, msg)
    if not success:
        log.info("province refused", extra={"endpoint": endpoint, "reply_msg": msg})
    return JSONResponse({"success": success, "msg": msg})


def _cell(value: object) -> str:
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def _page(state: ProvinceState) -> str:
    columns = ("psId", "productorEquipId", "treatmentAmmeterId", "exDay", "exTimeStart", "exTimeEnd", "remark")
    head = "".join(f"<th>{c}</th>" for c in ("#", "接口", *columns, "报送次数"))
    rows = "".join(
        "<tr>"
        + _cell(held.number)
        + _cell(held.endpoint)
        + "".join(_cell(held.as_item().get(c)) for c in columns)
        + _cell(held.reports)
        + "</tr>"
        for held in state.store.records
    )
    requests = "".join(
        f"<tr>{_cell(r.at.isoformat(timespec='seconds'))}{_cell(r.endpoint)}{_cell(r.items)}"
        f"{_cell('是' if r.success else '否')}{_cell(r.msg)}</tr>"
        for r in state.store.requests[-50:][::-1]
    )
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>省级平台（模拟）</title></head><body>"
        f"<h1>省级平台（模拟）— 模式 {html.escape(state.mode)}</h1>"
        f"<h2>已接收异常记录（{len(state.store.records)} 条，按测点合并）</h2>"
        f"<table border='1'><tr>{head}</tr>{rows}</table>"
        "<h2>最近请求</h2><table border='1'><tr><th>时间</th><th>接口</th><th>条数</th><th>成功</th><th>msg</th></tr>"
        f"{requests}</table></body></html>"
    )


def create_app(*, merge_gap_minutes: float = 0.0, hang_s: float = 30.0) -> FastAPI:
    """A fresh province (its own memory): records merge when within `merge_gap_minutes` of each other."""
    state = ProvinceState(store=ProvinceStore(gap=timedelta(minutes=merge_gap_minutes)), hang_s=hang_s)
    state.release.set()
    app = FastAPI(title="省级平台（模拟）", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.province = state

    @app.post("/pcom/ps/ex/join/abnormal")
    async def abnormal(request: Request) -> Response:
        return await _receive(state, "abnormal", request)

    @app.post("/pcom/ps/ex/join/limit")
    async def limit(request: Request) -> Response:
        return await _receive(state, "limit", request)

    @app.post("/_switch")
    async def switch(body: Switch) -> dict[str, object]:
        state.switch(body.mode, body.delay_s)
        return {"mode": state.mode, "delay_s": state.delay_s}

    @app.get("/_received")
    async def received() -> dict[str, Any]:
        return {
            "mode": state.mode,
            "records": [
                {**held.as_item(), "_endpoint": held.endpoint, "_reports": held.reports} for held in state.store.records
            ],
            "arrivals": [
                {**item, "_endpoint": endpoint, "_received_at": at.isoformat()}
                for endpoint, item, at in state.store.arrivals
            ],
            "requests": [
                {"endpoint": r.endpoint, "items": r.items, "success": r.success, "msg": r.msg}
                for r in state.store.requests
            ],
        }

    @app.get("/", response_class=HTMLResponse)
    async def page() -> str:
        return _page(state)

    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulated province with uvicorn (blocking)."""
    import uvicorn

    parser = argparse.ArgumentParser(
        prog="python -m fbjd_infra.simulators.province", description="simulated provincial platform"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--merge-gap-minutes", type=float, default=0.0)
    args = parser.parse_args(argv)
    uvicorn.run(create_app(merge_gap_minutes=args.merge_gap_minutes), host=args.host, port=args.port, log_level="info")
    return 0
