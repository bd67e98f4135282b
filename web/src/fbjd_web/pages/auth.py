"""Sign in and out, and the per-role home page."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fbjd_web.gateway import ApiRefused, api_send
from fbjd_web.session import TOKEN_COOKIE, current_principal, home_of, set_token_cookie
from fbjd_web.templating import TEMPLATES

__all__ = ["router"]

router = APIRouter()

LOGIN_ERRORS = {401: "用户名或密码错误", 423: "账号已锁定，请稍后再试", 429: "尝试过于频繁，请稍后再试"}


@router.get("/", include_in_schema=False)
async def home(request: Request) -> Response:
    """Each role lands on its own home: the city and counties on the overview, an enterprise on its own page."""
    return RedirectResponse(home_of(current_principal(request)), status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    return TEMPLATES.TemplateResponse(request, "login.html", {"error": None})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]) -> Response:
    client: httpx.AsyncClient = request.app.state.http
    try:
        reply = await client.post("/api/auth/token", data={"username": username, "password": password})
    except httpx.TransportError:
        return TEMPLATES.TemplateResponse(request, "login.html", {"error": "认证服务暂不可用"}, status_code=503)
    if reply.status_code != 200:
        error = LOGIN_ERRORS.get(reply.status_code, "登录失败")
        return TEMPLATES.TemplateResponse(request, "login.html", {"error": error}, status_code=reply.status_code)
    answer = reply.json()
    # An initial password (set by an administrator) must be changed before anything else (等保 level 2).
    response = RedirectResponse("/password" if answer.get("must_change_password") else "/", status_code=303)
    set_token_cookie(request, response, answer["access_token"])
    return response


@router.get("/password", response_class=HTMLResponse)
async def password_page(request: Request) -> Response:
    if current_principal(request) is None:
        return RedirectResponse("/login", status_code=303)
    return TEMPLATES.TemplateResponse(request, "password.html", {"error": None, "done": False})


@router.post("/password", response_class=HTMLResponse)
async def change_password(
    request: Request,
    old_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
    repeat: Annotated[str, Form()],
) -> Response:
    """Change one's own password; the gateway checks the old one and the new one's strength."""
    if new_password != repeat:
        context = {"error": "两次输入的新密码不一致", "done": False}
        return TEMPLATES.TemplateResponse(request, "password.html", context, status_code=422)
    try:
        await api_send(
            request, "POST", "/api/auth/password", json={"old_password": old_password, "new_password": new_password}
        )
    except ApiRefused as exc:
        context = {"error": exc.message, "done": False}
        return TEMPLATES.TemplateResponse(request, "password.html", context, status_code=exc.status)
    return TEMPLATES.TemplateResponse(request, "password.html", {"error": None, "done": True})


@router.post("/logout")
async def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE)
    return response
