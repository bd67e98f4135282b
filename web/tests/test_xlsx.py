"""Every statistics table downloads as .xlsx: a header row, then the rows with numbers kept as numbers."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from urllib.parse import unquote

from fbjd_web.xlsx import XLSX_MEDIA_TYPE, content_disposition, workbook_bytes, xlsx_response
from openpyxl import load_workbook


def _sheet(body: bytes) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(body))
    ws = book.active
    assert ws is not None
    return list(ws.iter_rows(values_only=True))


def test_a_table_opens_with_its_header_row_and_numbers_as_numbers() -> None:
    body = workbook_bytes(
        "用电量统计",
        ["企业", "用电量(kWh)", "同比"],
        [["沧州市华信陶瓷有限公司", 1234.5, 0.125], ["河北渤海钢铁集团有限公司", 88000, None]],
        formats={2: "0.0%"},
    )
    rows = _sheet(body)
    assert rows[0] == ("企业", "用电量(kWh)", "同比")
    assert rows[1] == ("沧州市华信陶瓷有限公司", 1234.5, 0.125)
    assert isinstance(rows[2][1], int) and rows[2][2] is None


def test_a_share_is_a_number_formatted_as_percent_and_the_header_is_bold() -> None:
    body = workbook_bytes("传输率", ["MN", "传输率"], [["AB12", 0.873]], formats={1: "0.0%"})
    ws = load_workbook(io.BytesIO(body)).active
    assert ws is not None
    assert ws["B2"].value == 0.873 and ws["B2"].number_format == "0.0%"
    assert ws["A1"].font.bold


def test_times_are_written_as_china_standard_time_wall_clock() -> None:
    moment = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    rows = _sheet(workbook_bytes("t", ["时间", "日期"], [[moment, date(2026, 11, 25)]]))
    assert rows[1][0] == datetime(2026, 11, 25, 0, 30)


def test_a_sheet_name_excel_would_refuse_is_made_acceptable() -> None:
    name = "2026/11 传输率[低于90%]: 需要维护的测点（" + "很长" * 20 + "）"
    sheet = load_workbook(io.BytesIO(workbook_bytes(name, ["a"], []))).sheetnames[0]
    assert sheet.startswith("2026_11 传输率_低于90%__ 需要维护")
    assert len(sheet) == 31


def test_the_download_names_the_file_in_chinese_with_an_ascii_fallback() -> None:
    response = xlsx_response("用电量统计_企业.xlsx", "s", ["a"], [[1]])
    assert response.media_type == XLSX_MEDIA_TYPE
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "用电量统计_企业.xlsx"
    assert content_disposition("a b.xlsx").startswith('attachment; filename="a_b.xlsx"')
