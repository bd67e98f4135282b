"""The city's page of the link to the province (省平台对接), from the bridge's state as its API sends it (no
platform needed): a failing province shows its backlog, last error and back-off; a record the province refused
is listed with the reason, the province's answer and a retry; what is not configured says so."""

from __future__ import annotations

from typing import Any

from fbjd_web.pages.bridge import DELIVERY_LABELS, ENDPOINT_LABELS
from fbjd_web.templating import TEMPLATES
from fbjd_web.vocabulary import STAGE_LABELS

FAILING: dict[str, Any] = {
    "province_base_url": "http://province.example:8080",
    "sender_running": True,
    "endpoints": [
        {
            "endpoint": "abnormal",
            "path": "/pcom/ps/ex/join/abnormal",
            "backlog": 37,
            "oldest_pending_at": "2026-11-25T01:00:00Z",
            "dead_letters": 1,
            "last_success_at": "2026-11-25T00:58:00Z",
            "last_attempt_at": "2026-11-25T02:00:00Z",
            "last_error": "HTTP 500",
            "last_error_at": "2026-11-25T02:00:00Z",
            "consecutive_failures": 6,
            "next_attempt_at": "2026-11-25T02:04:00Z",
        },
        {
            "endpoint": "limit",
            "path": "/pcom/ps/ex/join/limit",
            "backlog": 0,
            "oldest_pending_at": None,
            "dead_letters": 0,
            "last_success_at": None,
            "last_attempt_at": None,
            "last_error": None,
            "last_error_at": None,
            "consecutive_failures": 0,
            "next_attempt_at": None,
        },
    ],
    "registry_push": None,
}
REFUSED = {
    "seq": 412,
    "record_id": "5f0c3e1a-7d7e-5a43-9a57-0c2f3b9b1d11",
    "version": 2,
    "ps_id": "3f2b9c0e6a4d4e8f9b1c2d3e4f5a6b7c",
    "endpoint": "abnormal",
    "body": {"psId": "3f2b9c0e6a4d4e8f9b1c2d3e4f5a6b7c"},
    "rejections": 1,
    "error": "the province refused the record as invalid",
    "reply": '{"success": false, "msg": "treatmentAmmeterId 不存在"}',
    "created_at": "2026-11-25T01:00:00Z",
    "dead_at": "2026-11-25T01:00:05Z",
}
NOT_FORWARDING: dict[str, Any] = {"upstreams": []}


def _upstream(name: str, address: str, **state: Any) -> dict[str, Any]:
    healthy = {
        "name": name,
        "address": address,
        "county": None,
        "running": True,
        "connected": True,
        "connected_since": "2026-11-25T00:00:00Z",
        "cursor": None,
        "backlog": 0,
        "backlog_cap": 100_000,
        "oldest_waiting_at": None,
        "forwarded": 5120,
        "skipped": 0,
        "last_ack_at": "2026-11-25T02:00:00Z",
        "last_attempt_at": "2026-11-25T02:00:00Z",
        "last_error": None,
        "last_error_at": None,
        "consecutive_failures": 0,
        "next_attempt_at": None,
    }
    return {**healthy, **state}


FORWARDING = {
    "upstreams": [
        _upstream("province", "10.0.0.1:9000"),
        _upstream(
            "cangxian",
            "10.0.0.2:9000",
            county="130921",
            connected=False,
            connected_since=None,
            backlog=340,
            oldest_waiting_at="2026-11-25T01:00:00Z",
            forwarded=800,
            last_error="无法连接上级平台 10.0.0.2:9000：Connection refused",
            last_error_at="2026-11-25T02:00:00Z",
            consecutive_failures=4,
            next_attempt_at="2026-11-25T02:00:32Z",
        ),
    ]
}


COUNTY_REPORT = {
    "id": "0b8c7f4e-2a51-5d6e-8f3c-5a1b9e0d2c44",
    "endpoint": "abnormal",
    "ps_id": "3f2b9c0e6a4d4e8f9b1c2d3e4f5a6b7c",
    "county": "130921",
    "enterprise_name": "沧州市华信陶瓷有限公司",
    "point": "pt-1",
    "start": "2026-11-25T01:00:00Z",
    "end": "2026-11-25T01:40:00Z",
    "status": "open",
    "merged_into": None,
    "reports": 3,
    "version": 3,
    "reported_by": "county-130921",
    "delivery": {"state": "delivered", "last_error": None, "alarm_stage": "enterprise_check"},
}


def _render(
    status: dict[str, Any],
    dead_letters: list[dict[str, Any]],
    retried: int | None = None,
    county_reports: list[dict[str, Any]] | None = None,
    forwarding: dict[str, Any] | None = None,
) -> str:
    context = {
        "county_reports": county_reports or [],
        "delivery_labels": DELIVERY_LABELS,
        "stage_labels": STAGE_LABELS,
        "status": status,
        "forwarding": forwarding or NOT_FORWARDING,
        "dead_letters": dead_letters,
        "failing": any(e["consecutive_failures"] for e in status["endpoints"]),
        "endpoint_labels": ENDPOINT_LABELS,
        "retried": retried,
        "principal": None,
        "csrf_token": "t0k3n",
    }
    return TEMPLATES.env.get_template("bridge/page.html").render(context)


def test_a_failing_province_shows_the_backlog_the_last_error_and_when_the_sender_tries_again() -> None:
    page = _render(FAILING, [])
    row = page[page.index('id="endpoint-abnormal"') : page.index('id="endpoint-limit"')]
    assert "治理设施异常" in row and '<td class="num">37</td>' in row
    assert "2026-11-25 10:00：HTTP 500" in row, "the last error, at China Standard Time"
    assert '<td class="num">6</td>' in row and "2026-11-25 10:04" in row, "failures so far and the next attempt"
    assert 'id="push-failing"' in page
    assert 'hx-get="/bridge" hx-trigger="every 10s"' in page, "the state refreshes itself"


def test_a_healthy_province_raises_no_alarm() -> None:
    healthy = {**FAILING, "endpoints": [FAILING["endpoints"][1]]}
    page = _render(healthy, [])
    assert 'id="push-failing"' not in page and 'id="no-dead-letters"' in page


def test_a_record_the_province_refused_is_listed_with_its_answer_and_a_retry() -> None:
    page = _render(FAILING, [REFUSED])
    row = page[page.index('id="dead-letter-412"') :]
    assert "treatmentAmmeterId 不存在" in row and 'href="/alarms/5f0c3e1a-7d7e-5a43-9a57-0c2f3b9b1d11"' in row
    assert 'action="/bridge/dead-letters/412/retry"' in row and 'name="csrf_token" value="t0k3n"' in row


def test_after_a_retry_the_page_says_the_record_is_queued_again() -> None:
    page = _render(FAILING, [], retried=412)
    assert 'id="retried"' in page and "第 412 号记录已重新排队" in page


def test_what_is_not_configured_says_so() -> None:
    page = _render({**FAILING, "province_base_url": None}, [])
    assert "<strong>未配置</strong>" in page
    assert "未配置上级平台地址" in page and "未配置推送目标" in page


def test_a_county_platforms_record_shows_its_way_into_the_citys_disposition() -> None:
    page = _render(FAILING, [], county_reports=[COUNTY_REPORT])
    row = page[page.index('id="county-report-0b8c7f4e-2a51-5d6e-8f3c-5a1b9e0d2c44"') :]
    assert "沧州市华信陶瓷有限公司" in row and "2026-11-25 09:00 — 2026-11-25 09:40" in row
    assert "已转入本市处置" in row and 'href="/alarms/0b8c7f4e-2a51-5d6e-8f3c-5a1b9e0d2c44">企业自查<' in row
    retrying = {**COUNTY_REPORT, "delivery": {"state": "retrying", "last_error": "HTTP 503", "alarm_stage": None}}
    again = _render(FAILING, [], county_reports=[retrying])
    assert "转入失败，重试中：HTTP 503" in again and 'href="/alarms/0b8c7f4e' not in again
    assert 'id="no-county-reports"' in _render(FAILING, [])


def test_each_upstream_shows_its_own_link_backlog_and_last_error() -> None:
    page = _render(FAILING, [], forwarding=FORWARDING)
    province = page[page.index('id="upstream-province"') : page.index('id="upstream-cangxian"')]
    assert "已连接" in province and '<td class="num">0</td>' in province and "5120" in province
    county = page[page.index('id="upstream-cangxian"') :]
    assert "<code>10.0.0.2:9000</code>" in county and "仅 130921 县的终端" in county
    assert "未连接" in county and "340（最早接收于 2026-11-25 09:00）" in county, "its backlog, at CST"
    assert "2026-11-25 10:00：无法连接上级平台" in county and "连续 4 次" in county
    assert "未配置上级平台地址" not in page
