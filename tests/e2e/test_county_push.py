"""A county platform reports to the city through the province's interface (异常信息接入方案, issue 6): the demo
county branch pushes a treatment abnormal of the ceramics works in its county → the province's success reply,
one city alarm marked as the county's in the enterprise's self-check, listed on the city's 省平台对接 page;
a record of an enterprise outside the county, or with a malformed field, is refused with the field named and
nothing is stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from fbjd_core.time import CST

from .conftest import Platform, web_login
from .test_alarm_path import _poll

CERAMICS = "华信陶瓷"
ABNORMAL = "/api/bridge/pcom/ps/ex/join/abnormal"


def _item(device: dict[str, Any], start: datetime, end: datetime) -> dict[str, Any]:
    """A treatment abnormal of the device's first production facility and its linked treatment's main point."""
    production = next(p for p in device["points"] if p["role"] == "production" and p["linked_facilities"])
    treatment_facility = production["linked_facilities"][0]["id"]
    fans = [p for p in device["points"] if p["facility"] and p["facility"]["id"] == treatment_facility]
    stamp = "%Y-%m-%d %H:%M:%S"
    return {
        "psId": device["ps_id"],
        "exDay": end.strftime("%Y-%m-%d"),
        "productorEquipId": production["facility"]["id"],
        "treatmentId": treatment_facility,
        "treatmentAmmeterId": fans[0]["point_id"],
        "treatmentAmmeterIds": ",".join(p["point_id"] for p in fans),
        "exTimeStart": start.strftime(stamp),
        "exTimeEnd": end.strftime(stamp),
        "productorEquipThreshold": "10",
        "treatmentAmmeterThreshold": "5",
        "treatmentAmmeterThresholdTime": 15,
        "remark": "县级平台判定：生产设施运行期间治理设施未运行，持续超过15分钟。",
    }


def test_a_county_platforms_record_becomes_a_city_alarm_and_a_foreign_or_malformed_one_is_refused(
    platform: Platform,
) -> None:
    admin = {"Authorization": f"Bearer {platform.admin_token()}"}
    county = {"Authorization": f"Bearer {platform.token('county', platform.admin_password)}"}
    with httpx.Client(base_url=platform.base_url, timeout=60) as api:
        devices = api.get("/api/registry/devices", headers=admin).raise_for_status().json()
        works = next(d for d in devices if CERAMICS in d["enterprise_name"])
        elsewhere = next(d for d in devices if d["county_code"] != works["county_code"])
        end = datetime.now(CST).replace(tzinfo=None, second=0, microsecond=0) - timedelta(hours=9)
        start = end - timedelta(minutes=40)

        foreign = api.post(ABNORMAL, json=[_item(elsewhere, start, end)], headers=county)
        assert foreign.json()["success"] is False and elsewhere["ps_id"] in foreign.json()["msg"]
        malformed = {**_item(works, start, end), "exTimeEnd": end.strftime("%Y/%m/%d %H:%M")}
        refused = api.post(ABNORMAL, json=[_item(works, start, end), malformed], headers=county)
        assert refused.json()["success"] is False and "exTimeEnd" in refused.json()["msg"]
        assert api.get("/api/bridge/county-reports", headers=county).json() == [], "nothing of either is stored"

        accepted = api.post(ABNORMAL, json=[_item(works, start, end)], headers=county)
        assert accepted.status_code == 200 and accepted.json()["success"] is True, accepted.text
        [report] = api.get("/api/bridge/county-reports", headers=county).json()

        def alarm_of_the_record() -> dict[str, Any] | None:
            found = api.get(f"/api/workflow/alarms/{report['id']}", headers=admin)
            return dict(found.json()) if found.status_code == 200 else None

        alarm = _poll("the county's record as a city alarm", alarm_of_the_record, timeout_s=60)
    assert alarm["source"] == "county" and alarm["ps_id"] == works["ps_id"]
    assert alarm["stage"] == "enterprise_check" and alarm["duration_minutes"] == 40

    with httpx.Client(base_url=platform.base_url, timeout=60) as city:
        web_login(city, "city", platform.admin_password)

        def delivered_on_the_page() -> str | None:
            page = city.get("/bridge").text
            return page if "已转入本市处置" in page else None

        page = _poll("the record delivered on the city's page", delivered_on_the_page, timeout_s=60)
    assert f'id="county-report-{report["id"]}"' in page and works["enterprise_name"] in page
