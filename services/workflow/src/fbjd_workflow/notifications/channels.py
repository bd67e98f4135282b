"""How an enterprise is told (通知渠道): one interface, so SMS or an app can be plugged in beside the webhook.

A notice is queued in the outbox with the change that causes it and handed to the channel by the outbox
sender, so a channel that is down delays a notice but never loses it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from fbjd_workflow.errors import DeliveryFailed
from fbjd_workflow.signing import signed_headers

__all__ = ["LogChannel", "Notice", "NotificationChannel", "WebhookChannel"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Notice:
    """One message to one enterprise: `kind` is alarm.new | alarm.time_left | alarm.escalated."""

    id: str
    kind: str
    ps_id: str
    title: str
    text: str
    data: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": "fbjd.notice/v1",
            "id": self.id,
            "kind": self.kind,
            "ps_id": self.ps_id,
            "title": self.title,
            "text": self.text,
            "data": self.data,
        }


class NotificationChannel(Protocol):
    async def send(self, notice: Notice) -> None:
        """Deliver or raise DeliveryFailed (the outbox retries with back-off)."""


class LogChannel:
    """No channel configured: the notice is written to the log (and shows on the enterprise's pages anyway)."""

    async def send(self, notice: Notice) -> None:
        log.info("enterprise notice", extra={"ps_id": notice.ps_id, "kind": notice.kind, "notice_text": notice.text})


class WebhookChannel:
    """POSTs the notice as JSON to a URL (an SMS gateway, the enterprise app's push server), signed if a
    secret is set (same headers as the enforcement webhook)."""

    def __init__(self, url: str, *, client: httpx.AsyncClient, secret: str | None = None) -> None:
        self._url, self._client, self._secret = url, client, secret

    async def send(self, notice: Notice) -> None:
        body = json.dumps(notice.as_json(), ensure_ascii=False).encode()
        headers = (
            signed_headers(self._secret, body=body, delivery_id=notice.id, event=notice.kind)
            if self._secret
            else {"Content-Type": "application/json"}
        )
        try:
            reply = await self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"通知渠道不可达：{exc!r}") from exc
        if not reply.is_success:
            raise DeliveryFailed(f"通知渠道答复 {reply.status_code}")
