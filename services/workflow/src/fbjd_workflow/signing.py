"""Signed webhooks: HMAC-SHA256 of the timestamp followed by the body, with a shared secret.

Sender headers:
    X-Fbjd-Timestamp  unix seconds when this attempt was sent (each retry is signed anew)
    X-Fbjd-Signature  "sha256=" + hex HMAC-SHA256(secret, timestamp_ascii + raw_body)
    X-Fbjd-Delivery   the message id, the same on every retry (a receiver dedupes on it)
    X-Fbjd-Event      e.g. task.created

A receiver calls `verify` on the raw body (bad signature or a timestamp outside the tolerance → refused,
which stops a captured request being replayed later) and, to refuse a replay inside the tolerance too,
remembers the signatures it has accepted (`ReplayGuard`): a replay repeats the signature exactly, while a
retry by the sender carries a new timestamp and so a new signature. Retries of one message share the
delivery id: a receiver that already has it answers 2xx again without processing it twice (answering an
error would make the sender retry for ever).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from fbjd_core.time import now

from fbjd_workflow.errors import SignatureRejected

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "ReplayGuard",
    "sign",
    "signed_headers",
    "verify",
]

TIMESTAMP_HEADER = "X-Fbjd-Timestamp"
SIGNATURE_HEADER = "X-Fbjd-Signature"
DELIVERY_HEADER = "X-Fbjd-Delivery"
EVENT_HEADER = "X-Fbjd-Event"
DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: str, *, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(
    secret: str, *, body: bytes, delivery_id: str, event: str, at: datetime | None = None
) -> dict[str, str]:
    timestamp = str(int((at or now()).timestamp()))
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp=timestamp, body=body),
        DELIVERY_HEADER: delivery_id,
        EVENT_HEADER: event,
    }


def verify(
    secret: str,
    *,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    at: datetime | None = None,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise SignatureRejected unless `signature` is ours for (timestamp, body) and the timestamp is fresh."""
    if not timestamp or not timestamp.isdigit():
        raise SignatureRejected(f"缺少或无法识别的 {TIMESTAMP_HEADER}")
    if not signature:
        raise SignatureRejected(f"缺少 {SIGNATURE_HEADER}")
    age = (at or now()).timestamp() - int(timestamp)
    if abs(age) > tolerance_seconds:
        raise SignatureRejected(f"时间戳与当前时间相差 {int(age)} 秒，超过 {tolerance_seconds} 秒：疑似重放，拒绝")
    if not hmac.compare_digest(sign(secret, timestamp=timestamp, body=body), signature):
        raise SignatureRejected("签名不正确：请求体或时间戳被改动，或共享密钥不一致")


class ReplayGuard:
    """Signatures accepted recently (kept twice the tolerance, after which `verify` refuses them anyway);
    the same signed request a second time is a replay and is refused."""

    def __init__(self, tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS) -> None:
        self._tolerance = tolerance_seconds
        self._seen: dict[str, float] = {}

    def check(self, signature: str, *, at: datetime | None = None) -> None:
        moment = (at or now()).timestamp()
        self._seen = {key: t for key, t in self._seen.items() if moment - t <= 2 * self._tolerance}
        if signature in self._seen:
            raise SignatureRejected("同一签名的请求已接收过：疑似重放，拒绝")
        self._seen[signature] = moment
