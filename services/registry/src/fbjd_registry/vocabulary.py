"""The registry's closed vocabularies, with the Chinese term of the sources.

Enterprise categories and industries are stored and exchanged in Chinese, exactly as the acceptance form
(分表计电验收申请基础信息表) writes them; technical roles are English codes with the Chinese term alongside.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CONTROL_LEVEL_LABELS",
    "ControlAction",
    "ControlLevel",
    "EnterpriseCategory",
    "FacilityKind",
    "Industry",
    "LifecycleStage",
    "POINT_ROLE_LABELS",
    "PointRole",
    "ThresholdSource",
    "VENDOR_KIND_LABELS",
    "VendorKind",
]


class EnterpriseCategory(StrEnum):
    """企业类别."""

    CENTRAL_SOE = "央企"
    STATE_OWNED = "国企"
    LARGE_MEDIUM = "大中型企业"
    GENERAL = "一般企业"


class Industry(StrEnum):
    """行业类别: the 23 industries of the acceptance form."""

    STEEL = "钢铁"
    NEW_BUILDING_MATERIALS = "新型建材"
    CASTING = "铸造"
    FERTILIZER = "化肥"
    CHEMICAL = "化工"
    PESTICIDE = "农药"
    LEATHER = "皮革"
    RUBBER = "橡胶"
    PLASTICS = "塑料"
    INDUSTRIAL_COATING = "工业涂装"
    PACKAGING_PRINTING = "包装印刷"
    COKING = "焦化"
    MINING = "矿山开采"
    LIVESTOCK = "畜禽养殖"
    BIOMASS_POWER = "生物发电"
    CEMENT = "水泥"
    GLASS = "玻璃"
    POWER = "电力"
    PETROCHEMICAL = "石化"
    CARBON = "碳素"
    PHARMACEUTICAL = "制药"
    WASTE_INCINERATION = "垃圾焚烧"
    OTHER = "其他"


class LifecycleStage(StrEnum):
    """分表计电建设进度: planned 计划 → installing 安装中 → networked 已联网 → accepted 已验收."""

    PLANNED = "planned"
    INSTALLING = "installing"
    NETWORKED = "networked"
    ACCEPTED = "accepted"


class FacilityKind(StrEnum):
    PRODUCTION = "production"  # 生产设施
    TREATMENT = "treatment"  # 治污设施 (治理设施)


class PointRole(StrEnum):
    TOTAL_LINE = "total_line"  # 总进线
    PRODUCTION = "production"  # 生产设施测点
    TREATMENT = "treatment"  # 治污设施测点
    INTEGRATED = "integrated"  # 产治一体


POINT_ROLE_LABELS: dict[PointRole, str] = {
    PointRole.TOTAL_LINE: "总进线",
    PointRole.PRODUCTION: "生产",
    PointRole.TREATMENT: "治污",
    PointRole.INTEGRATED: "产治一体",
}


class ThresholdSource(StrEnum):
    DECLARED = "declared"  # 企业申报
    LEARNED = "learned"  # 平台学习
    MANUAL = "manual"  # 人工设定


class ControlLevel(StrEnum):
    """重污染天气预警级别, plus differentiated control (差异化管控, e.g. 错峰生产)."""

    RED = "red"  # 红色
    ORANGE = "orange"  # 橙色
    YELLOW = "yellow"  # 黄色
    DIFFERENTIATED = "differentiated"  # 差异化管控


CONTROL_LEVEL_LABELS: dict[ControlLevel, str] = {
    ControlLevel.RED: "红色预警",
    ControlLevel.ORANGE: "橙色预警",
    ControlLevel.YELLOW: "黄色预警",
    ControlLevel.DIFFERENTIATED: "差异化管控",
}


class ControlAction(StrEnum):
    STOP = "stop"  # 停产
    LIMIT = "limit"  # 限产 (to a share of normal consumption)
    OFF_PEAK = "off_peak"  # 错峰 (forbidden time windows)


class VendorKind(StrEnum):
    """技术单位的类型: who built the installation, or who operates it."""

    BUILDER = "builder"  # 建设厂商
    OPERATOR = "operator"  # 第三方运营商（运维单位）


VENDOR_KIND_LABELS: dict[VendorKind, str] = {VendorKind.BUILDER: "建设厂商", VendorKind.OPERATOR: "第三方运营商"}
