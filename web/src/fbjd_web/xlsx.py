"""Tables written as .xlsx downloads: every statistics table's 「导出 Excel」 gives the same rows as the page.

One sheet, a bold header row, then the rows with numbers kept as numbers (a share such as 0.973 is written
as the number with a percent format, so Excel can sum and sort it). Times are written as China Standard Time
wall clock (Excel has no time zones). The file name may be Chinese: it goes in `filename*` (RFC 6266 / 5987)
with an ASCII fallback for old clients.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from urllib.parse import quote

from fastapi.responses import Response
from fbjd_core.time import to_cst
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

__all__ = ["XLSX_MEDIA_TYPE", "Cell", "content_disposition", "workbook_bytes", "xlsx_response"]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | date | datetime | None

#: Excel's limit on sheet names, and the characters it refuses in them.
_SHEET_MAX = 31
_SHEET_BAD = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def _cell(value: Cell) -> Cell:
    """Aware datetimes become CST wall clock (openpyxl refuses aware ones)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return to_cst(value).replace(tzinfo=None)
    return value


def workbook_bytes(
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    formats: Mapping[int, str] | None = None,
) -> bytes:
    """The workbook as bytes. `formats` maps a column index (0-based) to an Excel number format, e.g. '0.0%'."""
    book = Workbook()
    ws = book.active
    assert ws is not None  # a new workbook always has its first sheet
    ws.title = sheet.translate(_SHEET_BAD)[:_SHEET_MAX] or "Sheet1"
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [max(8, len(h) * 2 + 2) for h in headers]
    for row in rows:
        ws.append([_cell(v) for v in row])
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = min(60, max(widths[index], len(str(value)) + 2))
    for index, fmt in (formats or {}).items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
            cell.number_format = fmt
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the real (possibly Chinese) name in `filename*`."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def xlsx_response(
    filename: str,
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    formats: Mapping[int, str] | None = None,
) -> Response:
    body = workbook_bytes(sheet, headers, rows, formats=formats)
    return Response(body, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": content_disposition(filename)})
