"""The base error of every service and the handlers that turn errors into JSON.

Domain code raises subclasses of `FbjdError`, never `HTTPException`. A value the database refuses (a NUL
character, a number or a date out of range) and an instant that overflows are the sender's errors: 422.
A full disk while keeping what was sent is 507 with a message a person can act on. Two disks can fill: the one
the web server spools a large multipart upload to (OSError ENOSPC / EDQUOT while the body is parsed, which
FastAPI reports as a 400 "error parsing the body" caused by it), and the database's (PostgreSQL's disk_full,
SQLSTATE 53100, on the INSERT or the COMMIT). Both leave nothing behind: the spool file is anonymous and the
transaction rolls back.
"""

from __future__ import annotations

import errno
import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

__all__ = [
    "Conflict",
    "FbjdError",
    "FULL_MESSAGE",
    "Forbidden",
    "NotFound",
    "StorageFull",
    "Unauthorized",
    "causes",
    "install_error_handlers",
    "is_data_exception",
    "storage_error",
    "unstorable_response",
]

log = logging.getLogger(__name__)


class FbjdError(Exception):
    code: str = "error"
    status: int = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class Unauthorized(FbjdError):
    code, status = "unauthorized", 401


class Forbidden(FbjdError):
    code, status = "forbidden", 403


class NotFound(FbjdError):
    code, status = "not_found", 404


class Conflict(FbjdError):
    code, status = "conflict", 409


async def _handle(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FbjdError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status, headers=headers)


#: A value the database cannot take is the sender's error, not the server's: PostgreSQL's *data exceptions*
#: (SQLSTATE class 22: a NUL character in text, a number or a date beyond its column's range).
DATA_EXCEPTION_CLASS = "22"
UNSTORABLE_MESSAGE = "请求中含有无法保存的值（如 NUL 字符，或超出范围的数值、日期），未保存任何内容"


def causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what caused it, outermost first (each once)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not other for other in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def is_data_exception(exc: BaseException) -> bool:
    """The database (or its driver, encoding a parameter) refused a value of the request: SQLSTATE class 22."""
    return any(str(getattr(e, "sqlstate", "") or "").startswith(DATA_EXCEPTION_CLASS) for e in causes(exc))


def unstorable_response(request: Request, exc: BaseException) -> JSONResponse:
    log.info("value refused by the database", extra={"path": request.url.path, "error": repr(exc)[:300]})
    return JSONResponse({"error": {"code": "invalid_input", "message": UNSTORABLE_MESSAGE}}, status_code=422)


class StorageFull(FbjdError):
    code, status = "insufficient_storage", 507


FULL_MESSAGE = "服务器存储空间已满，未保存任何内容，请稍后重试或联系平台管理员"
_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_DISK_FULL_SQLSTATE = "53100"


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL_ERRNOS:
        return True
    return str(getattr(exc, "sqlstate", "") or getattr(exc, "pgcode", "") or "") == _DISK_FULL_SQLSTATE


def storage_error(exc: BaseException) -> StorageFull | None:
    """StorageFull when `exc`, or what caused it, is a full disk (the spool's or the database's); else None."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error (and that asyncpg's)
    found = any(_is_disk_full(e) for e in causes(exc) + (causes(orig) if isinstance(orig, BaseException) else []))
    return StorageFull(FULL_MESSAGE) if found else None


def _full(request: Request, full: StorageFull, exc: BaseException) -> JSONResponse:
    log.error("storage full", extra={"path": request.url.path, "error": repr(exc)[:300]})
    return JSONResponse({"error": {"code": full.code, "message": full.message}}, status_code=full.status)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if (full := storage_error(exc)) is not None:
        return _full(request, full, exc)
    if not is_data_exception(exc):
        raise exc  # a lost connection, a bug: the server's error (500)
    return unstorable_response(request, exc)


async def _http_exception(request: Request, exc: Exception) -> Response:
    """FastAPI's own answer, unless parsing the body failed because the spool disk is full."""
    assert isinstance(exc, HTTPException)
    if (full := storage_error(exc)) is not None:
        return _full(request, full, exc)
    return await http_exception_handler(request, exc)


async def _overflow(request: Request, exc: Exception) -> JSONResponse:
    """An instant at the edge of Python's range (0001-01-01 +08:00, 9999-12-31 −14:00) overflows when moved."""
    log.info("value out of range", extra={"path": request.url.path, "error": str(exc)[:200]})
    return JSONResponse({"error": {"code": "invalid_input", "message": f"日期或数值超出范围：{exc}"}}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Typed errors as their status; values the database refuses and instants that overflow as 422; a full
    disk as 507."""
    app.add_exception_handler(FbjdError, _handle)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(OverflowError, _overflow)
