"""The self-audit as an .xlsx workbook: 按区县 (one row per county) and 问题清单 (one row per finding).

openpyxl is imported when a workbook is asked for: it is installed in the workspace but not (yet) declared in
the bridge's pyproject; without it the .xlsx answers 501 and the JSON report still works.
"""

from __future__ import annotations

import io
from typing import Any

from fbjd_core.time import to_cst

from fbjd_bridge.errors import BridgeError
from fbjd_bridge.self_audit.checks import TITLES
from fbjd_bridge.self_audit.schemas import SelfAuditOut

__all__ = ["XLSX_TYPE", "workbook_bytes"]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_STATUS = {"ok": "通过", "findings": "有问题", "warn": "数据无法判定", "not_checkable": "无法核查"}


def _county_rows(report: SelfAuditOut) -> list[list[Any]]:
    header: list[Any] = ["区县代码", "区县", "企业数", "有问题企业数"]
    header += [f"{code}.{TITLES[code]}" for code in range(1, 7)]
    rows = [header]
    for county in report.counties:
        row: list[Any] = [county.county, county.county_name or "", county.enterprises, county.enterprises_with_findings]
        row += [county.findings_by_check[str(code)] for code in range(1, 7)]
        rows.append(row)
    return rows


def _finding_rows(report: SelfAuditOut) -> list[list[Any]]:
    rows: list[list[Any]] = [["区县", "企业", "psId", "审核项", "结论", "问题", "证据（服务）", "证据（路径）", "说明"]]
    for enterprise in report.enterprises:
        for check in enterprise.checks:
            lead = [enterprise.county_name or enterprise.county, enterprise.name, enterprise.ps_id]
            title = f"{check.code}.{check.title}"
            said = "；".join([*check.notes, *([check.unchecked] if check.unchecked else [])])
            if not check.findings:
                rows.append([*lead, title, _STATUS[check.status], "", "", "", said])
            for finding in check.findings:
                evidence = finding.evidence
                rows.append([*lead, title, _STATUS[check.status], finding.text, evidence.service, evidence.path, said])
    return rows


def workbook_bytes(report: SelfAuditOut) -> bytes:
    try:
        from openpyxl import Workbook
    except ImportError as exc:  # the bridge's wheel alone does not bring it
        raise BridgeError(
            "服务器未安装 openpyxl，无法生成 Excel；请使用 JSON 报告", code="xlsx_unavailable", status=501
        ) from exc
    book = Workbook()
    counties = book.active
    counties.title = "按区县"
    for row in _county_rows(report):
        counties.append(row)
    counties.append([])
    counties.append(
        [f"生成时间 {to_cst(report.generated_at):%Y-%m-%d %H:%M}，统计自 {to_cst(report.window_start):%Y-%m-%d %H:%M}"]
    )
    findings = book.create_sheet("问题清单")
    for row in _finding_rows(report):
        findings.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
