"""How a reply of the province is read: accepted, try again later, or "these records are invalid". Pure.

The interface answers `{"success": true|false, "msg": "..."}`. It has no error codes, so the bridge tells a
record's fault from the province's trouble by the message: a `success: false` whose msg names a field of the
interface (`psId`, `exTimeEnd`, …, as a strict province says which field is wrong) is a rejection of the
records — retried a few times (a psId the province has not synced yet becomes valid later), then
dead-lettered. Everything else — no answer, a time-out, HTTP 5xx or 4xx, a body that is not the interface's
JSON, `success: false` without a field ("系统繁忙") — is the province's (or the network's) trouble: retried with
back-off for as long as it lasts, never dead-lettered, so an outage of any length loses nothing.
"""

from __future__ import annotations

import json
import re

from fbjd_bridge.errors import ProvinceRejected, ProvinceUnavailable
from fbjd_bridge.province.payload import ABNORMAL_FIELDS, LIMIT_FIELDS

__all__ = ["INTERFACE_FIELDS", "names_a_field", "read_reply"]

INTERFACE_FIELDS = tuple(dict.fromkeys(ABNORMAL_FIELDS + LIMIT_FIELDS))
# Longest names first, and not followed by a letter: "treatmentAmmeterIds" is not read as "treatmentAmmeterId".
_FIELD = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(INTERFACE_FIELDS, key=len, reverse=True)) + r")(?![A-Za-z])")
_REPLY_CHARS = 1000


def names_a_field(msg: str) -> str | None:
    """The first interface field named in a message, or None."""
    found = _FIELD.search(msg)
    return None if found is None else found.group(1)


def read_reply(status: int, text: str) -> str:
    """The province's msg when it accepted the request; raises ProvinceRejected or ProvinceUnavailable."""
    reply = text[:_REPLY_CHARS]
    if status >= 500:
        raise ProvinceUnavailable(f"省平台答复 HTTP {status}", reply=reply)
    try:
        body = json.loads(text)
    except ValueError:
        raise ProvinceUnavailable(f"省平台答复 HTTP {status}，内容不是 JSON", reply=reply) from None
    if not isinstance(body, dict) or not isinstance(body.get("success"), bool):
        raise ProvinceUnavailable(f"省平台答复 HTTP {status}，不是接口约定的 {{success, msg}}", reply=reply)
    msg = str(body.get("msg") or "")
    if body["success"]:
        if not 200 <= status < 300:
            raise ProvinceUnavailable(f"省平台答复 HTTP {status} 却 success=true：{msg}", reply=reply)
        return msg
    if (field := names_a_field(msg)) is not None:
        raise ProvinceRejected(f"省平台拒收（字段 {field}）：{msg}", reply=reply)
    raise ProvinceUnavailable(f"省平台答复 success=false：{msg or '（无说明）'}", reply=reply)
