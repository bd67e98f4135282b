"""The HTTP client of the push target: one JSON object per request, `{"success": true}` back.

The reply is read the province's way (附件3 answers `{"success": true|false, "msg": "..."}`): only HTTP 2xx
with `success: true` is an acknowledgement. Anything else — no answer, a time-out, another status, a body that
is not that JSON, `success: false` — is a failure the pusher retries with back-off; a registry batch is never
skipped (the cursor would lie), so there is no dead letter here.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from fbjd_bridge.errors import ProvinceUnavailable

__all__ = ["RegistryPushClient", "read_ack"]

_REPLY_CHARS = 500


def read_ack(status: int, text: str) -> str:
    """The target's msg when it acknowledged; raises ProvinceUnavailable otherwise."""
    reply = text[:_REPLY_CHARS]
    try:
        body = json.loads(text)
    except ValueError:
        raise ProvinceUnavailable(f"登记同步接收方答复 HTTP {status}，内容不是 JSON", reply=reply) from None
    if not isinstance(body, dict) or not isinstance(body.get("success"), bool):
        raise ProvinceUnavailable(f"登记同步接收方答复 HTTP {status}，不是 {{success, msg}}", reply=reply)
    msg = str(body.get("msg") or "")
    if not body["success"] or not 200 <= status < 300:
        raise ProvinceUnavailable(f"登记同步接收方答复 HTTP {status} success={body['success']}：{msg}", reply=reply)
    return msg


class RegistryPushClient:
    def __init__(self, url: str, *, timeout_s: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url = url
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            transport=transport,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def push(self, body: dict[str, Any]) -> str:
        try:
            reply = await self._http.post(self.url, json=body)
        except httpx.TimeoutException as exc:
            raise ProvinceUnavailable(f"登记同步接收方超时未答复：{type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise ProvinceUnavailable(f"登记同步接收方不可达：{exc!r}") from exc
        return read_ack(reply.status_code, reply.text)
