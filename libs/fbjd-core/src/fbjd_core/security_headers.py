"""Security headers on every HTTP response (GB/T 22239 level 2: protection of the web front), as a small ASGI
middleware every member installs: the services through `create_service_app`, the gateway and the web app
themselves.

A header the application (or, at the gateway, the service or web app behind it) has already set is kept, so the
web app's own Content-Security-Policy passes the gateway unchanged. Strict-Transport-Security is sent only when
the deployment says it is served over TLS (a browser would otherwise pin a plain-HTTP host to HTTPS).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_CSP", "DOCS_CSP", "HSTS_MAX_AGE", "SecurityHeadersMiddleware", "security_headers"]

#: Only the site itself may provide scripts, styles, images and connections; nothing may frame it.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
#: The OpenAPI pages (`…/docs`) load Swagger UI from its CDN and start it with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
HSTS_MAX_AGE = 31_536_000  # one year


def security_headers(*, csp: str = DEFAULT_CSP, hsts: bool = False) -> list[tuple[bytes, bytes]]:
    """The headers, as ASGI (name, value) pairs, in the order they are added."""
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"content-security-policy", csp.encode("latin-1")),
    ]
    if hsts:
        headers.append((b"strict-transport-security", f"max-age={HSTS_MAX_AGE}; includeSubDomains".encode()))
    return headers


class SecurityHeadersMiddleware:
    """`app.add_middleware(SecurityHeadersMiddleware, csp=..., hsts=settings.behind_tls)`.

    `csp` is the policy of ordinary responses (the web app passes its own); paths ending in `/docs` get
    `DOCS_CSP` so the OpenAPI pages still work.
    """

    def __init__(self, app: ASGIApp, *, csp: str = DEFAULT_CSP, hsts: bool = False) -> None:
        self.app = app
        self._headers = security_headers(csp=csp, hsts=hsts)
        self._docs_headers = security_headers(csp=DOCS_CSP, hsts=hsts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._docs_headers if str(scope.get("path", "")).endswith("/docs") else self._headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in extra if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
