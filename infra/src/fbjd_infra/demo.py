"""The demo city, put in place over the platform's own HTTP API (as an operator would, through the gateway):

1. the registry seeds Cangzhou, its counties and ~50 enterprises with facilities, points and links;
2. every demo terminal (one MN per enterprise) is registered with ingest, its factor codes mapped to the
   registry's points, so readings arrive already attributed to points.

Idempotent: a second run finds everything in place (409s are fine).
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

import httpx

__all__ = ["DEMO_ACCOUNTS", "DemoError", "device_registration", "seed_demo_accounts", "seed_demo_city"]

log = logging.getLogger(__name__)


class DemoError(RuntimeError):
    """The platform refused the demo set-up."""


def admin_token(client: httpx.Client, password: str, *, wait_s: float = 120.0) -> str:
    """Log in as the demo admin, waiting for the gateway while the platform starts."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            reply = client.post("/api/auth/token", data={"username": "admin", "password": password})
            if reply.status_code == 200:
                token: str = reply.json()["access_token"]
                return token
            if reply.status_code in (401, 423):
                raise DemoError(f"the demo admin cannot log in: {reply.text}")
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise DemoError("the gateway did not answer in time")
        time.sleep(0.5)


def device_registration(device: dict[str, Any]) -> dict[str, Any]:
    """The registry's view of a demo terminal → ingest's registration body (factor code → point, quantity)."""
    factor_map: dict[str, dict[str, str]] = {}
    for point in device["points"]:
        factor_map[point["factor_code"]] = {"point_id": point["point_id"], "quantity": "active_power_kw"}
        if point.get("energy_factor_code"):
            factor_map[point["energy_factor_code"]] = {"point_id": point["point_id"], "quantity": "energy_kwh"}
    return {
        "mn": device["mn"],
        "password": device["demo_password"],
        "ps_id": device["ps_id"],
        "name": device["enterprise_name"],
        "county": device.get("county_code"),
        "profile": device["factor_profile"],
        "factor_map": factor_map,
        "min_interval_s": 60,
        "rtd_interval_s": 60,
    }


def seed_demo_city(gateway_url: str, admin_password: str) -> list[dict[str, Any]]:
    """Seed the registry and register its demo terminals with ingest; returns the registry's device list."""
    with httpx.Client(base_url=gateway_url, timeout=60.0) as client:
        headers = {"Authorization": f"Bearer {admin_token(client, admin_password)}"}
        seeded = client.post("/api/registry/demo/seed", headers=headers)
        if seeded.status_code >= 400:
            raise DemoError(f"registry demo seed refused: {seeded.status_code} {seeded.text}")
        devices: list[dict[str, Any]] = client.get("/api/registry/devices", headers=headers).json()
        for device in devices:
            reply = client.post("/api/ingest/devices", json=device_registration(device), headers=headers)
            if reply.status_code not in (201, 409):
                raise DemoError(f"ingest refused demo terminal {device['mn']}: {reply.status_code} {reply.text}")
        seed_demo_accounts(client, headers, devices, admin_password)
        _refresh_self_audit(client, headers)
    log.info("demo city in place", extra={"devices": len(devices)})
    return devices


def _refresh_self_audit(client: httpx.Client, headers: dict[str, str]) -> None:
    """The bridge made its first daily self-audit at start, before the demo city existed: make it again now that
    it does (in the background; the page shows the stored report meanwhile). Not fatal: the next day's run
    comes anyway."""
    reply = client.get("/api/bridge/self-audit", params={"refresh": "true"}, headers=headers)
    if reply.status_code not in (200, 202):
        log.warning("self-audit not refreshed after seeding", extra={"status": reply.status_code})


#: The demo's people: username → (role, label). The county and the enterprise are those of the notice's
#: ceramics works (华信陶瓷), so every role sees the same worked example.
DEMO_ACCOUNTS: dict[str, tuple[str, str]] = {
    "city": ("city", "市生态环境局"),
    "county": ("county", "华信陶瓷所在县(区)分局"),
    "enterprise": ("enterprise", "沧州市华信陶瓷有限公司"),
}
DEMO_ENTERPRISE_NAME = "华信陶瓷"


def seed_demo_accounts(
    client: httpx.Client, headers: dict[str, str], devices: list[dict[str, Any]], password: str
) -> None:
    """City, county and enterprise accounts for the demo, with the admin's password (demo mode only).

    Accounts are made the way an administrator makes them (an initial password the person must change),
    then changed once, as that person would at the first login.
    """
    works = next((d for d in devices if DEMO_ENTERPRISE_NAME in d["enterprise_name"]), None)
    if works is None:
        raise DemoError("the demo city has no ceramics works to give accounts to")
    scopes = {"city": {}, "county": {"county": works["county_code"]}, "enterprise": {"enterprise_id": works["ps_id"]}}
    for username, (role, _label) in DEMO_ACCOUNTS.items():
        initial = f"Demo-{secrets.token_urlsafe(12)}-1a"
        body = {"username": username, "password": initial, "role": role, **scopes[username]}
        made = client.post("/api/auth/accounts", json=body, headers=headers)
        if made.status_code == 409:
            continue
        if made.status_code >= 400:
            raise DemoError(f"demo account {username} refused: {made.status_code} {made.text}")
        token = client.post("/api/auth/token", data={"username": username, "password": initial})
        token.raise_for_status()
        changed = client.post(
            "/api/auth/password",
            json={"old_password": initial, "new_password": password},
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        if changed.status_code >= 400:
            raise DemoError(f"demo account {username}: password not set: {changed.status_code} {changed.text}")
