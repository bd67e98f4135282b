"""Uploaded evidence beyond PDF and pictures: Excel and Word judged by their content (macro-enabled ones and
other ZIPs refused), the default size limit of 20 MB, and a full disk answered 507 with nothing kept."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import openpyxl
import pytest
from fbjd_core.auth import Role
from fbjd_core.errors import FULL_MESSAGE, StorageFull, storage_error
from fbjd_core.uploads import DOCX, XLSX
from fbjd_infra.postgres import free_port
from fbjd_workflow.config import Settings

if TYPE_CHECKING:
    from conftest import Desk

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["日期", "测点", "问题", "处理", "结果", "人员"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ooxml(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX_BYTES = ooxml({"word/document.xml": b"<w:document/>"})
XLSM_BYTES = ooxml({"xl/workbook.xml": b"<workbook/>", "xl/vbaProject.bin": b"\x00macro"})
ZIP_BYTES = ooxml({"readme.txt": b"not an office file"})


async def _declare(client: httpx.AsyncClient, alarm_id: str, files: list[tuple[str, Any]]) -> httpx.Response:
    return await client.post(
        f"/alarms/{alarm_id}/declarations",
        data={"reason": "maintenance", "text": "按计划检修除尘器，附检修台账和检修报告"},
        files=files,
    )


async def test_an_excel_ledger_and_a_word_report_are_kept_and_served_as_attachments(desk: Desk) -> None:
    record = await desk.raise_alarm()
    enterprise = desk.enterprise(record)
    ledger = xlsx()
    reply = await _declare(
        enterprise,
        record["id"],
        [
            ("files", ("检修台账.xls", ledger, "application/octet-stream")),
            ("files", ("检修报告", DOCX_BYTES, "text/html")),  # the client's type is not believed
        ],
    )
    assert reply.status_code == 201, reply.text
    sheet, report = reply.json()["files"]
    assert (sheet["filename"], sheet["content_type"]) == ("检修台账.xlsx", XLSX)
    assert (report["filename"], report["content_type"]) == ("检修报告.docx", DOCX)
    download = await desk.city.get(sheet["download_path"].removeprefix("/api/workflow"))
    assert download.content == ledger and download.headers["content-type"] == XLSX
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    served = await desk.city.get(report["download_path"].removeprefix("/api/workflow"))
    assert served.headers["content-type"] == DOCX and "html" not in served.headers["content-type"]


@pytest.mark.parametrize(("name", "content"), [("宏.xlsm", XLSM_BYTES), ("压缩包.zip", ZIP_BYTES)])
async def test_a_macro_workbook_or_another_zip_is_415(desk: Desk, name: str, content: bytes) -> None:
    record = await desk.raise_alarm()
    reply = await _declare(desk.enterprise(record), record["id"], [("files", (name, content, XLSX))])
    assert reply.status_code == 415 and "Excel（.xlsx）" in reply.json()["error"]["message"]
    assert (await desk.read(record["id"]))["declarations"] == []


def test_the_default_limit_is_20_mb_and_its_refusal_says_so_in_chinese(jwt_secret: str) -> None:
    from fbjd_core.uploads import check
    from fbjd_workflow.errors import FileTooLarge

    settings = Settings(jwt_secret=jwt_secret)  # type: ignore[arg-type]
    assert settings.max_file_bytes == 20 * 1024 * 1024
    with pytest.raises(FileTooLarge) as refused:
        check("现场录像.pdf", PDF + b"0" * settings.max_file_bytes, max_bytes=settings.max_file_bytes)
    assert refused.value.status == 413
    assert refused.value.message == "文件「现场录像.pdf」超过大小上限 20 MB，请压缩或拆分后重新上传；未保存任何内容"


def test_a_write_to_a_full_device_is_a_507_with_a_clear_message() -> None:
    """/dev/full answers every write with the kernel's ENOSPC, the error a full disk gives; found also when it
    is the cause of another error (as FastAPI reports a body it could not spool)."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this machine")
    with pytest.raises(OSError) as raised, open("/dev/full", "wb", buffering=0) as device:
        device.write(b"%PDF-1.7 evidence")
    wrapped = RuntimeError("There was an error parsing the body")
    wrapped.__cause__ = raised.value
    for error in (raised.value, wrapped):
        found = storage_error(error)
        assert isinstance(found, StorageFull) and found.status == 507 and found.message == FULL_MESSAGE
    assert storage_error(PermissionError(13, "denied")) is None
    assert storage_error(RuntimeError("anything else")) is None


@pytest.fixture
def tiny_spool_server(
    tmp_path: Path, database_url: str, jwt_secret: str, settings: Settings
) -> Iterator[Callable[[], str]]:
    """The workflow service in a process of its own whose spool directory (TMPDIR) is a 256 KB tmpfs: a real
    full disk. Needs a private mount namespace (unshare); skipped where the machine does not allow one."""
    unshare = shutil.which("unshare")
    probe = (
        subprocess.run(
            [unshare, "-rm", "sh", "-c", f"mount -t tmpfs -o size=256k tmpfs {tmp_path}"],
            capture_output=True,
            check=False,
        )
        if unshare
        else None
    )
    if probe is None or probe.returncode != 0:
        pytest.skip("no private mount namespace here (unshare -rm / tmpfs)")
    spool = tmp_path / "spool"
    spool.mkdir()
    port = free_port()
    serve = (
        "import uvicorn; from fbjd_workflow.app import main; "
        f"uvicorn.run(main, factory=True, host='127.0.0.1', port={port}, log_level='warning')"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FBJD_JWT_SECRET": jwt_secret,
        "FBJD_SCHEDULER_ENABLED": "false",
        "FBJD_REGISTRY_URL": settings.registry_url,
        "FBJD_BRIDGE_URL": settings.bridge_url,
        "SPOOL": str(spool),
        "PYTHON": sys.executable,
        "SERVE": serve,
    }
    script = 'mount -t tmpfs -o size=256k tmpfs "$SPOOL" && TMPDIR="$SPOOL" exec "$PYTHON" -c "$SERVE"'
    process = subprocess.Popen([unshare, "-rm", "sh", "-c", script], env=env)  # type: ignore[list-item]
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/workflow/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise AssertionError("the service in the namespace exited")
            time.sleep(0.1)
        yield lambda: url
    finally:
        process.terminate()
        process.wait(timeout=15)


async def test_a_full_spool_disk_is_507_and_nothing_of_the_declaration_is_kept(
    desk: Desk, tiny_spool_server: Callable[[], str], make_token: Callable[..., str]
) -> None:
    record = await desk.raise_alarm()
    token = make_token(Role.ENTERPRISE, subject="ent", enterprise_id=record["ps_id"])
    big = PDF + b"0" * (2 * 1024 * 1024)  # over the 1 MB the server keeps in memory: spooled to the full disk
    async with httpx.AsyncClient(
        base_url=f"{tiny_spool_server()}/api/workflow", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as enterprise:
        full = await _declare(enterprise, record["id"], [("files", ("扫描件.pdf", big, "application/pdf"))])
        assert full.status_code == 507, full.text
        assert full.json()["error"] == {"code": "insufficient_storage", "message": FULL_MESSAGE}
        alarm = await desk.read(record["id"])
        assert alarm["declarations"] == [] and desk.actions(alarm) == ["open"]
        small = await _declare(enterprise, record["id"], [("files", ("证明.pdf", PDF, "application/pdf"))])
        assert small.status_code == 201, small.text  # nothing else is affected
