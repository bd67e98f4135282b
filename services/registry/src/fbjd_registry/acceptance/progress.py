"""The province's progress tables, from the enterprises' lifecycle dates.

附件1 安装联网企业清单: one line per enterprise (basic information, point counts, planned and actual dates of
installation, networking and acceptance, stage). 附件2 安装联网进度表: one line per county for a month:
annual task = enterprises whose planned networking date falls in the month's year; "this month" and
"cumulative" count actual dates within the month and from 1 January to the month's end; the completion
rate is cumulative networked ÷ annual task. The column layouts follow the tables' headings as the notice names
them; the exact province templates were not at hand.
"""

from __future__ import annotations

import calendar
import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from fbjd_registry.acceptance.schemas import ProgressRow
from fbjd_registry.enterprises.models import Enterprise
from fbjd_registry.regions.models import County

__all__ = ["LIST_HEADERS", "PROGRESS_HEADERS", "install_list_workbook", "progress_rows", "progress_workbook"]

STAGE_LABELS = {"planned": "计划", "installing": "安装中", "networked": "已联网", "accepted": "已验收"}
LIST_HEADERS = (
    "序号", "县(市、区)", "企业名称", "统一社会信用代码", "排污许可证编号", "行业类别", "企业类别",
    "是否30万千瓦及以上火电机组", "生产设施监测点位(个)", "治污设施监测点位(个)", "总进线监测点位(个)",
    "计划安装时间", "实际安装时间", "计划联网时间", "实际联网时间", "计划验收时间", "实际验收时间",
    "建设进度", "第三方运维单位", "环保联系人", "联系电话",
)  # fmt: skip
PROGRESS_HEADERS = (
    "序号", "县(市、区)", "年度任务(家)", "本月完成安装(家)", "累计完成安装(家)",
    "本月完成联网(家)", "累计完成联网(家)", "累计完成验收(家)", "联网完成率",
)  # fmt: skip


def _titled(ws: Worksheet, title: str, headers: Sequence[str]) -> None:
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(list(headers))
    for cell in ws[2]:
        cell.font, cell.alignment = Font(bold=True), Alignment(horizontal="center", wrap_text=True)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def install_list_workbook(
    *, city_name: str, enterprises: Sequence[Enterprise], counties: dict[str, str], points: dict[tuple[str, str], int]
) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "安装联网企业清单"
    _titled(ws, f"{city_name}分表计电安装联网企业清单", LIST_HEADERS)
    for n, e in enumerate(sorted(enterprises, key=lambda e: (e.county_code, e.name)), start=1):
        count = points.get
        ws.append(
            [
                n, counties.get(e.county_code, e.county_code), e.name, e.credit_code, e.permit_no, e.industry,
                e.category, "是" if e.is_300mw_power_plant else "否",
                count((e.ps_id, "production"), 0) + count((e.ps_id, "integrated"), 0),
                count((e.ps_id, "treatment"), 0), count((e.ps_id, "total_line"), 0),
                e.planned_install_date, e.install_date, e.planned_network_date, e.network_date,
                e.planned_acceptance_date, e.acceptance_date, STAGE_LABELS.get(e.stage, e.stage),
                e.operator_name, e.env_contact_name, e.env_contact_phone,
            ]
        )  # fmt: skip
    for row in ws.iter_rows(min_row=3, min_col=12, max_col=17):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    return _save(workbook)


def _within(day: date | None, first: date, last: date) -> bool:
    return day is not None and first <= day <= last


def progress_rows(
    *, enterprises: Sequence[Enterprise], counties: Sequence[County], year: int, month: int
) -> list[ProgressRow]:
    january, month_start = date(year, 1, 1), date(year, month, 1)
    month_end = date(year, month, calendar.monthrange(year, month)[1])
    rows = []
    for county in counties:
        mine = [e for e in enterprises if e.county_code == county.code]
        task = sum(1 for e in mine if e.planned_network_date is not None and e.planned_network_date.year == year)
        networked = sum(1 for e in mine if _within(e.network_date, january, month_end))
        rows.append(
            ProgressRow(
                county_code=county.code,
                county_name=county.name,
                annual_task=task,
                installed_this_month=sum(1 for e in mine if _within(e.install_date, month_start, month_end)),
                installed_cumulative=sum(1 for e in mine if _within(e.install_date, january, month_end)),
                networked_this_month=sum(1 for e in mine if _within(e.network_date, month_start, month_end)),
                networked_cumulative=networked,
                accepted_cumulative=sum(1 for e in mine if _within(e.acceptance_date, january, month_end)),
                networked_share=round(networked / task, 4) if task else None,
            )
        )
    return rows


_COUNTED_FIELDS = (
    "annual_task",
    "installed_this_month",
    "installed_cumulative",
    "networked_this_month",
    "networked_cumulative",
    "accepted_cumulative",
)


def progress_workbook(*, city_name: str, rows: Sequence[ProgressRow], year: int, month: int) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "安装联网进度表"
    _titled(ws, f"{city_name}分表计电安装联网进度表（截至{year}年{month}月底）", PROGRESS_HEADERS)
    for n, r in enumerate(rows, start=1):
        ws.append(
            [
                n, r.county_name, r.annual_task, r.installed_this_month, r.installed_cumulative,
                r.networked_this_month, r.networked_cumulative, r.accepted_cumulative, r.networked_share,
            ]
        )  # fmt: skip
    counted = _COUNTED_FIELDS
    sums = {field: sum(getattr(r, field) for r in rows) for field in counted}
    share = round(sums["networked_cumulative"] / sums["annual_task"], 4) if sums["annual_task"] else None
    ws.append(["合计", "", *(sums[field] for field in counted), share])
    for row in ws.iter_rows(min_row=3, min_col=9, max_col=9):
        row[0].number_format = "0.0%"
    return _save(workbook)
