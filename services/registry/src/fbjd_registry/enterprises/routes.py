"""Enterprises: list and read within scope; register, correct and move along the lifecycle (editors)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel

from fbjd_registry.access import Editor, Reader, change_context
from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeOut
from fbjd_registry.config import SettingsDep
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises import service
from fbjd_registry.enterprises.schemas import EnterpriseIn, EnterpriseOut, EnterprisePatch, LifecycleStep
from fbjd_registry.vocabulary import Industry, LifecycleStage

__all__ = ["PsIdPath", "router"]

router = APIRouter(tags=["enterprises"])

#: More enterprises than any city registers; a larger offset would overflow PostgreSQL's BIGINT (a 500, not a 422).
MAX_OFFSET = 10_000_000

PsIdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="psId: 32 lowercase hex")]


@router.get("/enterprises")
async def list_enterprises(
    session: SessionDep,
    principal: Reader,
    county_code: str | None = None,
    industry: Industry | None = None,
    stage: LifecycleStage | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[EnterpriseOut]:
    return await service.list_visible(
        session,
        principal=principal,
        county_code=county_code,
        industry=None if industry is None else industry.value,
        stage=None if stage is None else stage.value,
        limit=limit,
        offset=offset,
    )


def _documented_as(model: type[BaseModel]) -> dict[str, Any]:
    """The body is read as plain JSON (so that every problem is reported at once) and documented as `model`."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


@router.post("/enterprises", status_code=201, openapi_extra=_documented_as(EnterpriseIn))
async def create_enterprise(
    body: Annotated[dict[str, Any], Body()], session: SessionDep, principal: Editor, settings: SettingsDep
) -> EnterpriseOut:
    """Register an enterprise with the fields of 分表计电验收申请基础信息表 (schema EnterpriseIn)."""
    return await service.create(
        session, ctx=change_context(principal), principal=principal, raw=body, settings=settings
    )


@router.get("/enterprises/{ps_id}")
async def get_enterprise(ps_id: PsIdPath, session: SessionDep, principal: Reader) -> EnterpriseOut:
    return service.out(await service.get_visible(session, principal=principal, ps_id=ps_id))


@router.patch("/enterprises/{ps_id}", openapi_extra=_documented_as(EnterprisePatch))
async def patch_enterprise(
    ps_id: PsIdPath,
    changes_in: Annotated[dict[str, Any], Body()],
    session: SessionDep,
    principal: Editor,
    settings: SettingsDep,
) -> EnterpriseOut:
    return await service.patch(
        session,
        ctx=change_context(principal),
        principal=principal,
        ps_id=ps_id,
        changes_in=changes_in,
        settings=settings,
    )


@router.post("/enterprises/{ps_id}/lifecycle")
async def step_lifecycle(
    ps_id: PsIdPath, step_in: LifecycleStep, session: SessionDep, principal: Editor
) -> EnterpriseOut:
    return await service.step(session, ctx=change_context(principal), principal=principal, ps_id=ps_id, step_in=step_in)


@router.get("/enterprises/{ps_id}/changes")
async def list_changes(
    ps_id: PsIdPath,
    session: SessionDep,
    principal: Reader,
    entity: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[ChangeOut]:
    await service.get_visible(session, principal=principal, ps_id=ps_id)
    return await changes.history(session, ps_id=ps_id, entity=entity, limit=limit)
