"""The maintenance ticket page (运维工单) from a ticket as the workflow sends it (no platform needed): the state in
Chinese, the operator, and exactly the actions the workflow allows the signed-in user — start work next to the
maintenance record while assigned, the record alone while in progress, the record table once closed."""

from __future__ import annotations

from typing import Any

from fbjd_web.pages.maintenance import STATUS_LABELS
from fbjd_web.paging import page_of
from fbjd_web.templating import TEMPLATES

TICKET: dict[str, Any] = {
    "id": "01936f0e-8c5a-7c1e-9a59-2f7f3b1d0a22",
    "kind": "terminal_offline",
    "kind_label": "数采仪离线",
    "ps_id": "3f2b9c0e6a4d4e8f9b1c2d3e4f5a6b7c",
    "enterprise_name": "沧州市华信陶瓷有限公司",
    "county": "130921",
    "mn": "0102030405060708090A0B0C",
    "point_id": None,
    "problem": "数采仪离线：超过3个数据间隔未收到数据",
    "started_at": "2026-11-25T01:15:00Z",
    "ended_at": None,
    "status": "assigned",
    "status_label": "已派单",
    "operator_name": "河北环测科技有限公司",
    "operator_phone": "0317-2025555",
    "work_started_at": None,
    "work_started_by": None,
    "opened_at": "2026-11-25T01:20:00Z",
    "deadline_at": "2026-11-28T01:20:00Z",
    "overdue": False,
    "escalated_at": None,
    "closed_at": None,
    "close_reason": None,
    "close_reason_label": None,
    "resolution": None,
    "resolved_by": None,
    "allowed_actions": ["start", "resolve"],
    "events": [
        {
            "at": "2026-11-25T01:20:00Z",
            "actor": "rules",
            "action_label": "生成运维工单并派单",
            "reason": "收到运维问题：数采仪离线；派单至第三方运维单位「河北环测科技有限公司」",
        }
    ],
}

WORKING = {
    **TICKET,
    "status": "in_progress",
    "status_label": "处理中",
    "work_started_at": "2026-11-25T02:00:00Z",
    "work_started_by": "ent-huaxin",
    "allowed_actions": ["resolve"],
}

CLOSED = {
    **WORKING,
    "status": "closed",
    "status_label": "已关闭",
    "close_reason": "resolved",
    "close_reason_label": "运维处理办结",
    "resolved_by": "ent-huaxin",
    "allowed_actions": [],
    "resolution": {
        "date": "2026-11-25T06:30:00+00:00",
        "point_id": None,
        "mn": "0102030405060708090A0B0C",
        "problem": "数采仪离线：超过3个数据间隔未收到数据",
        "text": "数采仪电源适配器损坏，已更换",
        "action": "更换电源适配器",
        "result": "恢复正常",
        "person": "ent-huaxin",
    },
}


def _render(ticket: dict[str, Any], error: str | None = None) -> str:
    context = {"ticket": ticket, "error": error, "principal": None, "csrf_token": "t0k3n"}
    return TEMPLATES.env.get_template("maintenance/ticket.html").render(context)


def test_an_assigned_ticket_offers_start_work_next_to_the_maintenance_record() -> None:
    page = _render(TICKET)
    assert '<dd id="ticket-status" class="ticket-status-assigned">已派单</dd>' in page
    assert "河北环测科技有限公司（0317-2025555）" in page
    assert 'id="start-form"' in page and 'action="/maintenance/01936f0e-8c5a-7c1e-9a59-2f7f3b1d0a22/start"' in page
    assert 'id="resolve-form"' in page and page.index('id="start-form"') < page.index('id="resolve-form"')
    assert page.count('name="csrf_token" value="t0k3n"') == 2, "both forms carry the CSRF token"


def test_an_in_progress_ticket_says_who_started_and_offers_only_the_record() -> None:
    page = _render(WORKING)
    assert "处理中" in page and 'id="ticket-started">ent-huaxin，2026-11-25 10:00<' in page
    assert 'id="start-form"' not in page and 'id="resolve-form"' in page


def test_a_closed_ticket_shows_the_record_in_the_guidelines_fields_and_offers_nothing() -> None:
    page = _render(CLOSED)
    assert "已关闭（运维处理办结）" in page
    record = page[page.index('id="ticket-record"') :]
    for heading in ("日期", "点位", "问题", "处理情况及措施", "处理结果", "运维人员"):
        assert f'<th scope="col">{heading}</th>' in record
    assert "2026-11-25 14:30" in record and "0102030405060708090A0B0C" in record and "更换电源适配器" in record
    assert 'id="start-form"' not in page and 'id="resolve-form"' not in page


def test_a_ticket_without_a_registered_operator_says_so() -> None:
    page = _render({**TICKET, "operator_name": None, "operator_phone": None})
    assert "未登记（派单至企业，由企业转交其运维单位）" in page


def test_a_refused_step_shows_the_workflows_reason() -> None:
    page = _render(WORKING, error="运维工单当前为「处理中」(in_progress)，不能执行「开始处理」(start)")
    assert 'role="alert" id="ticket-error">运维工单当前为「处理中」(in_progress)' in page


def test_the_list_filters_by_each_state_in_chinese() -> None:
    context = {
        "tickets": [TICKET, WORKING],
        "status": "in_progress",
        "page": page_of(offset=0, limit=50, shown=2, total_header="2"),
        "status_labels": STATUS_LABELS,
        "ps_id": None,
        "previous_url": "",
        "next_url": "",
        "principal": None,
        "csrf_token": "t",
    }
    page = TEMPLATES.env.get_template("maintenance/page.html").render(context)
    for value, label in (("open", "未关闭"), ("assigned", "已派单"), ("closed", "已关闭")):
        assert f'<option value="{value}" >{label}</option>' in page
    assert '<option value="in_progress" selected>处理中</option>' in page
    assert '<td class="ticket-status-assigned">已派单</td>' in page and "<td>河北环测科技有限公司</td>" in page
