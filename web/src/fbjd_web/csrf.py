"""CSRF protection for every form and htmx request (double-submit token).

A random token lives in a cookie the page's own scripts cannot be tricked into sending cross-site (SameSite=Strict)
and is repeated in each form (`csrf_token` field) or htmx request (`X-CSRF-Token` header, set once on <body>).
A state-changing request whose copy does not match is refused with 403 before anything runs.
"""

from __future__ import annotations

import secrets

from fastapi import Request

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "CSRF_HEADER", "CsrfRefused", "ensure_token", "verify_csrf"]

CSRF_COOKIE = "fbjd_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRefused(Exception):
    """The request's CSRF token is missing or does not match the cookie."""


def ensure_token(request: Request) -> str:
    """This browser's token (made now if it has none; the app sets the cookie on the response)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_token", None)
    if not token:
        token = secrets.token_urlsafe(32)
    request.state.csrf_token = token
    return token


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: every POST/PUT/PATCH/DELETE must carry the cookie's token back."""
    if request.method in SAFE_METHODS:
        return
    expected = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise CsrfRefused
