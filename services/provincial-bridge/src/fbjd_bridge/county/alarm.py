"""A county record → the workflow's intake body (AbnormalRecordIn, the rules → workflow contract). Pure.

The city handles a county's record through its own disposition process, so the record goes in as the rules'
records do, with `source: "county"` and who reported it. What the interface does not carry is decided here:

* type: abnormal → `treatment_abnormal`; a limit record names no kind (应停未停, 限产未限, 错峰未错 share the
  endpoint), so the remark decides: "错峰" → `offpeak_violation`, "限产" → `limit_violation`, else
  `stop_violation`;
* grade by duration, the rules' defaults (≥ 1 h serious 较重, ≥ 4 h grave 严重, else general 一般);
* ongoing false (the interface says nothing of it; a county that extends the record sends a later end);
* a merged record (absorbed by the earlier record of the same point) is sent as `withdrawn`: its alarm closes,
  the earlier record's alarm carries the whole span.
"""

from __future__ import annotations

from typing import Any

from fbjd_bridge.county.models import CountyReport
from fbjd_bridge.county.validation import kw_value

__all__ = ["GRADE_GRAVE_MINUTES", "GRADE_SERIOUS_MINUTES", "alarm_body", "grade_for", "limit_type"]

GRADE_SERIOUS_MINUTES = 60
GRADE_GRAVE_MINUTES = 240


def grade_for(minutes: int) -> str:
    if minutes >= GRADE_GRAVE_MINUTES:
        return "grave"
    return "serious" if minutes >= GRADE_SERIOUS_MINUTES else "general"


def limit_type(remark: str) -> str:
    if "错峰" in remark:
        return "offpeak_violation"
    return "limit_violation" if "限产" in remark else "stop_violation"


def _kw(item: dict[str, Any], field: str) -> float | None:
    value = item.get(field)
    return None if value is None else kw_value(str(value))


def alarm_body(row: CountyReport) -> dict[str, Any]:
    item, context = row.item, row.context
    minutes = int((row.end_at - row.start_at).total_seconds() // 60)
    abnormal = row.endpoint == "abnormal"
    points = str(item.get("treatmentAmmeterIds") or "")
    return {
        "id": str(row.id),
        "version": row.version,
        "type": "treatment_abnormal" if abnormal else limit_type(str(item["remark"])),
        "ps_id": row.ps_id,
        "enterprise_name": context["enterprise_name"],
        "county": row.county,
        "industry": context.get("industry") or "",
        "production_facility_id": item["productorEquipId"],
        "production_facility_name": context.get("production_facility_name") or "",
        "treatment_facility_id": item.get("treatmentId"),
        "treatment_facility_name": context.get("treatment_facility_name"),
        "treatment_point_id": item.get("treatmentAmmeterId"),
        "treatment_point_ids": points.split(",") if points else [],
        "start": row.start_at.isoformat(),
        "end": row.end_at.isoformat(),
        "ongoing": False,
        "duration_minutes": minutes,
        "grade": grade_for(minutes),
        "production_threshold_kw": _kw(item, "productorEquipThreshold"),
        "treatment_threshold_kw": _kw(item, "treatmentAmmeterThreshold"),
        "judgement_minutes": int(item.get("treatmentAmmeterThresholdTime") or 0),
        "limit_ratio": None,
        "remark": item["remark"],
        "status": "open" if row.status == "open" else "withdrawn",
        "source": "county",
        "reported_by": row.reported_by,
        "county_record": {
            "endpoint": row.endpoint,
            "merged_into": None if row.merged_into is None else str(row.merged_into),
        },
    }
