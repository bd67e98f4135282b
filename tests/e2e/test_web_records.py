"""The records pages on the platform `fbjd run` starts, driven like a browser (httpx + the web's own forms):
the overview's figures are the services' figures, the records list filters, a record page carries the evidence
chart (both thresholds, the abnormal stretch), the city rejects a record and an enforcement task appears, the
ceramics works handles its own record and gets 404 for another enterprise's.

Records are made the way test_alarm_path makes them: minute data over HJ 212 in which production runs while
a treatment is off, sent hours in the past so the live simulation does not mix in:

- the works, 7 h ago: treatment off 20 min → a record the enterprise handles on the web;
- another enterprise, 7 h ago: the same → a record the works must not see;
- the works, 5 h ago: treatment off 20 min, covered by a pre-declaration the works files on the web and the city
  approves; then 25 more minutes off arrive late, beyond the declared window → the record goes to the city.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fbjd_core.time import CST

from .conftest import Platform, web_login
from .test_alarm_path import _poll, _send

WORKS = "华信陶瓷"
EARLY_HOURS = 7  # how far back the first records lie (the live simulation writes the present)
LATER_HOURS = 5
#: The smallest PNG there is: a one-pixel image as the after-declaration's evidence.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass(frozen=True)
class Site:
    """A demo terminal with one production facility and a treatment facility linked to it."""

    device: dict[str, Any] = field(repr=False)
    production: dict[str, Any]
    treatment: dict[str, Any]

    @property
    def ps_id(self) -> str:
        return str(self.device["ps_id"])


@dataclass(frozen=True)
class Records:
    handled: str  # the works' record it handles
    other: str  # another enterprise's record
    reviewed: str  # the works' record that went on beyond its declaration, now with the city
    other_name: str
    works: Site


def _site(device: dict[str, Any]) -> Site | None:
    for point in device["points"]:
        if point["role"] == "production" and point["facility"] and point["linked_facilities"]:
            return Site(device, point["facility"], point["linked_facilities"][0])
    return None


def _packets(site: Site, start: datetime, minutes: range, off: range) -> list[tuple[datetime, dict[str, Any]]]:
    """Minute packets: production on throughout, the treatment off in the minutes of `off`."""
    packets = []
    for minute in minutes:
        factors: dict[str, dict[str, str]] = {}
        for point in site.device["points"]:
            rated = point["rated_kw"] or 100.0
            threshold = point["threshold_kw"] or rated * 0.1
            facility = (point["facility"] or {}).get("id")
            if facility == site.production["id"]:
                kw = max(rated * 0.8, threshold * 3)
            elif facility == site.treatment["id"]:
                kw = 0.0 if minute in off else max(rated * 0.8, threshold * 3)
            else:
                continue
            factors[point["factor_code"]] = {"Avg": f"{kw:.2f}", "Flag": "N"}
        packets.append((start + timedelta(minutes=minute), factors))
    return packets


def _send_all(platform: Platform, site: Site, packets: list[tuple[datetime, dict[str, Any]]]) -> None:
    assert asyncio.run(_send(platform, site.device, packets)) == len(packets), "every packet is acknowledged"


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=CST).astimezone(UTC)


def _alarms_of(api: httpx.Client, site: Site, start: datetime, *, stage: str | None = None) -> list[dict[str, Any]]:
    """The workflow's alarms of this site's production facility that began in our window."""
    params: dict[str, Any] = {
        "ps_id": site.ps_id,
        "from": _utc(start).isoformat(),
        "to": _utc(start + timedelta(hours=1)).isoformat(),
    }
    found = api.get("/api/workflow/alarms", params=params).raise_for_status().json()
    return [
        a
        for a in found
        if a["production_facility_id"] == site.production["id"]
        and a["treatment_facility_id"] == site.treatment["id"]
        and (stage is None or a["stage"] == stage)
    ]


def _token(platform: Platform, username: str) -> str:
    reply = httpx.post(
        f"{platform.base_url}/api/auth/token", data={"username": username, "password": platform.admin_password}
    )
    reply.raise_for_status()
    return str(reply.json()["access_token"])


@contextmanager
def _browser(platform: Platform, username: str) -> Iterator[httpx.Client]:
    """A browser signed in on the web as `username` (the demo accounts have the admin's password)."""
    with httpx.Client(base_url=platform.base_url, follow_redirects=True, timeout=30) as browser:
        signed_in = web_login(browser, username, platform.admin_password)
        assert signed_in.status_code == 200, signed_in.text[:500]
        yield browser


def _find(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not on the page"
    return found.group(1)


def _form(browser: httpx.Client, **fields: Any) -> dict[str, Any]:
    return {"csrf_token": browser.cookies["fbjd_csrf"], **fields}


HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def records(platform: Platform) -> Iterator[Records]:
    # As admin: the registry gives the demo terminals' passwords to admin and service callers only.
    headers = {"Authorization": f"Bearer {platform.admin_token()}"}
    with httpx.Client(base_url=platform.base_url, headers=headers, timeout=30) as api:
        yield _make_records(platform, api)


def _make_records(platform: Platform, api: httpx.Client) -> Records:
    devices = _poll("demo devices", lambda: api.get("/api/registry/devices").raise_for_status().json())
    sites = [s for s in (_site(d) for d in devices) if s is not None]
    works = next(s for s in sites if WORKS in s.device["enterprise_name"])
    other = next(s for s in sites if s.ps_id != works.ps_id)
    now = datetime.now(CST).replace(tzinfo=None, second=0, microsecond=0)

    early = now - timedelta(hours=EARLY_HOURS)
    _send_all(platform, works, _packets(works, early, range(50), range(10, 30)))
    _send_all(platform, other, _packets(other, early, range(50), range(10, 30)))
    handled = _poll("the works' record", lambda: _alarms_of(api, works, early))[0]
    foreign = _poll("the other enterprise's record", lambda: _alarms_of(api, other, early))[0]

    later = now - timedelta(hours=LATER_HOURS)
    _send_all(platform, works, _packets(works, later, range(30), range(10, 30)))
    first = _poll("the works' second record", lambda: _alarms_of(api, works, later))

    with _browser(platform, "enterprise") as browser:
        declared = browser.post(
            "/my/declarations",
            data=_form(
                browser,
                facility_id=works.treatment["id"],
                starts_at=(later + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
                ends_at=(later + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M"),
                reason="overhaul",
                text="脱硫塔检修，窑炉保温",
            ),
        )
        assert declared.status_code == 200 and "已提交提前申报" in declared.text, declared.text[-2000:]
    pending = api.get(
        "/api/workflow/declarations", params={"kind": "before", "status": "pending", "ps_id": works.ps_id}
    )
    mine = [d for d in pending.raise_for_status().json() if d["facility_id"] == works.treatment["id"]]
    assert mine, "the works' pre-declaration waits for the city"
    decision = {"decision": "approve", "opinion": "同意检修申报"}
    as_city = {"Authorization": f"Bearer {_token(platform, 'city')}"}
    api.post(f"/api/workflow/declarations/{mine[-1]['id']}/decision", json=decision, headers=as_city).raise_for_status()
    _poll("the record covered", lambda: _alarms_of(api, works, later, stage="covered_by_declaration"))

    _send_all(platform, works, _packets(works, later, range(30, 65), range(30, 55)))
    escalated = _poll(
        "the record beyond its declaration at the city", lambda: _alarms_of(api, works, later, stage="city_review"), 90
    )
    assert {a["id"] for a in escalated} <= {a["id"] for a in first}, "the same record went on, not a new one"
    return Records(handled["id"], foreign["id"], escalated[0]["id"], other.device["enterprise_name"], works)


def test_the_overview_shows_the_services_figures(platform: Platform, records: Records) -> None:
    admin = {"Authorization": f"Bearer {platform.admin_token()}"}
    devices = httpx.get(f"{platform.base_url}/api/ingest/overview", headers=admin).json()
    enterprises = httpx.get(f"{platform.base_url}/api/registry/enterprises", params={"limit": 5000}, headers=admin)
    with _browser(platform, "city") as browser:
        page = browser.get("/overview")
        assert page.status_code == 200
        assert f'id="ov-enterprises-total"><div class="value">{len(enterprises.json())}<' in page.text
        assert f"共 {devices['devices_total']} 台" in page.text
        assert "各县区" in page.text and "各行业" in page.text
        county = records.works.device["county_code"]
        row = _find(rf'<tr data-key="{county}">(.*?)</tr>', page.text.replace("\n", " "))
        cells = [int(n) for n in re.findall(r'<td class="num">(?:<a [^>]*>)?(\d+)<', row)]
        assert cells[0] >= 1 and cells[4] >= 1, f"the works' county has enterprises and open records: {cells}"
        live = browser.get("/overview", headers=HTMX)
        assert live.text.startswith('<div id="overview-figures"'), "the live poll gets the figures alone"
        open_now = int(_find(r'id="ov-records-open"[^>]*><div class="value[^"]*">(\d+)<', live.text))
        stats = httpx.get(f"{platform.base_url}/api/workflow/stats", headers=admin).json()
        assert abs(open_now - stats["open"]) <= 2, "the open records are the workflow's (give or take live ones)"


def test_the_records_list_filters_by_enterprise_and_stage(platform: Platform, records: Records) -> None:
    with _browser(platform, "city") as browser:
        mine = browser.get("/alarms", params={"enterprise": records.works.ps_id, "stage": "city_review"})
        assert mine.status_code == 200 and f'id="alarm-row-{records.reviewed}"' in mine.text
        assert f'id="alarm-row-{records.other}"' not in mine.text
        assert f'id="pick-{records.reviewed}"' in mine.text, "a record with the city can be ticked for bulk review"
        others = browser.get("/alarms", params={"enterprise": records.works.ps_id, "stage": "approved"}, headers=HTMX)
        assert others.text.startswith('<table id="alarms"') and records.reviewed not in others.text
        by_name = browser.get("/alarms", params={"enterprise": records.other_name[:6], "type": "treatment_abnormal"})
        assert f'id="alarm-row-{records.other}"' in by_name.text


def _chart(page: str, chart_id: str = "evidence-chart") -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="{chart_id}">(.*?)</script>', page, re.S)
    assert found, "the page carries the chart's data"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_a_record_page_carries_the_evidence_chart_with_both_thresholds_and_the_abnormal_stretch(
    platform: Platform, records: Records
) -> None:
    with _browser(platform, "city") as browser:
        page = browser.get(f"/alarms/{records.handled}")
        assert page.status_code == 200 and 'data-chart="evidence-chart"' in page.text
        chart = _chart(page.text)
        kinds = {s["kind"]: s for s in chart["series"]}
        assert {"production", "treatment"} <= set(kinds), chart["series"]
        assert kinds["production"]["threshold"] is not None and kinds["treatment"]["threshold"] is not None
        assert any(p[1] is not None for p in kinds["production"]["points"]), "the production curve has data"
        abnormal = [b for b in chart["bands"] if b["kind"] == "abnormal"]
        assert len(abnormal) == 1 and abnormal[0]["from"].endswith("+08:00")
        assert "exTimeStart" in page.text and "treatmentAmmeterThreshold" in page.text, "the province's fields"
        assert "生成报警" in page.text, "the history lists the alarm's opening"


def test_the_city_rejects_a_record_and_an_enforcement_task_appears(platform: Platform, records: Records) -> None:
    with _browser(platform, "city") as browser:
        page = browser.get(f"/alarms/{records.reviewed}")
        assert 'id="review-form"' in page.text
        revision = _find(r'name="expected_revision" value="(\d+)"', page.text)
        short = browser.post(
            f"/alarms/{records.reviewed}/review", data=_form(browser, decision="reject", opinion=""), headers=HTMX
        )
        assert "请填写审核意见" in short.text, "an opinion is required"
        answer = browser.post(
            f"/alarms/{records.reviewed}/review",
            data=_form(
                browser, decision="reject", opinion="未提供有效证明材料，转执法核查", expected_revision=revision
            ),
            headers=HTMX,
        )
        assert answer.status_code == 200 and answer.text.startswith('<div id="rec-disposition"')
        assert "已审核不通过" in answer.text
        stage = _find(r'data-stage="([a-z_]+)"', answer.text)
        assert stage in ("rejected", "enforcement"), stage
        assert 'id="review-form"' not in answer.text, "nothing left to review"
        again = browser.post(
            f"/alarms/{records.reviewed}/review",
            data=_form(browser, decision="approve", opinion="重复审核", expected_revision=revision),
            headers=HTMX,
        )
        assert "已被他人处理" in again.text or "不能执行" in again.text, "a second review is told it came too late"
        bulk = browser.post(
            "/alarms/review",
            data=_form(browser, decision="approve", opinion="批量审核通过", alarm_id=[records.handled]),
            headers=HTMX,
        )
        assert "成功 0 条，未处理 1 条" in bulk.text, "a record not with the city is left as it is, and said so"
        tasks = _poll("the task on the tasks page", lambda: records.reviewed in browser.get("/tasks").text)
        assert tasks
        link = rf'<a href="/tasks/([0-9a-f-]+)">查看</a> · <a href="/alarms/{records.reviewed}">'
        task_id = _find(link, browser.get("/tasks").text)
        task = browser.get(f"/tasks/{task_id}")
        assert task.status_code == 200 and "未提供有效证明材料" in task.text and "尚未提交现场检查记录" in task.text


def test_the_works_handles_its_own_record_and_gets_404_for_another(platform: Platform, records: Records) -> None:
    with _browser(platform, "enterprise") as browser:
        home = browser.get("/my")
        assert home.status_code == 200 and f'id="my-alarm-{records.handled}"' in home.text
        assert records.other_name not in home.text
        page = browser.get(f"/my/alarms/{records.handled}")
        assert 'id="handle-form"' in page.text and "data-deadline" in page.text
        declared = browser.post(
            f"/my/alarms/{records.handled}/declarations",
            data=_form(browser, reason="power_loss", text="厂区突然断电，见供电公司停电通知"),
            files=[("files", ("停电通知.png", PNG, "image/png"))],
            headers=HTMX,
        )
        assert "已提交事后申报（附件 1 个）" in declared.text, declared.text[:1000]
        evidence = _find(r'<a href="(/files/[0-9a-f-]+)">停电通知.png</a>', declared.text)
        download = browser.get(evidence)
        assert download.status_code == 200 and download.content == PNG, "the evidence file comes back as sent"
        done = browser.post(
            f"/my/alarms/{records.handled}/handle",
            data=_form(browser, reason="equipment_fault", text="脱硫循环泵跳闸，已复位并恢复运行"),
            headers=HTMX,
        )
        assert done.status_code == 200 and "已提交自查处理" in done.text
        assert 'data-stage="closed_by_enterprise"' in done.text
        assert browser.get(f"/my/alarms/{records.other}").status_code == 404
        assert browser.get(f"/alarms/{records.other}").status_code == 404
        listed = browser.get("/my/alarms", params={"enterprise": records.other_name})
        assert records.other not in listed.text and records.other_name not in listed.text
        assert browser.get("/tasks").status_code in (403, 404), "enforcement tasks are not the enterprise's"
