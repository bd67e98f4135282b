"""Stored documents: kept for real (content-addressed, bytes in the database), judged by their content (PDF, JPEG,
PNG, xlsx, docx only), limited in size (20 MB by default → 413), names sanitised, served back only as a download
within the enterprise's scope."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_registry.app import create_app
from fbjd_registry.config import Settings
from fbjd_registry.samples import MINIMAL_PDF as PDF
from fbjd_testing.plugin import serve
from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from conftest import ApiFactory, Builder

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["序号", "生产线/设施名称"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ooxml(*parts: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for part in parts:
            archive.writestr(part, "<x/>")
    return buffer.getvalue()


async def _upload(
    client: httpx.AsyncClient, ps_id: str, name: str, content: bytes, kind: str = "permit_copy"
) -> httpx.Response:
    files = {"file": (name, content, "application/pdf")}  # the client's type is ignored: the content decides
    return await client.post(f"/enterprises/{ps_id}/acceptance/documents", files=files, data={"kind": kind})


@pytest.fixture
async def works(api: ApiFactory, build: Builder) -> tuple[str, httpx.AsyncClient]:
    enterprise = await build.enterprise()
    return enterprise["ps_id"], api(Role.ENTERPRISE, enterprise_id=enterprise["ps_id"])


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_as"),
    [
        ("许可证.pdf", PDF, "application/pdf", "许可证.pdf"),
        ("电表箱.jpeg", JPEG, "image/jpeg", "电表箱.jpg"),
        ("电表箱", PNG, "image/png", "电表箱.png"),
        ("点位表.xlsx", _xlsx(), XLSX_TYPE, "点位表.xlsx"),
        ("方案.doc", _ooxml("word/document.xml"), DOCX_TYPE, "方案.docx"),
    ],
)
async def test_each_accepted_type_is_kept_and_served_back_byte_for_byte_as_a_download(
    works: tuple[str, httpx.AsyncClient], name: str, content: bytes, content_type: str, stored_as: str
) -> None:
    ps_id, own = works
    reply = await _upload(own, ps_id, name, content)
    assert reply.status_code == 201, reply.text
    document = reply.json()
    assert (document["content_type"], document["filename"], document["size"]) == (content_type, stored_as, len(content))
    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["download_path"] == f"/api/registry/documents/{document['id']}"
    served = await own.get(f"/documents/{document['id']}")
    assert served.status_code == 200 and served.content == content
    assert served.headers["content-type"] == content_type
    assert served.headers["content-disposition"].startswith("attachment;")
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("许可证.pdf", b"<html><script>alert(1)</script></html>"),
        ("图.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("宏.xlsx", _ooxml("xl/workbook.xml", "xl/vbaProject.bin")),
        ("压缩包.docx", _ooxml("readme.txt")),
        ("空.pdf", b""),
    ],
)
async def test_a_file_that_is_not_an_accepted_type_by_its_content_is_refused_and_nothing_is_kept(
    works: tuple[str, httpx.AsyncClient], name: str, content: bytes
) -> None:
    ps_id, own = works
    reply = await _upload(own, ps_id, name, content)
    assert reply.status_code == 415
    assert (
        f"文件「{name}」" in reply.json()["error"]["message"] and "未保存任何内容" in reply.json()["error"]["message"]
    )
    assert (await own.get(f"/enterprises/{ps_id}/acceptance/documents")).json() == []


async def test_a_file_over_the_default_20_mb_is_refused_with_413(works: tuple[str, httpx.AsyncClient]) -> None:
    ps_id, own = works
    big = PDF + b"0" * (20 * 1024 * 1024 + 1 - len(PDF))
    reply = await _upload(own, ps_id, "扫描件.pdf", big)
    assert reply.status_code == 413
    assert (
        reply.json()["error"]["message"]
        == "文件「扫描件.pdf」超过大小上限 20 MB，请压缩或拆分后重新上传；未保存任何内容"
    )
    assert (await own.get(f"/enterprises/{ps_id}/acceptance/documents")).json() == []


async def test_the_size_limit_is_a_setting(settings: Settings, build: Builder, make_token: Callable[..., str]) -> None:
    enterprise = await build.enterprise()
    small = settings.model_copy(update={"document_max_bytes": 1024})
    token = make_token(Role.ENTERPRISE, enterprise_id=enterprise["ps_id"])
    async with serve(create_app(small)) as url:
        async with httpx.AsyncClient(
            base_url=f"{url}/api/registry", headers={"Authorization": f"Bearer {token}"}
        ) as client:
            assert (await _upload(client, enterprise["ps_id"], "a.pdf", PDF)).status_code == 201
            reply = await _upload(client, enterprise["ps_id"], "b.pdf", PDF + b"0" * 2048)
    assert reply.status_code == 413 and "1 KB" in reply.json()["error"]["message"]


async def test_names_are_reduced_to_a_safe_base_name_with_the_detected_extension(
    works: tuple[str, httpx.AsyncClient],
) -> None:
    ps_id, own = works
    document = (await _upload(own, ps_id, "../../etc/报告<script>.PDF", PDF)).json()
    assert document["filename"] == "报告_script.pdf"
    served = await own.get(f"/documents/{document['id']}")
    assert served.headers["content-disposition"] == (
        "attachment; filename=\"script.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A_script.pdf"
    )


async def test_the_same_content_uploaded_twice_is_kept_once(
    works: tuple[str, httpx.AsyncClient], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ps_id, own = works
    content = PDF + ps_id.encode()  # unique to this test
    first = (await _upload(own, ps_id, "许可证.pdf", content)).json()
    second = (await _upload(own, ps_id, "许可证副本.pdf", content, kind="eia_extract")).json()
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    async with sessionmaker() as session:
        blobs = await session.scalar(
            text("SELECT count(*) FROM registry.blobs WHERE sha256 = :sha"), {"sha": first["sha256"]}
        )
    assert blobs == 1


async def test_a_document_is_served_only_within_the_enterprises_scope(api: ApiFactory, build: Builder) -> None:
    enterprise = await build.enterprise()  # 新华区
    ps_id = enterprise["ps_id"]
    document = (await _upload(api(Role.ENTERPRISE, enterprise_id=ps_id), ps_id, "许可证.pdf", PDF)).json()
    path = f"/documents/{document['id']}"
    other = await build.enterprise()
    assert (await api(Role.ENTERPRISE, enterprise_id=other["ps_id"]).get(path)).status_code == 404
    assert (await api(Role.COUNTY, county="130921").get(path)).status_code == 404
    assert (await api(Role.COUNTY, county="130902").get(path)).status_code == 200
    assert (await api(Role.CITY).get(path)).status_code == 200


async def test_the_enterprise_removes_a_draft_document_and_the_change_log_keeps_it(
    works: tuple[str, httpx.AsyncClient], api: ApiFactory
) -> None:
    ps_id, own = works
    document = (await _upload(own, ps_id, "错传.pdf", PDF)).json()
    path = f"/documents/{document['id']}"
    assert (await api(Role.COUNTY, county="130902").delete(path)).status_code == 403
    assert (await own.delete(path)).status_code == 204
    assert (await own.get(path)).status_code == 404
    log = (await api(Role.CITY).get(f"/enterprises/{ps_id}/changes", params={"entity": "document"})).json()
    assert [(c["action"], (c["old"] or c["new"])["filename"]) for c in log] == [
        ("delete", "错传.pdf"),
        ("create", "错传.pdf"),
    ]
