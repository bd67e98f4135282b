"""Calls to the services' APIs through the gateway, with the signed-in user's own token.

The web app holds no data of its own: every page is built from API answers, so the gateway and the services
enforce the user's role and scope. API refusals become typed errors that the app turns into pages.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import Request

from fbjd_web.session import TOKEN_COOKIE

__all__ = [
    "ApiRefused",
    "Forbidden",
    "NotVisible",
    "SignedOut",
    "api_get",
    "api_get_bytes",
    "api_get_reply",
    "api_send",
]


class SignedOut(Exception):
    """No token, or the gateway refused it (expired, idle too long): back to the login page."""


class NotVisible(Exception):
    """404: it does not exist, or not for this user (scopes answer like a missing thing)."""


class Forbidden(Exception):
    """403: the user's role may not do this."""


class ApiRefused(Exception):
    """A 4xx other than 401/403/404, with the service's message for the user (e.g. 409 on a stale review)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _token(request: Request) -> str:
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        raise SignedOut
    return token


def _message(reply: httpx.Response) -> str:
    """The service's own words for a person: the house's `{"error": {"message", "problems"}}`, or FastAPI's
    `detail` (a string, or pydantic's list of errors)."""
    try:
        body = reply.json()
    except ValueError:
        return reply.text[:300] or reply.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        problems = [p.get("message", "") for p in error.get("problems") or [] if isinstance(p, dict)]
        return "；".join([str(error.get("message", "")), *problems]).strip("；")
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, list):
        return "；".join(str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail)
    return str(detail)


def _check(reply: httpx.Response) -> httpx.Response:
    if reply.status_code == 401:
        raise SignedOut
    if reply.status_code == 403:
        raise Forbidden
    if reply.status_code == 404:
        raise NotVisible
    if 400 <= reply.status_code < 500:
        raise ApiRefused(reply.status_code, _message(reply))
    reply.raise_for_status()
    return reply


def _client(request: Request) -> tuple[httpx.AsyncClient, dict[str, str]]:
    """The app's one pooled client to the gateway, and this user's Authorization header."""
    client: httpx.AsyncClient = request.app.state.http
    return client, {"Authorization": f"Bearer {_token(request)}"}


async def api_get(request: Request, path: str, params: Any = None) -> Any:
    """GET `path` (e.g. /api/workflow/alarms) as the signed-in user; the decoded JSON."""
    return (await api_get_reply(request, path, params)).json()


async def api_get_reply(request: Request, path: str, params: Any = None) -> httpx.Response:
    """GET, keeping the reply (for headers such as X-Total-Count)."""
    client, headers = _client(request)
    return _check(await client.get(path, params=params, headers=headers))


async def api_get_bytes(request: Request, path: str, params: Any = None) -> httpx.Response:
    """GET a file (an .xlsx export, an uploaded document): the whole reply, body and headers."""
    return await api_get_reply(request, path, params)


async def api_send(
    request: Request,
    method: str,
    path: str,
    *,
    json: Any = None,
    data: Any = None,
    files: Any = None,
    params: Any = None,
) -> Any:
    """POST/PUT/PATCH/DELETE as the signed-in user; the decoded JSON (None for an empty answer)."""
    client, headers = _client(request)
    reply = _check(
        await client.request(method, path, json=json, data=data, files=files, params=params, headers=headers)
    )
    return reply.json() if reply.content else None
