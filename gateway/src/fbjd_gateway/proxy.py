"""Forwarding a request to the service behind a path, streaming the answer back."""

from __future__ import annotations

import logging

import httpx
from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

__all__ = ["forward"]

log = logging.getLogger(__name__)

# Hop-by-hop headers (RFC 9110 §7.6.1) and those httpx recomputes.
_DROP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)


def _headers(headers: httpx.Headers | dict[str, str] | object) -> list[tuple[str, str]]:
    items = headers.multi_items() if isinstance(headers, httpx.Headers) else list(headers.items())  # type: ignore[attr-defined]
    return [(k, v) for k, v in items if k.lower() not in _DROP]


async def forward(client: httpx.AsyncClient, base_url: str, request: Request) -> Response:
    url = httpx.URL(base_url).join(request.url.path).copy_with(query=request.url.query.encode())
    headers = _headers(request.headers)
    headers.append(("x-forwarded-for", request.client.host if request.client else ""))
    upstream = client.build_request(request.method, url, headers=headers, content=request.stream())
    try:
        response = await client.send(upstream, stream=True)
    except httpx.TransportError as exc:
        log.error("service unreachable", extra={"url": str(url), "error": repr(exc)})
        return JSONResponse(
            {
                "error": {
                    "code": "service_unavailable",
                    "message": f"the service behind {request.url.path} is unreachable",
                }
            },
            status_code=503,
        )
    proxied = StreamingResponse(
        response.aiter_raw(), status_code=response.status_code, background=BackgroundTask(response.aclose)
    )
    # Raw pairs, not a dict: a page may set several cookies (session and CSRF token) in one answer.
    proxied.raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in _headers(response.headers)]
    return proxied
