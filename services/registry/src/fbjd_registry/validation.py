"""Clear, Chinese answers to bad input: every bad field listed with its label and what is wrong.

FastAPI's own 422 (pydantic's English messages) is replaced by the same shape `InvalidInput` produces:
``{"error": {"code": "validation_failed", "message": "...", "problems": [{"field", "label", "message"}]}}``.
Field validators raise `PydanticCustomError("registry", "<Chinese message>")`, whose message is passed on as is.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from fbjd_registry.errors import InvalidInput, Problem

__all__ = ["FIELD_LABELS", "install_validation_handlers", "label_of", "problems_from_errors"]

log = logging.getLogger(__name__)

FIELD_LABELS: dict[str, str] = {
    "ps_id": "企业编号(psId)",
    "name": "名称",
    "address": "企业地址",
    "county_code": "所属县(市、区)",
    "longitude": "经度",
    "latitude": "纬度",
    "credit_code": "统一社会信用代码",
    "permit_no": "排污许可证编号",
    "legal_representative": "法定代表人",
    "postcode": "邮政编码",
    "category": "企业类别",
    "industry": "行业类别",
    "is_300mw_power_plant": "是否30万千瓦及以上火电机组",
    "env_contact_name": "环保联系人",
    "env_contact_phone": "环保联系人电话",
    "operator_name": "第三方运维单位",
    "operator_contact": "运维单位联系人",
    "operator_phone": "运维单位联系电话",
    "planned_install_date": "计划安装日期",
    "planned_network_date": "计划联网日期",
    "planned_acceptance_date": "计划验收日期",
    "kind": "设施类型",
    "process": "工艺/生产线",
    "rated_kw": "额定功率(kW)",
    "needs_treatment": "是否需配套治污设施",
    "facility_id": "所属设施",
    "role": "测点类型",
    "threshold_kw": "启停阈值(kW)",
    "threshold_source": "阈值来源",
    "judgement_minutes": "判定时长(分钟)",
    "mn": "设备MN号",
    "factor_code": "监测因子编码",
    "standby_group": "主备组",
    "production_facility_id": "生产设施",
    "treatment_facility_id": "治污设施",
    "level": "预警级别",
    "action": "管控措施",
    "limit_share": "限产比例",
    "windows": "错峰时段",
    "starts_at": "开始时间",
    "ends_at": "结束时间",
    "counties": "管控县(市、区)",
    "industries": "管控行业",
    "stage": "阶段",
    "on": "日期",
    "code": "代码",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "vendor_id": "技术单位",
    "reason": "原因",
}

_TEMPLATES: dict[str, str] = {
    "missing": "必填项，不能为空",
    "extra_forbidden": "不认识的字段，请删除",
    "string_type": "须为文字",
    "string_too_short": "至少 {min_length} 个字",
    "string_too_long": "最多 {max_length} 个字",
    "string_pattern_mismatch": "格式不对",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "decimal_parsing": "须为数字",
    "bool_parsing": "须为是/否(true/false)",
    "bool_type": "须为是/否(true/false)",
    "date_parsing": "须为日期，格式 YYYY-MM-DD",
    "date_from_datetime_parsing": "须为日期，格式 YYYY-MM-DD",
    "date_type": "须为日期，格式 YYYY-MM-DD",
    "datetime_parsing": "须为时间，格式 YYYY-MM-DDThh:mm:ss+08:00",
    "datetime_from_date_parsing": "须为时间，格式 YYYY-MM-DDThh:mm:ss+08:00",
    "datetime_type": "须为时间，格式 YYYY-MM-DDThh:mm:ss+08:00",
    "timezone_aware": "须带时区，例如 +08:00",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须不小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须不大于 {le}",
    "list_type": "须为列表",
    "uuid_parsing": "须为编号(UUID)",
    "uuid_type": "须为编号(UUID)",
    "json_invalid": "请求体不是合法的 JSON",
    "model_attributes_type": "须为对象",
    "dict_type": "须为对象",
}


def label_of(field: str) -> str:
    return FIELD_LABELS.get(field.rsplit(".", 1)[-1], field)


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "registry":  # our own PydanticCustomError: the message is already the Chinese sentence
        return str(error.get("msg", ""))
    if kind in {"enum", "literal_error"}:
        return f"须为以下之一：{ctx.get('expected', '')}"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    template = _TEMPLATES.get(kind)
    if template is None:
        return str(error.get("msg", "取值不正确"))
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def problems_from_errors(errors: Sequence[Any], *, strip_prefix: tuple[str, ...] = ("body",)) -> list[Problem]:
    """pydantic/FastAPI error dicts → our `Problem`s, one per bad field, labelled in Chinese."""
    problems: list[Problem] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        while loc and loc[0] in strip_prefix:
            loc = loc[1:]
        field = ".".join(loc) or "body"
        problems.append(Problem(field=field, label=label_of(loc[-1]) if loc else "", message=_message(error)))
    return problems


def _body(exc: InvalidInput) -> dict[str, Any]:
    return {
        "error": {
            "code": exc.code,
            "message": exc.message,
            "problems": [problem.as_dict() for problem in exc.problems],
        }
    }


async def _on_request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = problems_from_errors(exc.errors(), strip_prefix=("body", "query", "path"))
    invalid = InvalidInput(problems)
    log.info("request rejected", extra={"problems": len(problems)})
    return JSONResponse(_body(invalid), status_code=invalid.status)


async def _on_invalid_input(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return JSONResponse(_body(exc), status_code=exc.status)


def install_validation_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(InvalidInput, _on_invalid_input)
