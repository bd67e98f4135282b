"""Reference data: 沧州市 and its 16 county-level divisions with their GB/T 2260 codes."""

from __future__ import annotations

__all__ = ["CITY_CODE", "CITY_NAME", "COUNTIES"]

CITY_CODE = "130900"
CITY_NAME = "沧州市"

COUNTIES: tuple[tuple[str, str], ...] = (
    ("130902", "新华区"),
    ("130903", "运河区"),
    ("130921", "沧县"),
    ("130922", "青县"),
    ("130923", "东光县"),
    ("130924", "海兴县"),
    ("130925", "盐山县"),
    ("130926", "肃宁县"),
    ("130927", "南皮县"),
    ("130928", "吴桥县"),
    ("130929", "献县"),
    ("130930", "孟村回族自治县"),
    ("130981", "泊头市"),
    ("130982", "任丘市"),
    ("130983", "黄骅市"),
    ("130984", "河间市"),
)
