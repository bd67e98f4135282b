"""Sample master data that passes the registry's checks: a fresh credit code and an enterprise form
(分表计电验收申请基础信息表) with every required field. For tests and tools that need a real enterprise in a
registry they talk to over HTTP; register_works() writes one through the registry's own API.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx

from fbjd_registry.enterprises.credit_code import ALPHABET, check_character

__all__ = ["APPLICATION_FORM", "MINIMAL_PDF", "XINHUA", "credit_code", "enterprise_form", "register_works"]

XINHUA = "130902"  # 沧州市新华区

#: The acceptance application's own fields (分表计电验收申请基础信息表, second part), every 必填 one filled in.
APPLICATION_FORM: dict[str, Any] = {
    "builder_name": "河北环测科技有限公司",
    "builder_contact": "赵建设",
    "builder_phone": "13803170002",
    "installed_on": "2026-03-05",
    "networked_on": "2026-04-02",
    "devices_count": 3,
    "permit_production_facilities": 1,
    "permit_treatment_facilities": 1,
    "applicant_name": "李环保",
    "applicant_phone": "0317-2025555",
    "applied_on": "2026-04-10",
}
#: The smallest file the document checks take for a PDF (an uploaded permit copy, a test report).
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def credit_code(county: str = XINHUA) -> str:
    """A fresh, valid unified social credit code: 91 (enterprise) + county + 9 random characters + check."""
    body = "91" + county + "".join(random.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


def enterprise_form(county: str = XINHUA, *, name: str = "沧州市测试陶瓷有限公司", **overrides: Any) -> dict[str, Any]:
    """The required fields of an enterprise in `county`, with a new psId and credit code; `name` gets a random
    four-digit suffix (names are unique in a county); `overrides` replace or add fields."""
    code = overrides.pop("credit_code", None) or credit_code(county)
    form: dict[str, Any] = {
        "ps_id": uuid.uuid4().hex,
        "name": f"{name}{random.randint(1000, 9999)}",
        "address": "河北省沧州市新华区建设北街88号",
        "county_code": county,
        "longitude": 116.85,
        "latitude": 38.31,
        "credit_code": code,
        "permit_no": code + "001P",
        "legal_representative": "张建国",
        "postcode": "061000",
        "category": "一般企业",
        "industry": "新型建材",
        "env_contact_name": "李环保",
        "env_contact_phone": "13803170001",
    }
    form.update(overrides)
    return form


async def _created(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = await client.post(path, json=body)
    if reply.status_code != 201:
        raise AssertionError(f"the registry refused {path}: {reply.status_code} {reply.text}")
    made: dict[str, Any] = reply.json()
    return made


async def register_works(
    client: httpx.AsyncClient,
    county: str = XINHUA,
    *,
    name: str = "沧州市测试陶瓷有限公司",
    production: tuple[str, str] = ("1#辊道窑", "1#辊道窑-主电机"),
    treatment: tuple[str, str, str] = ("布袋除尘器", "布袋除尘器-1#风机", "布袋除尘器-2#风机"),
    total_line: bool = False,
    **form: Any,
) -> dict[str, Any]:
    """Register, through the registry's API (`client` based at /api/registry), a works that passes the
    registry's checks: a production facility with its point, a treatment facility with a main and a standby
    point of one group, the link between them, and (`total_line`) a total incoming line. `production` is
    (facility, point) names, `treatment` (facility, main point, standby point); `form` overrides enterprise
    fields (e.g. industry). Returns what the registry answered: ps_id, county, production, treatment,
    production_point, main, standby, total (None without `total_line`), link."""
    body = enterprise_form(county, name=name, **form)
    ps_id = body["ps_id"]
    await _created(client, "/enterprises", body)
    made = await _created(client, f"/enterprises/{ps_id}/facilities", {"name": production[0], "kind": "production"})
    treats = await _created(client, f"/enterprises/{ps_id}/facilities", {"name": treatment[0], "kind": "treatment"})
    rated = {"rated_kw": 75.0, "threshold_kw": 10.0}
    points = f"/enterprises/{ps_id}/points"
    production_point = await _created(
        client, points, {**rated, "facility_id": made["id"], "name": production[1], "role": "production"}
    )
    fan = {**rated, "facility_id": treats["id"], "role": "treatment", "standby_group": "主备"}
    main = await _created(client, points, {**fan, "name": treatment[1]})
    standby = await _created(client, points, {**fan, "name": treatment[2]})
    total = None
    if total_line:
        line = {"rated_kw": 400.0, "threshold_kw": 5.0, "name": "总进线", "role": "total_line"}
        total = await _created(client, points, line)
    link = await _created(
        client,
        f"/enterprises/{ps_id}/links",
        {"production_facility_id": made["id"], "treatment_facility_id": treats["id"]},
    )
    return {
        "ps_id": ps_id,
        "county": county,
        "production": made,
        "treatment": treats,
        "production_point": production_point,
        "main": main,
        "standby": standby,
        "total": total,
        "link": link,
    }
