"""Exports in the browser: the statistics table 「导出 Excel」 downloads an .xlsx that opens (openpyxl) with the
page's header and the same rows: every demo enterprise with terminals."""

from __future__ import annotations

from pathlib import Path

import httpx
from openpyxl import load_workbook
from playwright.sync_api import expect

from .conftest import OpenAs


def test_the_terminal_online_table_downloads_as_xlsx_with_the_pages_header_and_rows(
    open_as: OpenAs, admin_api: httpx.Client, tmp_path: Path
) -> None:
    page = open_as("city")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="统计分析").click()
    page.get_by_role("link", name="终端在线率").click()
    table = page.locator("#stat-table table")
    expect(table).to_be_visible()
    shown_header = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    shown_names = [n.strip() for n in table.locator("tbody th").all_inner_texts()]

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx", saved.name

    book = load_workbook(saved, read_only=True)
    try:
        sheet = book.active
        assert sheet is not None
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    header, body = rows[0], rows[1:]
    assert header == shown_header == ["企业", "县（市、区）", "终端数", "在线", "离线", "当前在线率", "本月传输率"]
    with_terminals = {d["enterprise_name"] for d in admin_api.get("/api/registry/devices").json()}
    exported = {r[0] for r in body}
    # ⊇: other tests of the session register terminals of their own test enterprises with ingest
    assert with_terminals <= exported, "a row for every enterprise with terminals"
    assert set(shown_names) <= exported, "every row the page shows"
    assert [r[0] for r in body[: len(shown_names)]] == shown_names, "the rows the page shows, in its order"
    assert all(isinstance(r[2], int) and r[2] >= 1 for r in body), "terminal counts stay numbers"
