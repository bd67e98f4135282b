"""Passing a file from the API on to the browser (the browser has no API token, so the web fetches it)."""

from __future__ import annotations

import httpx
from fastapi.responses import Response

__all__ = ["passed_on"]

#: Headers of the workflow's download kept as they are: it is always an attachment, never rendered.
KEPT = ("content-disposition", "x-content-type-options", "content-security-policy")


def passed_on(reply: httpx.Response) -> Response:
    headers = {k: v for k, v in reply.headers.items() if k.lower() in KEPT}
    return Response(content=reply.content, media_type=reply.headers.get("content-type"), headers=headers)
