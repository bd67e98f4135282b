"""On-site labels: one per point, with its correspondence and a QR code of the point's page."""

from __future__ import annotations

import re
import uuid
from html import unescape
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_registry.labels.render import qr_svg

if TYPE_CHECKING:
    from conftest import ApiFactory, Builder

PUBLIC = "http://127.0.0.1:8000"  # the default FBJD_PUBLIC_URL of the test settings


@pytest.fixture
async def ceramics(build: Builder) -> dict[str, Any]:
    """The notice's ceramics example, in small: a spray dryer and a kiln sharing a desulfurization tower."""
    e = await build.enterprise()
    ps_id, mn = e["ps_id"], uuid.uuid4().hex[:24].upper()
    dryer = await build.facility(ps_id, "喷雾干燥塔")
    kiln = await build.facility(ps_id, "1#烧成窑", process="1#生产线")
    bag = await build.facility(ps_id, "喷雾干燥塔布袋除尘器", kind="treatment")
    fgd = await build.facility(ps_id, "脱硫塔", kind="treatment")
    points = {
        "dryer": await build.point(ps_id, dryer, "喷雾干燥塔-热风炉风机", mn=mn, factor_code="d20501"),
        "kiln": await build.point(ps_id, kiln, "1#烧成窑-助燃风机", rated_kw=110.0, threshold_kw=22.0),
        "bag": await build.point(ps_id, bag, "喷雾干燥塔布袋除尘器-收尘风机"),
        "fgd": await build.point(ps_id, fgd, "脱硫塔-循环泵"),
        "total": await build.point(ps_id, None, "全厂总进线"),
    }
    await build.link(ps_id, dryer, bag)
    await build.link(ps_id, dryer, fgd)
    await build.link(ps_id, kiln, fgd)
    return {"enterprise": e, "points": points, "mn": mn}


def _labels(html: str) -> dict[str, str]:
    """The label sections of the page, keyed by point id."""
    found = re.findall(r'<section class="label" data-point-id="([0-9a-f-]+)">(.*?)</section>', html, re.S)
    return dict(found)


async def test_the_sheet_has_a_label_per_point_with_its_correspondence(
    city: httpx.AsyncClient, ceramics: dict[str, Any]
) -> None:
    ps_id, points = ceramics["enterprise"]["ps_id"], ceramics["points"]
    reply = await city.get(f"/enterprises/{ps_id}/labels")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/html")
    html = reply.text
    assert "@page { size: A4" in html and "break-inside: avoid" in html
    assert ceramics["enterprise"]["name"] in html
    labels = _labels(html)
    assert set(labels) == {p["id"] for p in points.values()}

    dryer = unescape(labels[points["dryer"]["id"]])
    assert "喷雾干燥塔-热风炉风机" in dryer and "所属设施</dt><dd>喷雾干燥塔</dd>" in dryer
    assert "配套治污设施" in dryer
    assert "喷雾干燥塔布袋除尘器（喷雾干燥塔布袋除尘器-收尘风机）" in dryer and "脱硫塔（脱硫塔-循环泵）" in dryer
    assert ceramics["mn"] in dryer and "d20501" in dryer

    kiln = unescape(labels[points["kiln"]["id"]])
    assert "1#烧成窑（1#生产线）" in kiln and "110 kW" in kiln and "22 kW" in kiln
    assert "脱硫塔（脱硫塔-循环泵）" in kiln and "布袋除尘器" not in kiln

    fgd = unescape(labels[points["fgd"]["id"]])
    assert (
        "对应生产设施" in fgd
        and "1#烧成窑（1#烧成窑-助燃风机）" in fgd
        and "喷雾干燥塔（喷雾干燥塔-热风炉风机）" in fgd
    )

    total = unescape(labels[points["total"]["id"]])
    assert "总进线" in total and "配套治污设施" not in total and "对应生产设施" not in total
    assert "未登记" in total  # no MN yet: said so, not left blank


async def test_each_qr_code_encodes_the_points_page(city: httpx.AsyncClient, ceramics: dict[str, Any]) -> None:
    ps_id = ceramics["enterprise"]["ps_id"]
    labels = _labels((await city.get(f"/enterprises/{ps_id}/labels")).text)
    for point in ceramics["points"].values():
        url = f"{PUBLIC}/points/{point['id']}"
        label = labels[point["id"]]
        assert "<svg" in label
        assert qr_svg(url) in label  # the very QR code segno makes of the URL
        assert f'<div class="url">{url}</div>' in label  # and the URL as a caption


async def test_a_point_renamed_is_relabelled(city: httpx.AsyncClient, ceramics: dict[str, Any]) -> None:
    ps_id, point = ceramics["enterprise"]["ps_id"], ceramics["points"]["kiln"]
    assert (await city.patch(f"/points/{point['id']}", json={"name": "1#烧成窑-引风机"})).status_code == 200
    labels = _labels((await city.get(f"/enterprises/{ps_id}/labels")).text)
    assert "1#烧成窑-引风机" in labels[point["id"]]
    fgd = unescape(labels[ceramics["points"]["fgd"]["id"]])
    assert "1#烧成窑（1#烧成窑-引风机）" in fgd


async def test_labels_follow_the_enterprise_scopes(api: ApiFactory, build: Builder, ceramics: dict[str, Any]) -> None:
    ps_id = ceramics["enterprise"]["ps_id"]  # in 新华区
    other = await build.enterprise(county_code="130921")
    assert (await api(Role.ENTERPRISE, enterprise_id=ps_id).get(f"/enterprises/{ps_id}/labels")).status_code == 200
    assert (
        await api(Role.ENTERPRISE, enterprise_id=other["ps_id"]).get(f"/enterprises/{ps_id}/labels")
    ).status_code == 404
    assert (await api(Role.COUNTY, county="130902").get(f"/enterprises/{ps_id}/labels")).status_code == 200
    assert (await api(Role.COUNTY, county="130921").get(f"/enterprises/{ps_id}/labels")).status_code == 404
    assert (await api(Role.PROVINCE).get(f"/enterprises/{ps_id}/labels")).status_code == 403
