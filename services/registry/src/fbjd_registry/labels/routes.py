"""GET /enterprises/{psId}/labels: the printable label sheet of the enterprise's monitoring points."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fbjd_core.time import now, to_cst

from fbjd_registry.access import Reader
from fbjd_registry.config import SettingsDep
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises.routes import PsIdPath
from fbjd_registry.labels.render import labels_of, render_sheet
from fbjd_registry.topology import service as topology

__all__ = ["router"]

router = APIRouter(tags=["labels"])


@router.get("/enterprises/{ps_id}/labels", response_class=HTMLResponse)
async def get_labels(ps_id: PsIdPath, session: SessionDep, principal: Reader, settings: SettingsDep) -> HTMLResponse:
    """One printable label per point (A4, 8 per page), with a QR code of the point's page on the platform."""
    current = await topology.topology_for(session, principal=principal, ps_id=ps_id, at=None)
    name = current.enterprise.name if current.enterprise is not None else ps_id
    labels = labels_of(current, public_url=settings.public_url)
    generated = to_cst(now()).strftime("%Y-%m-%d %H:%M")
    return HTMLResponse(render_sheet(enterprise_name=name, ps_id=ps_id, labels=labels, generated_at=generated))
