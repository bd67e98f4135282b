"""Sample master data that passes the registry's checks: a fresh credit code and an enterprise form
(分表计电验收申请基础信息表) with every required field. For tests and tools that need a real enterprise in a
registry they talk to over HTTP; nothing here writes anything.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from fbjd_registry.enterprises.credit_code import ALPHABET, check_character

__all__ = ["XINHUA", "credit_code", "enterprise_form"]

XINHUA = "130902"  # 沧州市新华区


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
