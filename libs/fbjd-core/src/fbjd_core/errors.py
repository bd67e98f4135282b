"""The base error of every service and the one handler that turns it into JSON.

Domain code raises subclasses of `FbjdError`, never `HTTPException`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

__all__ = ["Conflict", "FbjdError", "Forbidden", "NotFound", "Unauthorized", "install_error_handlers"]


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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FbjdError, _handle)
