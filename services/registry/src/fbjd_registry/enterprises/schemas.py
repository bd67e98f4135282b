"""The enterprise in and out: the fields of 分表计电验收申请基础信息表, each checked with a clear message."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from fbjd_registry.enterprises.credit_code import credit_code_problem
from fbjd_registry.vocabulary import EnterpriseCategory, Industry, LifecycleStage

__all__ = ["EnterpriseIn", "EnterpriseOut", "EnterprisePatch", "LifecycleStep"]

_PS_ID = re.compile(r"^[0-9a-f]{32}$")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_PERMIT = re.compile(r"^[0-9A-Z]{18}\d{3}[A-Z]$")


def _bad(message: str) -> PydanticCustomError:
    return PydanticCustomError("registry", message)


def _check_ps_id(value: str | None) -> str | None:
    if value is not None and not _PS_ID.match(value):
        raise _bad(f"须为32位小写十六进制字符（0-9、a-f），现为 {value!r}")
    return value


def _check_phone(value: str | None) -> str | None:
    if value is not None and not _PHONE.match(value):
        raise _bad(f"须为11位手机号或带区号的固定电话（如 0317-2025555），现为 {value!r}")
    return value


class _EnterpriseChecks(BaseModel):
    """Field checks shared by create and patch (a patch checks only the fields it carries)."""

    @field_validator("credit_code", check_fields=False)
    @classmethod
    def _credit_code(cls, value: str | None) -> str | None:
        if value is not None and (problem := credit_code_problem(value)) is not None:
            raise _bad(problem)
        return value

    @field_validator("permit_no", check_fields=False)
    @classmethod
    def _permit_no(cls, value: str | None) -> str | None:
        if value is not None and not _PERMIT.match(value):
            raise _bad(f"须为22位：18位统一社会信用代码+3位顺序码+1位字母（如 91130900…001P），现为 {value!r}")
        return value

    @field_validator("postcode", check_fields=False)
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{6}", value):
            raise _bad(f"须为6位数字，现为 {value!r}")
        return value

    @field_validator("county_code", check_fields=False)
    @classmethod
    def _county_code(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{6}", value):
            raise _bad(f"须为6位行政区划代码（如 130902），现为 {value!r}")
        return value

    @field_validator("env_contact_phone", "operator_phone", check_fields=False)
    @classmethod
    def _phones(cls, value: str | None) -> str | None:
        return _check_phone(value)

    @field_validator("name", "address", "legal_representative", "env_contact_name", check_fields=False)
    @classmethod
    def _no_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise _bad("不能只填空格")
        return None if value is None else value.strip()


class EnterpriseIn(_EnterpriseChecks):
    """分表计电验收申请基础信息表 (必填 fields are required; the rest may be added later)."""

    model_config = ConfigDict(extra="forbid")

    ps_id: str | None = Field(default=None, description="32 lowercase hex; generated when omitted")
    name: str = Field(min_length=2, max_length=100)
    address: str = Field(min_length=4, max_length=200)
    county_code: str
    longitude: float
    latitude: float
    credit_code: str
    permit_no: str | None = None
    legal_representative: str = Field(min_length=2, max_length=50)
    postcode: str
    category: EnterpriseCategory
    industry: Industry
    is_300mw_power_plant: bool = False
    env_contact_name: str = Field(min_length=2, max_length=50)
    env_contact_phone: str
    operator_name: str | None = Field(default=None, max_length=100)
    operator_contact: str | None = Field(default=None, max_length=50)
    operator_phone: str | None = None
    planned_install_date: date | None = None
    planned_network_date: date | None = None
    planned_acceptance_date: date | None = None

    @field_validator("ps_id")
    @classmethod
    def _ps_id(cls, value: str | None) -> str | None:
        return _check_ps_id(value)


class EnterprisePatch(_EnterpriseChecks):
    """Any subset of the fields of `EnterpriseIn` (psId excepted); null clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=2, max_length=100)
    address: str | None = Field(default=None, min_length=4, max_length=200)
    county_code: str | None = None
    longitude: float | None = None
    latitude: float | None = None
    credit_code: str | None = None
    permit_no: str | None = None
    legal_representative: str | None = Field(default=None, min_length=2, max_length=50)
    postcode: str | None = None
    category: EnterpriseCategory | None = None
    industry: Industry | None = None
    is_300mw_power_plant: bool | None = None
    env_contact_name: str | None = Field(default=None, min_length=2, max_length=50)
    env_contact_phone: str | None = None
    operator_name: str | None = Field(default=None, max_length=100)
    operator_contact: str | None = Field(default=None, max_length=50)
    operator_phone: str | None = None
    planned_install_date: date | None = None
    planned_network_date: date | None = None
    planned_acceptance_date: date | None = None


class LifecycleStep(BaseModel):
    """Move an enterprise one stage on (安装 → 联网 → 验收), on the date it happened."""

    model_config = ConfigDict(extra="forbid")

    stage: LifecycleStage
    on: date


class EnterpriseOut(BaseModel):
    ps_id: str
    name: str
    address: str
    county_code: str
    longitude: float
    latitude: float
    credit_code: str
    permit_no: str | None
    legal_representative: str
    postcode: str
    category: EnterpriseCategory
    industry: Industry
    is_300mw_power_plant: bool
    env_contact_name: str
    env_contact_phone: str
    operator_name: str | None
    operator_contact: str | None
    operator_phone: str | None
    stage: LifecycleStage
    planned_install_date: date | None
    planned_network_date: date | None
    planned_acceptance_date: date | None
    install_date: date | None
    network_date: date | None
    acceptance_date: date | None
