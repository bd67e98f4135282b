"""An httpx client for calling another fbjd service: sane time-outs, identity propagated."""

from __future__ import annotations

import httpx

__all__ = ["service_client"]

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)


def service_client(base_url: str, *, token: str | None = None, request_id: str | None = None) -> httpx.AsyncClient:
    headers: dict[str, str] = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if request_id:
        headers["X-Request-ID"] = request_id
    return httpx.AsyncClient(base_url=base_url, headers=headers, timeout=DEFAULT_TIMEOUT)
