"""The link to the province on the web (省平台对接): the city sees each endpoint's backlog as the bridge counts it,
the registry push and the HJ 212 forwarding; the navigation offers it to the city only; a county branch is
refused."""

from __future__ import annotations

import re

import httpx

from .conftest import Platform, web_login


def test_the_city_sees_each_endpoints_backlog_as_the_bridge_counts_it(platform: Platform) -> None:
    headers = {"Authorization": f"Bearer {platform.token('city', platform.admin_password)}"}
    with httpx.Client(base_url=platform.base_url, timeout=60) as city:
        web_login(city, "city", platform.admin_password)
        home = city.get("/overview")
        assert 'href="/bridge"' in home.text, "the city's navigation leads to the page"
        page = city.get("/bridge")
        status = httpx.get(f"{platform.base_url}/api/bridge/status", headers=headers).json()
    assert page.status_code == 200, page.text[-500:]
    assert status["province_base_url"] and status["province_base_url"] in page.text, "the simulated province"
    for endpoint in status["endpoints"]:
        row = re.search(rf'id="endpoint-{endpoint["endpoint"]}">(.*?)</tr>', page.text, re.S)
        assert row is not None and endpoint["path"] in row.group(1)
        backlog = re.findall(r'<td class="num">(\d+)</td>', row.group(1))[0]
        assert abs(int(backlog) - endpoint["backlog"]) <= 5, "the page's backlog is the bridge's (records keep coming)"
    assert 'id="forwarding"' in page.text and 'id="registry-push"' in page.text


def test_a_county_branch_neither_sees_the_link_nor_opens_the_page(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url, timeout=60) as county:
        web_login(county, "county", platform.admin_password)
        assert 'href="/bridge"' not in county.get("/overview").text
        assert county.get("/bridge").status_code == 403
