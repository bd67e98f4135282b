"""GET/POST /enterprises/{psId}/point-table: 「XX企业分表计电监测点位信息表」 as .xlsx.

The import takes the workbook as the raw request body (Content-Type
application/vnd.openxmlformats-officedocument.spreadsheetml.sheet); `?dry_run=true` checks and counts without
changing anything.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from fbjd_registry.access import Editor, Reader, change_context
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.errors import InvalidInput, Problem
from fbjd_registry.pointtable import service
from fbjd_registry.pointtable.layout import title_of
from fbjd_registry.pointtable.service import ImportResult

router = APIRouter(tags=["point table"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 5 * 1024 * 1024


@router.get("/enterprises/{ps_id}/point-table", response_class=Response)
async def export_point_table(ps_id: PsIdPath, session: SessionDep, principal: Reader) -> Response:
    name, content = await service.export_for(session, principal=principal, ps_id=ps_id)
    filename = quote(f"{title_of(name)}.xlsx")
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    return Response(content=content, media_type=XLSX, headers=headers)


@router.post("/enterprises/{ps_id}/point-table", openapi_extra={"requestBody": {"content": {XLSX: {}}}})
async def import_point_table(
    ps_id: PsIdPath, request: Request, session: SessionDep, principal: Editor, dry_run: bool = False
) -> ImportResult:
    data = await request.body()
    if not data:
        raise InvalidInput([Problem("文件", "请求体为空：请上传 .xlsx 文件", "文件")])
    if len(data) > MAX_BYTES:
        raise InvalidInput([Problem("文件", f"文件超过 {MAX_BYTES // 1024 // 1024} MB", "文件")])
    return await service.import_for(
        session, ctx=change_context(principal), principal=principal, ps_id=ps_id, data=data, dry_run=dry_run
    )
