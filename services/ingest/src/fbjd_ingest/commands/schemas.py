"""Commands in and out of the HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

__all__ = ["CommandIn", "CommandList", "CommandOut"]

Action = Literal[
    "calibrate_time",
    "get_time",
    "set_rtd_interval",
    "get_rtd_interval",
    "set_min_interval",
    "get_min_interval",
    "set_timeout_retries",
    "request_history",
]


class CommandIn(BaseModel):
    action: Action = Field(
        description=(
            "calibrate_time (1012 with the center's clock), get_time (1011), set_rtd_interval (1062, `seconds`), "
            "get_rtd_interval (1061), set_min_interval (1064, `minutes`), get_min_interval (1063), "
            "set_timeout_retries (1000, `overtime_s`, `recount`), request_history (`cn` 2031/2041/2051/2061, "
            "`begin`, `end`)"
        )
    )
    seconds: int | None = Field(default=None, ge=30, le=3600)
    minutes: Literal[1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30] | None = None
    overtime_s: int | None = Field(default=None, ge=1, le=99)
    recount: int | None = Field(default=None, ge=1, le=99)
    cn: Literal["2011", "2031", "2041", "2051", "2061"] | None = None
    begin: datetime | None = Field(default=None, description="ISO 8601; without an offset it is read as CST")
    end: datetime | None = None
    wait_s: float = Field(default=0.0, ge=0, le=30, description="wait this long for the terminal's 9012")

    @model_validator(mode="after")
    def _needed(self) -> CommandIn:
        needs = {
            "set_rtd_interval": ("seconds",),
            "set_min_interval": ("minutes",),
            "set_timeout_retries": ("overtime_s", "recount"),
            "request_history": ("cn", "begin", "end"),
        }.get(self.action, ())
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"action {self.action} needs {', '.join(missing)}")
        if self.begin is not None and self.end is not None and self.end < self.begin:
            raise ValueError("end is before begin")
        return self


class CommandOut(BaseModel):
    qn: str
    cn: str
    params: dict[str, Any]
    origin: str = Field(description="setup, operator, clock_skew, time_request, gap_fill")
    requested_by: str | None
    state: str = Field(description="sent, accepted, rejected, done, failed, timeout, disconnected")
    sent_at: datetime
    qn_rtn: int | None = Field(description="9011 QnRtn (1 = ready)")
    qn_rtn_text: str | None
    exe_rtn: int | None = Field(description="9012 ExeRtn (1 = success)")
    exe_rtn_text: str | None
    replied_at: datetime | None
    answer: dict[str, Any] | None = Field(description="answer data (SystemTime, RtdInterval, MinInterval)")


class CommandList(BaseModel):
    mn: str
    items: list[CommandOut]
