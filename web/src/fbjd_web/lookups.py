"""The registry's names for ids that other services answer with (psId → enterprise, county code → county name),
and the closed vocabularies the filters offer. Fetched per request with the user's own token (so a county user's
lookup holds only its county's enterprises).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from fbjd_web.gateway import api_get
from fbjd_web.session import current_principal

__all__ = [
    "INDUSTRIES",
    "POINT_ROLE_LABELS",
    "STAGE_LABELS",
    "THRESHOLD_SOURCE_LABELS",
    "county_names",
    "enterprise_index",
    "is_staff",
]

#: 行业类别: the 23 industries of 分表计电验收申请基础信息表 (as the registry stores them).
INDUSTRIES = (
    "钢铁 新型建材 铸造 化肥 化工 农药 皮革 橡胶 塑料 工业涂装 包装印刷 焦化 矿山开采 畜禽养殖 生物发电 水泥 玻璃 "
    "电力 石化 碳素 制药 垃圾焚烧 其他"
).split()
STAGE_LABELS = {"planned": "计划安装", "installing": "安装中", "networked": "已联网", "accepted": "已验收"}
POINT_ROLE_LABELS = {"total_line": "总进线", "production": "生产", "treatment": "治污", "integrated": "产治一体"}
THRESHOLD_SOURCE_LABELS = {"declared": "企业申报", "learned": "平台学习", "manual": "人工设定"}


def is_staff(request: Request) -> bool:
    """City, county and admin users (not enterprises): who may see operator views and act on them."""
    principal = current_principal(request)
    return principal is not None and principal.role.value in ("city", "county", "admin")


async def enterprise_index(request: Request, **filters: Any) -> dict[str, dict[str, Any]]:
    """psId → the registry's enterprise, for every enterprise the user may see (at most 5,000)."""
    params = {"limit": 5000, **{k: v for k, v in filters.items() if v}}
    rows = await api_get(request, "/api/registry/enterprises", params)
    return {row["ps_id"]: row for row in rows}


async def county_names(request: Request) -> dict[str, str]:
    """County code → name (沧州市's 16 counties), for every city the registry knows."""
    cities = await api_get(request, "/api/registry/regions")
    return {county["code"]: county["name"] for city in cities for county in city["counties"]}
