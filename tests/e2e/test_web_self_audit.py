"""The city's self-audit on the web: the six checks per county of the demo city, the enterprises with findings
and their evidence, and the same report as .xlsx; a county branch sees its own county only."""

from __future__ import annotations

import io

import httpx
from openpyxl import load_workbook

from .conftest import Platform, web_login
from .test_alarm_path import _poll


def _with_counties(page: httpx.Response) -> httpx.Response | None:
    """The page once its stored report lists the demo city's counties (the bridge's first report, made at its
    start, is remade in the background once the demo city is seeded)."""
    return page if ("运河区" in page.text or "沧县" in page.text) else None


def test_the_city_reviews_the_six_checks_by_county_and_exports_them(platform: Platform) -> None:
    with httpx.Client(base_url=platform.base_url, timeout=120) as city:
        web_login(city, "city", platform.admin_password)
        page = _poll("the daily report of the seeded demo city", lambda: _with_counties(city.get("/self-audit")))
        assert page.status_code == 200, page.text[-500:]
        assert 'id="self-audit-counties"' in page.text and "第6项" in page.text
        exported = city.get("/self-audit.xlsx")
        assert exported.status_code == 200
        sheet = load_workbook(io.BytesIO(exported.content)).active
        assert sheet is not None and sheet.max_row > 1, "a header and at least one row"

    with httpx.Client(base_url=platform.base_url, timeout=120) as county:
        web_login(county, "county", platform.admin_password)
        own = county.get("/self-audit")
        assert own.status_code == 200
        other = county.get("/self-audit", params={"county": "130100"})  # not its county
        assert other.status_code in (403, 404)
