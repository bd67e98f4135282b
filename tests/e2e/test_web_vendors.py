"""Technical units on the web (技术单位): the city sees the demo city's builders and operators with what they built
or operate and how good it is, lists one on the published blacklist with a reason and takes it off again; an
enterprise user may not open the page."""

from __future__ import annotations

import re
from typing import Any

import httpx

from .conftest import Platform, web_login

BUILDER = "河北中科智联环保设备有限公司"  # built enterprises 0, 4, … 48 of the demo catalogue: 13
LISTED = "泊头市昊天环保工程有限公司"


def _vendors(platform: Platform) -> dict[str, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {platform.admin_token()}"}
    rows = httpx.get(f"{platform.base_url}/api/registry/vendors", headers=headers).json()
    return {row["name"]: row for row in rows}


def _row(page: str, vendor_id: str) -> str:
    found = re.search(rf'<tr id="vendor-row-{vendor_id}">(.*?)</tr>', page, re.S)
    assert found is not None, f"no row for {vendor_id}"
    return found.group(1)


def test_the_city_sees_the_demo_vendors_with_their_figures(platform: Platform) -> None:
    vendors = _vendors(platform)
    builder = vendors[BUILDER]
    with httpx.Client(base_url=platform.base_url, timeout=30) as city:
        web_login(city, "city", platform.admin_password)
        page = city.get("/vendors")
        assert page.status_code == 200, page.text
        assert 'href="/vendors"' in page.text, "the navigation links the page"
        for name in (BUILDER, LISTED, "沧州蓝天环境监测技术有限公司"):
            assert name in page.text
        cells = re.findall(r"<td[^>]*>(.*?)</td>", _row(page.text, builder["id"]), re.S)
        assert cells[:2] == ["建设厂商", "13"], cells
        assert int(cells[2]) > 13, "every enterprise has several points"
        assert re.fullmatch(r"\d+\.\d%|—", cells[5].strip()), "this month's transmission rate (— before any is due)"
        assert re.fullmatch(r"(\d+\.\d%|—)（\d+/\d+）", cells[6].strip()), cells[6]

        detail = city.get(f"/vendors/{builder['id']}")
        assert detail.status_code == 200
        assert "沧州市华信陶瓷有限公司" in detail.text and 'id="blacklist-form"' in detail.text
        assert detail.text.count('id="vendor-enterprise-') == 13


def test_the_city_blacklists_a_vendor_with_a_reason_and_takes_it_off_again(platform: Platform) -> None:
    vendor = _vendors(platform)[LISTED]
    reason = "多家企业监控点安装不规范，整改逾期未完成"
    with httpx.Client(base_url=platform.base_url, timeout=30) as city:
        web_login(city, "city", platform.admin_password)
        listed = city.post(
            f"/vendors/{vendor['id']}/blacklist",
            data={"reason": reason, "csrf_token": city.cookies["fbjd_csrf"]},
            follow_redirects=True,
        )
        assert listed.status_code == 200, listed.text
        assert 'id="vendor-blacklisted"' in listed.text and reason in listed.text
        assert 'id="unlist-form"' in listed.text and 'id="blacklist-form"' not in listed.text
        assert "已列入黑名单" in _row(city.get("/vendors").text, vendor["id"])

        again = city.post(
            f"/vendors/{vendor['id']}/blacklist",
            data={"reason": reason, "csrf_token": city.cookies["fbjd_csrf"]},
        )
        assert again.status_code == 409 and "已在黑名单上" in again.text

        removed = city.post(
            f"/vendors/{vendor['id']}/unlist",
            data={"reason": "已完成整改并经复核合格", "csrf_token": city.cookies["fbjd_csrf"]},
            follow_redirects=True,
        )
        assert removed.status_code == 200 and 'id="vendor-blacklisted"' not in removed.text
        assert "已完成整改并经复核合格" in removed.text, "the listing stays in the history with its removal"
        assert "已列入黑名单" not in _row(city.get("/vendors").text, vendor["id"])


def test_an_enterprise_user_may_not_open_the_vendors_pages(platform: Platform) -> None:
    vendor = _vendors(platform)[BUILDER]
    with httpx.Client(base_url=platform.base_url, timeout=30) as enterprise:
        web_login(enterprise, "enterprise", platform.admin_password)
        assert enterprise.get("/vendors").status_code in (403, 404)
        assert enterprise.get(f"/vendors/{vendor['id']}").status_code in (403, 404)
        refused = enterprise.post(
            f"/vendors/{vendor['id']}/blacklist",
            data={"reason": "企业无权操作", "csrf_token": enterprise.cookies["fbjd_csrf"]},
        )
        assert refused.status_code in (403, 404)
    assert not any(e["vendor_id"] == vendor["id"] for e in _blacklist(platform))


def _blacklist(platform: Platform) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {platform.admin_token()}"}
    return httpx.get(f"{platform.base_url}/api/registry/vendor-blacklist", headers=headers).json()
