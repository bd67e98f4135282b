"""The closed lists the records pages offer in forms and show in tables, with the bureau's Chinese terms.

They mirror the services' own lists (workflow's stages, types, reasons; registry's lifecycle stages); the API
still checks every value, so a list that fell behind shows an option the API refuses, never a wrong record.
"""

from __future__ import annotations

__all__ = [
    "CLOSED_STAGES",
    "CONCLUSION_LABELS",
    "CONTROL_TYPES",
    "DECLARATION_STATUS_LABELS",
    "GRADE_LABELS",
    "HANDLING_REASONS",
    "LIFECYCLE_LABELS",
    "OPEN_STAGES",
    "PRE_REASONS",
    "STAGE_LABELS",
    "TASK_STATUS_LABELS",
    "TYPE_LABELS",
]

TYPE_LABELS: dict[str, str] = {
    "treatment_abnormal": "治理设施异常",
    "stop_violation": "应停未停",
    "limit_violation": "限产未限",
    "offpeak_violation": "错峰未错",
}

#: Grades (等级) in the order of their gravity.
GRADE_LABELS: dict[str, str] = {"general": "一般", "serious": "较重", "grave": "严重"}

#: Types judged against an emergency or differentiated control period (the chart draws its band).
CONTROL_TYPES = frozenset({"stop_violation", "limit_violation", "offpeak_violation"})

STAGE_LABELS: dict[str, str] = {
    "enterprise_check": "企业自查",
    "closed_by_enterprise": "企业已处理",
    "city_review": "市局审核",
    "approved": "审核通过",
    "rejected": "审核不通过",
    "enforcement": "执法核查",
    "inspected": "已现场核查",
    "covered_by_declaration": "已提前申报",
    "withdrawn": "已撤销",
}

OPEN_STAGES = ("enterprise_check", "city_review", "rejected", "enforcement")
CLOSED_STAGES = tuple(stage for stage in STAGE_LABELS if stage not in OPEN_STAGES)

#: 企业自查原因 (handling and after-declarations).
HANDLING_REASONS: dict[str, str] = {
    "equipment_fault": "设备故障",
    "power_loss": "突然断电",
    "maintenance": "检修维护",
    "other": "其他",
}

#: 提前申报原因.
PRE_REASONS: dict[str, str] = {
    "overhaul": "设备检修",
    "power_without_production": "用电不生产",
    "other": "其他",
}

DECLARATION_STATUS_LABELS: dict[str, str] = {
    "pending": "待审批",
    "approved": "已批准",
    "refused": "未批准",
    "submitted": "已提交",
}

TASK_STATUS_LABELS: dict[str, str] = {
    "new": "待接收",
    "accepted": "已接收",
    "completed": "已办结",
    "cancelled": "已撤销",
}

CONCLUSION_LABELS: dict[str, str] = {
    "violation_confirmed": "违法属实，立案查处",
    "rectified_on_site": "存在问题，已现场整改",
    "no_violation": "未发现违法行为",
}

#: 分表计电建设进度 (registry lifecycle), in order.
LIFECYCLE_LABELS: dict[str, str] = {
    "planned": "计划安装",
    "installing": "安装中",
    "networked": "已联网",
    "accepted": "已验收",
}
