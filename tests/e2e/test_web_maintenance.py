"""Maintenance tickets on the web (运维工单): a terminal-offline finding of the rules becomes a ticket assigned to
the enterprise's operator (已派单) that the city sees in its list; the enterprise starts work (处理中) and closes it
with its maintenance record (已关闭)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from fbjd_core.auth import Principal, Role, issue_token

from .conftest import Platform, web_login


def _ceramics_works(platform: Platform) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {platform.admin_token()}"}
    devices = httpx.get(f"{platform.base_url}/api/registry/devices", headers=headers).json()
    return next(d for d in devices if "华信陶瓷" in d["enterprise_name"])


def test_an_offline_terminal_becomes_a_ticket_the_city_sees_and_the_enterprise_works_and_resolves(
    platform: Platform,
) -> None:
    works = _ceramics_works(platform)
    secret = (platform.log_path.parent / "jwt-secret").read_text().strip()
    rules = issue_token(Principal(subject="rules", role=Role.SERVICE), secret=secret, ttl=timedelta(minutes=5))
    finding = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "kind": "terminal_offline",
        "ps_id": works["ps_id"],
        "county": works["county_code"],
        "enterprise_name": works["enterprise_name"],
        "mn": works["mn"],
        "subject": works["mn"],
        "start": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "status": "open",
        "message": "数采仪离线：超过3个数据间隔未收到数据",
    }
    sent = httpx.post(
        f"{platform.base_url}/api/workflow/maintenance/findings",
        json=finding,
        headers={"Authorization": f"Bearer {rules}"},
    )
    assert sent.status_code == 201, sent.text
    ticket_id = sent.json()["ticket_id"]

    with httpx.Client(base_url=platform.base_url) as city:
        web_login(city, "city", platform.admin_password)
        listed = city.get("/maintenance", params={"ps_id": works["ps_id"], "status": "assigned"})
        assert listed.status_code == 200 and f'id="ticket-row-{ticket_id}"' in listed.text
        assert works["enterprise_name"] in listed.text and "数采仪离线" in listed.text and "已派单" in listed.text

    with httpx.Client(base_url=platform.base_url) as enterprise:
        web_login(enterprise, "enterprise", platform.admin_password)
        page = enterprise.get(f"/maintenance/{ticket_id}")
        assert page.status_code == 200 and 'id="start-form"' in page.text and 'id="resolve-form"' in page.text
        csrf = enterprise.cookies["fbjd_csrf"]
        started = enterprise.post(
            f"/maintenance/{ticket_id}/start",
            data={"note": "已安排运维工程师到场", "csrf_token": csrf},
            follow_redirects=True,
        )
        assert started.status_code == 200 and "处理中" in started.text and 'id="ticket-started"' in started.text
        assert 'id="start-form"' not in started.text and 'id="resolve-form"' in started.text
        twice = enterprise.post(f"/maintenance/{ticket_id}/start", data={"csrf_token": csrf})
        assert twice.status_code == 409 and 'id="ticket-error"' in twice.text and "处理中" in twice.text
        working = enterprise.get("/maintenance", params={"status": "in_progress"})
        assert f'id="ticket-row-{ticket_id}"' in working.text
        done = enterprise.post(
            f"/maintenance/{ticket_id}/resolve",
            data={
                "text": "数采仪电源适配器损坏，已更换，数据恢复上传",
                "action": "更换电源适配器",
                "result": "恢复正常",
                "csrf_token": csrf,
            },
            follow_redirects=True,
        )
        assert done.status_code == 200 and "已关闭" in done.text and "更换电源适配器" in done.text
        assert 'id="ticket-record"' in done.text
        assert 'id="resolve-form"' not in done.text and 'id="start-form"' not in done.text, "closed: no action"
