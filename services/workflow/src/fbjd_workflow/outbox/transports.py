"""How each outbox channel is delivered. A transport sends one message or raises DeliveryFailed."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Protocol

import httpx
from fbjd_core.auth import Principal, Role, issue_token

from fbjd_workflow.config import Settings
from fbjd_workflow.errors import DeliveryFailed
from fbjd_workflow.notifications.channels import LogChannel, Notice, NotificationChannel, WebhookChannel
from fbjd_workflow.outbox.models import OutboxMessage
from fbjd_workflow.outbox.service import Channel
from fbjd_workflow.signing import signed_headers

__all__ = ["BRIDGE_PATH", "BridgeTransport", "NoticeTransport", "SignedWebhookTransport", "Transport", "transports_for"]

BRIDGE_PATH = "/api/bridge/dispositions"


class Transport(Protocol):
    async def send(self, message: OutboxMessage) -> None: ...


def _check(reply: httpx.Response, receiver: str) -> None:
    if not reply.is_success:
        raise DeliveryFailed(f"{receiver} 答复 {reply.status_code}: {reply.text[:300]}")


class BridgeTransport:
    """To the provincial bridge, as the service role; the bridge dedupes on the Idempotency-Key (the alarm)."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        self._url = settings.bridge_url.rstrip("/") + BRIDGE_PATH
        self._secret = settings.jwt_secret.get_secret_value()
        self._client = client

    async def send(self, message: OutboxMessage) -> None:
        token = issue_token(
            Principal(subject="workflow", role=Role.SERVICE), secret=self._secret, ttl=timedelta(minutes=5)
        )
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": message.dedupe_key}
        try:
            reply = await self._client.post(self._url, json=message.payload, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"省平台桥接服务不可达：{exc!r}") from exc
        _check(reply, "省平台桥接服务")


class SignedWebhookTransport:
    """To the mobile enforcement system's webhook: HMAC-signed, the message id as delivery id."""

    def __init__(self, url: str, secret: str, client: httpx.AsyncClient) -> None:
        self._url, self._secret, self._client = url, secret, client

    async def send(self, message: OutboxMessage) -> None:
        body = json.dumps(message.payload, ensure_ascii=False).encode()
        event = str(message.payload.get("event", "message"))
        headers = signed_headers(self._secret, body=body, delivery_id=str(message.id), event=event)
        try:
            reply = await self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"移动执法系统不可达：{exc!r}") from exc
        _check(reply, "移动执法系统")


class NoticeTransport:
    def __init__(self, channel: NotificationChannel) -> None:
        self._channel = channel

    async def send(self, message: OutboxMessage) -> None:
        p = message.payload
        notice = Notice(
            id=str(message.id), kind=p["kind"], ps_id=message.ps_id, title=p["title"], text=p["text"], data=p["data"]
        )
        await self._channel.send(notice)


def transports_for(settings: Settings, client: httpx.AsyncClient) -> dict[str, Transport]:
    """The channels this process can deliver. Without a webhook URL (and secret) enforcement messages wait:
    the task API (pull mode) still serves every task, and nothing is dropped."""
    transports: dict[str, Transport] = {Channel.BRIDGE.value: BridgeTransport(settings, client)}
    if settings.enforcement_webhook_url and settings.enforcement_webhook_secret:
        transports[Channel.ENFORCEMENT.value] = SignedWebhookTransport(
            settings.enforcement_webhook_url, settings.enforcement_webhook_secret.get_secret_value(), client
        )
    channel: NotificationChannel = LogChannel()
    if settings.notification_webhook_url:
        secret = settings.notification_webhook_secret
        channel = WebhookChannel(
            settings.notification_webhook_url, client=client, secret=secret.get_secret_value() if secret else None
        )
    transports[Channel.NOTICE.value] = NoticeTransport(channel)
    return transports
