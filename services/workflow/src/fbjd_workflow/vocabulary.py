"""The closed lists of the process, each with the Chinese term the bureau's forms use."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ABNORMAL_TYPE_LABELS",
    "AbnormalType",
    "Conclusion",
    "DeclarationKind",
    "DeclarationStatus",
    "Grade",
    "HandlingReason",
    "PreDeclarationReason",
    "ReviewDecision",
    "TaskStatus",
    "label",
]


class AbnormalType(StrEnum):
    TREATMENT_ABNORMAL = "treatment_abnormal"  # 治理设施异常
    STOP_VIOLATION = "stop_violation"  # 应停未停
    LIMIT_VIOLATION = "limit_violation"  # 限产未限
    OFFPEAK_VIOLATION = "offpeak_violation"  # 错峰未错


ABNORMAL_TYPE_LABELS: dict[str, str] = {
    AbnormalType.TREATMENT_ABNORMAL: "治理设施异常",
    AbnormalType.STOP_VIOLATION: "应停未停",
    AbnormalType.LIMIT_VIOLATION: "限产未限",
    AbnormalType.OFFPEAK_VIOLATION: "错峰未错",
}


class Grade(StrEnum):
    GENERAL = "general"  # 一般
    SERIOUS = "serious"  # 较重
    GRAVE = "grave"  # 严重


class HandlingReason(StrEnum):
    """Why the enterprise says the alarm happened (企业自查原因), for handling and for after-declarations."""

    EQUIPMENT_FAULT = "equipment_fault"  # 设备故障
    POWER_LOSS = "power_loss"  # 突然断电
    MAINTENANCE = "maintenance"  # 检修维护
    OTHER = "other"  # 其他


class PreDeclarationReason(StrEnum):
    """Why a facility will look abnormal in a coming window (提前申报原因)."""

    OVERHAUL = "overhaul"  # 设备检修（如应急管控期间检修）
    POWER_WITHOUT_PRODUCTION = "power_without_production"  # 用电不生产
    OTHER = "other"  # 其他


class DeclarationKind(StrEnum):
    BEFORE = "before"  # 提前申报
    AFTER = "after"  # 事后申报


class DeclarationStatus(StrEnum):
    PENDING = "pending"  # 待审批
    APPROVED = "approved"  # 已批准
    REFUSED = "refused"  # 未批准
    SUBMITTED = "submitted"  # 已提交（事后申报，随报警审核）


class ReviewDecision(StrEnum):
    APPROVE = "approve"  # 审核通过
    REJECT = "reject"  # 审核不通过


class TaskStatus(StrEnum):
    NEW = "new"  # 待接收
    ACCEPTED = "accepted"  # 已接收
    COMPLETED = "completed"  # 已办结
    CANCELLED = "cancelled"  # 已撤销


class Conclusion(StrEnum):
    """The officer's conclusion on site (核查结论)."""

    VIOLATION_CONFIRMED = "violation_confirmed"  # 违法属实，立案查处
    RECTIFIED_ON_SITE = "rectified_on_site"  # 存在问题，已现场整改
    NO_VIOLATION = "no_violation"  # 未发现违法行为


_LABELS: dict[str, str] = {
    **ABNORMAL_TYPE_LABELS,
    Grade.GENERAL: "一般",
    Grade.SERIOUS: "较重",
    Grade.GRAVE: "严重",
    "handling_reason:" + HandlingReason.EQUIPMENT_FAULT: "设备故障",
    "handling_reason:" + HandlingReason.POWER_LOSS: "突然断电",
    "handling_reason:" + HandlingReason.MAINTENANCE: "检修维护",
    "handling_reason:" + HandlingReason.OTHER: "其他",
    "pre_reason:" + PreDeclarationReason.OVERHAUL: "设备检修",
    "pre_reason:" + PreDeclarationReason.POWER_WITHOUT_PRODUCTION: "用电不生产",
    "pre_reason:" + PreDeclarationReason.OTHER: "其他",
    Conclusion.VIOLATION_CONFIRMED: "违法属实，立案查处",
    Conclusion.RECTIFIED_ON_SITE: "存在问题，已现场整改",
    Conclusion.NO_VIOLATION: "未发现违法行为",
}


def label(value: str, *, prefix: str = "") -> str:
    """The Chinese term of a code (`prefix` picks a list where codes repeat, e.g. "handling_reason")."""
    return _LABELS.get(f"{prefix}:{value}" if prefix else value, value)
