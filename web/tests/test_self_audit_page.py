"""The city's self-audit page (市级自查) from a report as the bridge sends it (no platform needed): a missed
abnormal is listed with its evidence, a stretch the data cannot decide says so, near misses are a note."""

from __future__ import annotations

from typing import Any

from fbjd_web.pages.self_audit import EVIDENCE_PAGES
from fbjd_web.templating import TEMPLATES

PS_ID = "3f2b9c0e6a4d4e8f9b1c2d3e4f5a6b7c"


def _check(status: str, findings: list[dict[str, Any]], notes: list[str] | None = None) -> dict[str, Any]:
    check = {"code": 1, "title": "数据显示异常但未报警", "status": status, "findings": findings, "basis": "",
             "unchecked": None}  # fmt: skip
    return check if notes is None else {**check, "notes": notes}


def _render(check: dict[str, Any]) -> str:
    enterprise = {"ps_id": PS_ID, "name": "沧州市华信陶瓷有限公司", "county": "130902", "county_name": "新华区",
                  "checks": [check]}  # fmt: skip
    report = {"window_days": 30, "generated_at": "2026-11-25T02:00:00Z", "counties": [], "enterprises": [enterprise]}
    context = {"report": report, "flagged": [enterprise], "county": None, "days": 30, "evidence": EVIDENCE_PAGES,
               "principal": None, "csrf_token": "t"}  # fmt: skip
    return TEMPLATES.env.get_template("self_audit/page.html").render(context)


def test_a_missed_abnormal_is_listed_with_its_evidence() -> None:
    missed = {
        "text": "1#辊道窑运行期间布袋除尘器停运16分钟，未生成异常记录",
        "evidence": {"service": "rules", "id": None},
    }
    page = _render(_check("findings", [missed]))
    assert "未生成异常记录" in page and f'href="/enterprises/{PS_ID}">证据' in page


def test_what_the_data_cannot_decide_says_so_and_near_misses_are_a_note() -> None:
    unknown = {"text": "1#辊道窑运行期间布袋除尘器无数据，共30分钟", "evidence": {"service": "rules", "id": None}}
    page = _render(_check("warn", [unknown], notes=["未达判定时长的停运 3 段，最长 12 分钟"]))
    assert '<span class="warn">数据无法判定</span>' in page and "共30分钟" in page
    assert '<li class="muted">未达判定时长的停运 3 段，最长 12 分钟</li>' in page


def test_a_report_from_before_notes_existed_still_renders() -> None:
    assert "数据显示异常但未报警" in _render(_check("findings", []))


def test_while_the_first_daily_report_is_generated_the_page_says_so() -> None:
    pending = {"state": "generating", "window_days": 30, "started_at": "2026-11-25T02:00:00Z",
               "detail": "自查报告（最近 30 天）正在生成，全市需要几分钟，请稍后刷新页面"}  # fmt: skip
    context = {"report": pending, "pending": True, "flagged": [], "county": None, "days": 30,
               "evidence": EVIDENCE_PAGES, "principal": None, "csrf_token": "t"}  # fmt: skip
    page = TEMPLATES.env.get_template("self_audit/page.html").render(context)
    assert 'id="self-audit-pending"' in page and "正在生成" in page and "2026-11-25 10:00" in page
    assert "self-audit-counties" not in page


def test_a_stored_report_being_refreshed_shows_when_it_was_made() -> None:
    report = {"window_days": 30, "generated_at": "2026-11-25T18:00:00Z", "counties": [], "enterprises": [],
              "stored": True, "refreshing": True}  # fmt: skip
    context = {"report": report, "pending": False, "flagged": [], "county": None, "days": 30,
               "evidence": EVIDENCE_PAGES, "principal": None, "csrf_token": "t"}  # fmt: skip
    page = TEMPLATES.env.get_template("self_audit/page.html").render(context)
    assert "每日自动生成" in page and 'id="self-audit-refreshing"' in page and "2026-11-26 02:00" in page
