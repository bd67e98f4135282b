"""The HTTP client for the province's two push endpoints: one JSON array per request, one verdict back."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import httpx

from fbjd_bridge.errors import ProvinceUnavailable
from fbjd_bridge.province.payload import PATHS, Endpoint
from fbjd_bridge.province.replies import read_reply

__all__ = ["ProvinceClient"]

log = logging.getLogger(__name__)


class ProvinceClient:
    """`push` returns the province's msg when it accepted the array, or raises ProvinceRejected /
    ProvinceUnavailable (time-outs and refused connections included). Retries are the sender's business."""

    def __init__(self, base_url: str, *, timeout_s: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            transport=transport,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def push(self, endpoint: Endpoint, items: Sequence[dict[str, Any]]) -> str:
        path = PATHS[endpoint]
        try:
            reply = await self._http.post(path, json=list(items))
        except httpx.TimeoutException as exc:
            raise ProvinceUnavailable(f"省平台 {path} 超时未答复：{type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise ProvinceUnavailable(f"省平台 {path} 不可达：{exc!r}") from exc
        msg = read_reply(reply.status_code, reply.text)
        log.info("province accepted", extra={"endpoint": endpoint.value, "items": len(items), "reply_msg": msg})
        return msg
