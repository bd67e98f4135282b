"""What a stored document is: its area (acceptance or dossier), its section and its kind, with the Chinese term.

Acceptance application (分表计电验收申请) documents are the enterprise's; site audit photos (现场核查照片) are the
county's. The dossier (一企一档) has four sections, each with the kinds of file it keeps.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "APPLICATION_KINDS",
    "DOSSIER_SECTION_KINDS",
    "DOSSIER_SECTION_LABELS",
    "KIND_LABELS",
    "REQUIRED_APPLICATION_KINDS",
    "Area",
    "DocumentKind",
    "DossierSection",
]


class Area(StrEnum):
    ACCEPTANCE = "acceptance"  # 验收
    DOSSIER = "dossier"  # 一企一档


class DocumentKind(StrEnum):
    # the acceptance application's documents (验收申请材料)
    PERMIT_COPY = "permit_copy"
    EIA_EXTRACT = "eia_extract"
    CONTROL_MEASURES = "control_measures"
    POINT_TABLE = "point_table"
    DESIGN_PLAN = "design_plan"
    DEVICE_TEST_REPORT = "device_test_report"
    CALIBRATION_CERTIFICATE = "calibration_certificate"
    # the county's site audit (现场核查)
    SITE_PHOTO = "site_photo"
    # the dossier (一企一档)
    SURVEY_RECORD = "survey_record"
    PROCESS_FLOW_CHART = "process_flow_chart"
    METER_BOX_PHOTO = "meter_box_photo"
    POINT_DESIGN = "point_design"
    INSTALLATION_RECORD = "installation_record"
    INSTALLATION_PHOTO = "installation_photo"
    ALARM_PLAN = "alarm_plan"


KIND_LABELS: dict[DocumentKind, str] = {
    DocumentKind.PERMIT_COPY: "排污许可证副本",
    DocumentKind.EIA_EXTRACT: "环评文件摘录",
    DocumentKind.CONTROL_MEASURES: "一厂一策管控措施",
    DocumentKind.POINT_TABLE: "分表计电监测点位信息表",
    DocumentKind.DESIGN_PLAN: "设计及安装方案",
    DocumentKind.DEVICE_TEST_REPORT: "设备检测报告",
    DocumentKind.CALIBRATION_CERTIFICATE: "校准证书",
    DocumentKind.SITE_PHOTO: "现场核查照片",
    DocumentKind.SURVEY_RECORD: "现场调查记录",
    DocumentKind.PROCESS_FLOW_CHART: "工艺流程图",
    DocumentKind.METER_BOX_PHOTO: "电表箱照片",
    DocumentKind.POINT_DESIGN: "点位设计方案",
    DocumentKind.INSTALLATION_RECORD: "安装记录",
    DocumentKind.INSTALLATION_PHOTO: "安装照片",
    DocumentKind.ALARM_PLAN: "报警处置预案",
}

APPLICATION_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind.PERMIT_COPY,
    DocumentKind.EIA_EXTRACT,
    DocumentKind.CONTROL_MEASURES,
    DocumentKind.POINT_TABLE,
    DocumentKind.DESIGN_PLAN,
    DocumentKind.DEVICE_TEST_REPORT,
    DocumentKind.CALIBRATION_CERTIFICATE,
)
# Every kind of the application is required before it can be submitted.
REQUIRED_APPLICATION_KINDS: tuple[DocumentKind, ...] = APPLICATION_KINDS


class DossierSection(StrEnum):
    SURVEY = "survey"  # 现场调查记录
    POINT_DESIGN = "point_design"  # 点位设计
    INSTALLATION = "installation"  # 安装记录
    ALARM_PLANS = "alarm_plans"  # 报警预案


DOSSIER_SECTION_LABELS: dict[DossierSection, str] = {
    DossierSection.SURVEY: "现场调查记录",
    DossierSection.POINT_DESIGN: "点位设计",
    DossierSection.INSTALLATION: "安装记录",
    DossierSection.ALARM_PLANS: "报警预案",
}

DOSSIER_SECTION_KINDS: dict[DossierSection, tuple[DocumentKind, ...]] = {
    DossierSection.SURVEY: (DocumentKind.SURVEY_RECORD, DocumentKind.PROCESS_FLOW_CHART, DocumentKind.METER_BOX_PHOTO),
    DossierSection.POINT_DESIGN: (DocumentKind.POINT_DESIGN,),
    DossierSection.INSTALLATION: (DocumentKind.INSTALLATION_RECORD, DocumentKind.INSTALLATION_PHOTO),
    DossierSection.ALARM_PLANS: (DocumentKind.ALARM_PLAN,),
}
