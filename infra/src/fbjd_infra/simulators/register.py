"""Register simulated terminals with the platform through the gateway, as an operator would.

``POST {gateway}/api/auth/token`` (OAuth2 password flow, the demo ``admin`` account), then
``POST {gateway}/api/ingest/devices`` per terminal: 201 created, 409 already there (both fine).  The platform
may still be starting when the simulator starts (``fbjd run`` launches everything at once), so connection
errors and 5xx/404 answers are retried until the gateway answers; a refusal (401, 403, 422) is logged and
registration stops -- the simulator then keeps running, and ingest quarantines the unknown terminals' data.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx

from fbjd_infra.simulators.fleet import TerminalSpec

__all__ = [
    "RegistrationError",
    "device_payload",
    "fetch_registry_devices",
    "register_fleet",
    "register_payloads",
]

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({404, 408, 425, 429, 500, 502, 503, 504})


class RegistrationError(RuntimeError):
    """The gateway answered, and refused."""


def device_payload(spec: TerminalSpec) -> dict[str, object]:
    return {
        "mn": spec.mn,
        "password": spec.password,
        "ps_id": spec.ps_id,
        "name": spec.name,
        "profile": spec.profile,
        "min_interval_s": spec.interval_s,
        "rtd_interval_s": spec.rtd_interval_s,
    }


async def _until_answered(
    send: Callable[[], Awaitable[httpx.Response]], what: str, *, retry_s: float, max_retry_s: float
) -> httpx.Response:
    """Call ``send()`` until the gateway gives an answer that is not 'not ready yet'."""
    delay = retry_s
    attempts = 0
    while True:
        attempts += 1
        try:
            response = await send()
        except httpx.TransportError as exc:
            reason = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code not in RETRY_STATUSES:
                return response
            reason = f"HTTP {response.status_code}"
        if attempts == 1 or attempts % 10 == 0:
            log.info("gateway not ready, retrying", extra={"what": what, "reason": reason, "attempts": attempts})
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, max_retry_s)


async def _token(client: httpx.AsyncClient, username: str, password: str, retry_s: float, max_retry_s: float) -> str:
    response = await _until_answered(
        lambda: client.post(
            "/api/auth/token", data={"grant_type": "password", "username": username, "password": password}
        ),
        "token",
        retry_s=retry_s,
        max_retry_s=max_retry_s,
    )
    if response.status_code != 200:
        raise RegistrationError(f"token refused: HTTP {response.status_code} {response.text[:200]}")
    token: str = response.json()["access_token"]
    return token


async def register_payloads(
    gateway: str,
    payloads: Sequence[dict[str, Any]],
    *,
    username: str = "admin",
    password: str,
    retry_s: float = 1.0,
    max_retry_s: float = 10.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """POST each registration body to ingest; returns how many were created (409s not counted)."""
    async with httpx.AsyncClient(base_url=gateway.rstrip("/"), timeout=15.0, transport=transport) as client:
        headers = {"Authorization": f"Bearer {await _token(client, username, password, retry_s, max_retry_s)}"}
        created = 0
        for payload in payloads:

            async def post(payload: dict[str, Any] = payload) -> httpx.Response:
                return await client.post("/api/ingest/devices", json=payload, headers=headers)

            response = await _until_answered(
                post, f"device {payload.get('mn')}", retry_s=retry_s, max_retry_s=max_retry_s
            )
            if response.status_code == 201:
                created += 1
            elif response.status_code != 409:
                raise RegistrationError(
                    f"device {payload.get('mn')} refused: HTTP {response.status_code} {response.text[:300]}"
                )
        log.info("devices registered", extra={"registered": created, "existing": len(payloads) - created})
        return created


async def register_fleet(
    gateway: str,
    fleet: Sequence[TerminalSpec],
    *,
    username: str = "admin",
    password: str,
    retry_s: float = 1.0,
    max_retry_s: float = 10.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """Register every terminal; returns how many were created (409s not counted).  Raises RegistrationError."""
    return await register_payloads(
        gateway, [device_payload(spec) for spec in fleet], username=username, password=password,
        retry_s=retry_s, max_retry_s=max_retry_s, transport=transport,
    )  # fmt: skip


async def fetch_registry_devices(
    gateway: str,
    *,
    username: str = "admin",
    password: str,
    retry_s: float = 1.0,
    max_retry_s: float = 10.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[dict[str, Any]]:
    """The registry's devices (``GET /api/registry/devices``, as admin so passwords come along), waiting until
    the gateway answers and the list is not empty (the demo city may still be being seeded)."""
    async with httpx.AsyncClient(base_url=gateway.rstrip("/"), timeout=30.0, transport=transport) as client:
        headers = {"Authorization": f"Bearer {await _token(client, username, password, retry_s, max_retry_s)}"}
        delay, attempts = retry_s, 0
        while True:
            attempts += 1
            response = await _until_answered(
                lambda: client.get("/api/registry/devices", headers=headers),
                "registry devices",
                retry_s=retry_s,
                max_retry_s=max_retry_s,
            )
            if response.status_code != 200:
                raise RegistrationError(f"registry devices refused: HTTP {response.status_code} {response.text[:200]}")
            devices: list[dict[str, Any]] = response.json()
            if devices:
                log.info("registry devices", extra={"devices": len(devices)})
                return devices
            if attempts == 1 or attempts % 10 == 0:
                log.info("the registry has no devices yet; waiting for the demo city", extra={"attempts": attempts})
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, max_retry_s)
