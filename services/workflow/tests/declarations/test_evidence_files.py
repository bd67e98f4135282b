"""事后申报 with evidence files: kept in the database, served back only as attachments; a file too large or of
the wrong type refuses the whole declaration and nothing else is touched."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from conftest import Desk

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100 + b"\xff\xd9"


async def _declare(client: httpx.AsyncClient, alarm_id: str, files: list[tuple[str, Any]]) -> httpx.Response:
    return await client.post(
        f"/alarms/{alarm_id}/declarations",
        data={"reason": "equipment_fault", "text": "除尘器布袋破损正在更换，关联生产设施已停产"},
        files=files,
    )


async def test_evidence_is_kept_and_served_back_as_an_attachment(desk: Desk) -> None:
    record = await desk.raise_alarm()
    enterprise = desk.enterprise(record)
    reply = await _declare(
        enterprise,
        record["id"],
        [
            ("files", ("../../etc/停产证明<script>.pdf", PDF, "application/pdf")),
            ("files", ("现场照片.jpeg", JPEG, "application/octet-stream")),  # the type is judged from the content
        ],
    )
    assert reply.status_code == 201, reply.text
    declaration = reply.json()
    assert declaration["kind"] == "after" and declaration["reason_label"] == "设备故障"
    pdf, photo = declaration["files"]
    assert pdf["filename"] == "停产证明_script.pdf" and pdf["content_type"] == "application/pdf"
    assert photo["filename"] == "现场照片.jpg" and photo["content_type"] == "image/jpeg"

    download = await desk.city.get(pdf["download_path"].removeprefix("/api/workflow"))
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in download.headers["content-security-policy"]

    alarm = await desk.read(record["id"])
    assert alarm["declarations"][0]["id"] == declaration["id"]
    assert desk.actions(alarm) == ["open", "declared_after"]


async def test_a_file_over_the_limit_is_413_and_nothing_is_kept(desk: Desk) -> None:
    record = await desk.raise_alarm()
    enterprise = desk.enterprise(record)
    too_big = PDF + b"0" * (256 * 1024)
    reply = await _declare(
        enterprise,
        record["id"],
        [("files", ("证明.pdf", PDF, "application/pdf")), ("files", ("扫描件.pdf", too_big, "application/pdf"))],
    )
    assert reply.status_code == 413
    assert "扫描件.pdf" in reply.json()["error"]["message"] and "256 KB" in reply.json()["error"]["message"]
    alarm = await desk.read(record["id"])
    assert alarm["declarations"] == [] and desk.actions(alarm) == ["open"]
    assert alarm["stage"] == "enterprise_check"


async def test_a_file_that_is_not_pdf_jpeg_or_png_is_415_and_nothing_is_kept(desk: Desk) -> None:
    record = await desk.raise_alarm()
    enterprise = desk.enterprise(record)
    page = b"<html><script>alert(1)</script></html>"
    reply = await _declare(enterprise, record["id"], [("files", ("证明.pdf", page, "application/pdf"))])
    assert reply.status_code == 415
    assert "PDF、JPEG、PNG、Excel（.xlsx）或 Word（.docx）文件" in reply.json()["error"]["message"]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert (await _declare(enterprise, record["id"], [("files", ("图.svg", svg, "image/svg+xml"))])).status_code == 415
    alarm = await desk.read(record["id"])
    assert alarm["declarations"] == [] and desk.actions(alarm) == ["open"]
    listed = await enterprise.get("/declarations", params={"kind": "after"})
    assert listed.json() == []


async def test_another_enterprise_cannot_see_or_download_the_evidence(desk: Desk) -> None:
    record = await desk.raise_alarm()
    reply = await _declare(desk.enterprise(record), record["id"], [("files", ("证明.pdf", PDF, "application/pdf"))])
    path = reply.json()["files"][0]["download_path"].removeprefix("/api/workflow")
    stranger = desk.enterprise(desk.record())
    assert (await stranger.get(path)).status_code == 404
    assert (await stranger.get(f"/declarations/{reply.json()['id']}")).status_code == 404
    assert (await _declare(stranger, record["id"], [])).status_code == 404
