"""The signed-in user: the gateway's token in an HttpOnly cookie, decoded here only to choose what to show.

Authorization is never decided here: every API call carries the token and the gateway and services check it.
The cookie lives as long as the idle time-out and is renewed by each page the user opens (session time-out,
GB/T 22239 level 2); the token itself is refreshed at the gateway when half its life is gone.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
from fastapi import Request, Response
from fbjd_core.auth import Principal, Role, decode_token, token_expiry
from fbjd_core.errors import FbjdError
from fbjd_core.time import now

__all__ = ["HOME_OF_ROLE", "TOKEN_COOKIE", "current_principal", "home_of", "keep_alive", "set_token_cookie"]

log = logging.getLogger(__name__)

TOKEN_COOKIE = "fbjd_token"

#: Where each role lands after signing in (per-role home).
HOME_OF_ROLE: dict[Role, str] = {
    Role.CITY: "/overview",
    Role.ADMIN: "/overview",
    Role.COUNTY: "/overview",
    Role.ENTERPRISE: "/my",
}


def current_principal(request: Request) -> Principal | None:
    """Who the token says the user is, or None when there is no valid token (expired, tampered, absent)."""
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        return None
    secret: str = request.app.state.settings.jwt_secret.get_secret_value()
    try:
        return decode_token(token, secret=secret)
    except FbjdError:
        return None


def home_of(principal: Principal | None) -> str:
    if principal is None:
        return "/login"
    return HOME_OF_ROLE.get(principal.role, "/devices")


def set_token_cookie(request: Request, response: Response, token: str) -> None:
    """The token in an HttpOnly, SameSite=Strict cookie that expires after the idle time-out."""
    settings = request.app.state.settings
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=settings.jwt_ttl_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=settings.behind_tls,
    )


async def keep_alive(request: Request, response: Response) -> None:
    """A user who is active gets a fresh token once half the old one's life is gone (the gateway's refresh);
    one idle for the whole time-out finds the token expired and signs in again."""
    token = request.cookies.get(TOKEN_COOKIE)
    if not token or TOKEN_COOKIE in response.headers.get("set-cookie", ""):
        return
    settings = request.app.state.settings
    try:
        left = token_expiry(token, secret=settings.jwt_secret.get_secret_value()) - now()
    except FbjdError:
        return
    if left > timedelta(minutes=settings.jwt_ttl_minutes) / 2:
        return
    client: httpx.AsyncClient = request.app.state.http
    try:
        reply = await client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {token}"})
    except httpx.TransportError as exc:
        log.warning("token refresh failed", extra={"error": str(exc)})
        return
    if reply.status_code == 200:
        set_token_cookie(request, response, reply.json()["access_token"])
