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
