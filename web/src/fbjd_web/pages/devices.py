"""Devices (数采终端): terminals with online state and last seen (live), one terminal's commands (data interval,
time calibration) and their results, and the quarantine of packets from unknown MNs with adoption: registering
the MN for an enterprise stores its waiting packets as readings."""

from __future__ import annotations

import asyncio
import math
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fbjd_web.gateway import ApiRefused, Forbidden, api_get, api_get_reply, api_send
from fbjd_web.lookups import county_names, enterprise_index, is_staff
from fbjd_web.templating import render

__all__ = ["PAGE_SIZE", "router"]

router = APIRouter()
PAGE_SIZE = 50
#: An MN as HJ 212 terminals send it (24 hex characters; legacy terminals 1-24 letters or digits).
Mn = Annotated[str, Path(pattern=r"^[0-9A-Za-z]{1,24}$")]
MIN_INTERVALS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)
COMMAND_STATES = {
    "sent": "已发送",
    "accepted": "终端已接受",
    "rejected": "终端拒绝",
    "done": "执行成功",
    "failed": "执行失败",
    "timeout": "超时",
    "disconnected": "连接已断开",
}
COMMAND_NAMES = {
    "1000": "设置超时与重发次数",
    "1011": "读取现场时间",
    "1012": "校时",
    "1061": "读取实时数据间隔",
    "1062": "设置实时数据间隔",
    "1063": "读取分钟数据间隔",
    "1064": "设置分钟数据间隔",
    "2011": "取实时数据",
    "2031": "补传日数据",
    "2041": "补传运行时间",
    "2051": "补传分钟数据",
    "2061": "补传小时数据",
}
ORIGINS = {"setup": "接入设置", "clock_skew": "自动校时", "time_request": "终端请求校时", "gap_fill": "自动补传"}
QUARANTINE_REASONS = {
    "unknown_mn": "未登记的MN",
    "no_data_time": "缺少数据时间",
    "data_time_out_of_range": "数据时间超出范围",
    "store_failed": "入库失败",
    "bad_password": "密码错误",
}


@router.get("/devices", response_class=HTMLResponse)
async def devices(request: Request, page: Annotated[int, Query(ge=1)] = 1) -> Response:
    reply, index = await asyncio.gather(
        api_get_reply(request, "/api/ingest/devices", {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}),
        enterprise_index(request),
    )
    total = int(reply.headers.get("x-total-count") or 0)
    rows = reply.json()
    context = {
        "devices": rows,
        "names": {ps_id: e["name"] for ps_id, e in index.items()},
        "page": page,
        "pages": max(1, math.ceil(total / PAGE_SIZE)),
        "total": total,
        "online": sum(1 for d in rows if d["online"]),
        "staff": is_staff(request),
    }
    return render(request, "devices/page.html", context, fragment="devices/_table.html")


@router.get("/devices/quarantine", response_class=HTMLResponse)
async def quarantine(request: Request) -> Response:
    if not is_staff(request):
        raise Forbidden
    found, index, counties = await asyncio.gather(
        api_get(request, "/api/ingest/quarantine", {"limit": 200, "samples": 2}),
        enterprise_index(request),
        county_names(request),
    )
    enterprises = sorted(index.values(), key=lambda e: (e["county_code"], e["name"]))
    context = {
        "groups": found["items"],
        "total_packets": found["total_packets"],
        "enterprises": enterprises,
        "counties": counties,
        "reasons": QUARANTINE_REASONS,
    }
    return render(request, "devices/quarantine.html", context)


@router.post("/devices/quarantine/{mn}/adopt")
async def adopt(
    request: Request,
    mn: Mn,
    ps_id: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    """An unknown MN: register it for the chosen enterprise (ingest adopts its packets in the same call).
    A registered MN whose packets wait for another reason: adopt what can now be stored."""
    if ps_id:
        enterprise = await api_get(request, f"/api/registry/enterprises/{ps_id}")
        body = {
            "mn": mn,
            "password": password,
            "ps_id": ps_id,
            "name": name or f"{enterprise['name']}数采终端",
            "county": enterprise["county_code"],
        }
        registered = await api_send(request, "POST", "/api/ingest/devices", json=body)
        adopted = registered["adopted"]
    else:
        adopted = await api_send(request, "POST", f"/api/ingest/quarantine/{mn}/adopt")
    return RedirectResponse(
        f"/devices/{mn}?adopted={adopted['packets']}&readings={adopted['readings']}", status_code=303
    )


@router.get("/devices/{mn}", response_class=HTMLResponse)
async def device(request: Request, mn: Mn, adopted: int | None = None, readings: int | None = None) -> Response:
    found, commands, rates = await asyncio.gather(
        api_get(request, f"/api/ingest/devices/{mn}"),
        api_get(request, f"/api/ingest/devices/{mn}/commands", {"limit": 20}),
        api_get(request, f"/api/ingest/devices/{mn}/rates"),
    )
    enterprise = await api_get(request, f"/api/registry/enterprises/{found['ps_id']}")
    context = {
        "device": found,
        "enterprise": enterprise,
        "commands": commands["items"],
        "rates": rates,
        "states": COMMAND_STATES,
        "command_names": COMMAND_NAMES,
        "origins": ORIGINS,
        "intervals": MIN_INTERVALS,
        "staff": is_staff(request),
        "adopted": adopted,
        "readings": readings,
    }
    return render(request, "devices/device.html", context)


@router.post("/devices/{mn}/commands")
async def send_command(
    request: Request,
    mn: Mn,
    action: Annotated[str, Form()],
    minutes: Annotated[int | None, Form()] = None,
    seconds: Annotated[int | None, Form()] = None,
) -> Response:
    """Set the data interval (分钟数据间隔 / 实时数据间隔) or calibrate the terminal's clock; waits up to 5 s
    for the terminal's answer. A terminal that is not connected answers 409 with the reason."""
    if action not in ("calibrate_time", "set_min_interval", "set_rtd_interval"):
        raise ApiRefused(422, f"不支持的命令：{action}")
    body: dict[str, object] = {"action": action, "wait_s": 5}
    if action == "set_min_interval":
        body["minutes"] = minutes
    if action == "set_rtd_interval":
        body["seconds"] = seconds
    await api_send(request, "POST", f"/api/ingest/devices/{mn}/commands", json=body)
    return RedirectResponse(f"/devices/{mn}#commands", status_code=303)
