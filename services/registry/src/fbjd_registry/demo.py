"""The demo city: 沧州市, its 16 counties, about 50 enterprises across the 23 industries and their technical units
(`demo_vendors`), seeded idempotently.

`seed(session)` is what `fbjd run` (or `POST /api/registry/demo/seed`, admin) calls; enterprises that exist
already (same psId) are left alone, so seeding twice changes nothing. Everything is deterministic: the psId is the
md5 of the enterprise name, the device MN the md5 of the psId (24 upper-case hex), credit codes carry a valid
GB 32100 check character. Each enterprise has one device (MN) carrying all its points, each point on its own
channel of the HJ 212-2025 electricity profile (production side d205NN, treatment side d305NN; energy d206NN /
d306NN, see `devices`). Changes are logged as of `DEMO_EPOCH`, so as-of queries for any recent instant see the
demo registry.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fbjd_core.auth import Principal, Role, require_roles
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.audit.service import refresh_changed
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.config import Settings, SettingsDep
from fbjd_registry.control import service as control
from fbjd_registry.control.schemas import MeasureIn, PlanIn
from fbjd_registry.demo_catalogue import COUNTY_SEATS, ENTERPRISES, OPERATORS, DemoEnterprise, Unit
from fbjd_registry.demo_vendors import seed_vendors
from fbjd_registry.devices.service import power_code
from fbjd_registry.edge import SessionDep
from fbjd_registry.enterprises import repository as enterprises_repository
from fbjd_registry.enterprises import service as enterprises
from fbjd_registry.enterprises.credit_code import ALPHABET, check_character
from fbjd_registry.enterprises.schemas import LifecycleStep
from fbjd_registry.facilities import service as facilities
from fbjd_registry.facilities.schemas import FacilityIn
from fbjd_registry.links import service as links
from fbjd_registry.links.schemas import LinkIn
from fbjd_registry.points import service as points
from fbjd_registry.points.schemas import PointIn
from fbjd_registry.regions.service import ensure_cangzhou
from fbjd_registry.vocabulary import ControlAction, ControlLevel, FacilityKind, LifecycleStage, PointRole

__all__ = ["DEMO_EPOCH", "SeedResult", "demo_mn", "demo_ps_id", "router", "seed"]

log = logging.getLogger(__name__)

DEMO_EPOCH = datetime.fromisoformat("2025-01-01T00:00:00+08:00")
SEEDER = Principal(subject="demo-seed", role=Role.ADMIN)
_PEOPLE = ("张建国", "王志强", "李秀英", "刘海涛", "陈立新", "杨振华", "赵文博", "黄金福", "周红梅", "吴德胜")
_OPERATORS = tuple(vendor.name for vendor in OPERATORS)  # the registration names the operator seeded for it
_STAGES = (
    (LifecycleStage.ACCEPTED,) * 6
    + (LifecycleStage.NETWORKED,) * 2
    + (LifecycleStage.INSTALLING, LifecycleStage.PLANNED)
)
_CONTINUOUS = ("窑", "炉", "机组", "装置", "烧结机", "发酵罐")


class SeedResult(BaseModel):
    enterprises_created: int
    enterprises_existing: int
    points_created: int
    vendors_created: int = 0
    assignments_created: int = 0


def demo_ps_id(name: str) -> str:
    return hashlib.md5(name.encode()).hexdigest()  # noqa: S324 - an identifier, not a secret


def demo_mn(ps_id: str) -> str:
    return hashlib.md5(f"mn:{ps_id}".encode()).hexdigest()[:24].upper()  # noqa: S324


def _credit_code(name: str, county: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    body = "91" + county + "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:9])
    return body + check_character(body)


def _threshold(rated: float) -> float:
    return max(0.5, round(rated * 0.12 * 2) / 2)


def _form(spec: DemoEnterprise, index: int) -> dict[str, Any]:
    lon, lat, postcode, road = COUNTY_SEATS[spec.county_code]
    digest = hashlib.sha256(spec.name.encode()).digest()
    code = _credit_code(spec.name, spec.county_code)
    start = date(2025, 3, 3) + timedelta(days=7 * (index % 8))
    return {
        "ps_id": demo_ps_id(spec.name),
        "name": spec.name,
        "address": f"河北省沧州市{road}{10 + digest[0] % 190}号",
        "county_code": spec.county_code,
        "longitude": round(lon + (digest[1] - 128) / 2000, 5),
        "latitude": round(lat + (digest[2] - 128) / 2500, 5),
        "credit_code": code,
        "permit_no": f"{code}001P",
        "legal_representative": _PEOPLE[digest[3] % len(_PEOPLE)],
        "postcode": postcode,
        "category": spec.category,
        "industry": spec.industry,
        "is_300mw_power_plant": spec.power_plant_300mw,
        "env_contact_name": _PEOPLE[(digest[4] + 3) % len(_PEOPLE)],
        "env_contact_phone": f"1393170{index:04d}",
        "operator_name": _OPERATORS[index % len(_OPERATORS)],
        "operator_contact": _PEOPLE[(digest[5] + 5) % len(_PEOPLE)],
        "operator_phone": f"0317-30{index:05d}",
        "planned_install_date": start.isoformat(),
        "planned_network_date": (start + timedelta(days=30)).isoformat(),
        "planned_acceptance_date": (start + timedelta(days=60)).isoformat(),
    }


async def _lifecycle(
    session: AsyncSession, ctx: ChangeContext, ps_id: str, index: int, planned: date
) -> LifecycleStage:
    stage = _STAGES[index % len(_STAGES)]
    order = [LifecycleStage.INSTALLING, LifecycleStage.NETWORKED, LifecycleStage.ACCEPTED]
    day = planned + timedelta(days=index % 5)
    for step in order[: [LifecycleStage.PLANNED, *order].index(stage)]:
        await enterprises.step(
            session, ctx=ctx, principal=SEEDER, ps_id=ps_id, step_in=LifecycleStep(stage=step, on=day)
        )
        day += timedelta(days=28)
    return stage


async def _registry(
    session: AsyncSession, ctx: ChangeContext, ps_id: str, layout: tuple[Unit, ...]
) -> tuple[dict[str, Any], int]:
    """Facilities, points (one device, a channel each) and links of one enterprise: (facility ids by name, points)."""
    mn, channels = demo_mn(ps_id), {"production": 0, "treatment": 0}
    ids: dict[str, Any] = {}

    async def point(facility_id: Any, name: str, role: PointRole, rated: float, group: str | None) -> None:
        side = "treatment" if role is PointRole.TREATMENT else "production"
        channels[side] += 1
        code = power_code(treatment=side == "treatment", channel=channels[side])
        data = PointIn(
            facility_id=facility_id, name=name, role=role, rated_kw=rated, threshold_kw=_threshold(rated),
            mn=mn, factor_code=code, standby_group=group,
        )  # fmt: skip
        await points.create(session, ctx=ctx, principal=SEEDER, ps_id=ps_id, data=data)

    for unit in layout:
        facility = FacilityIn(
            name=unit.name,
            kind=FacilityKind(unit.kind),
            process=unit.process,
            rated_kw=unit.rated_kw,
            needs_treatment=unit.needs_treatment,
        )
        ids[unit.name] = (await facilities.create(session, ctx=ctx, principal=SEEDER, ps_id=ps_id, data=facility)).id
        role = PointRole.TREATMENT if unit.kind == "treatment" else PointRole.PRODUCTION
        for node in unit.nodes:
            await point(ids[unit.name], f"{unit.name}-{node.node}", role, node.rated_kw, node.group)
    total = sum(unit.rated_kw for unit in layout) * 1.2
    await point(None, "厂区总进线-1#变压器", PointRole.TOTAL_LINE, round(total), None)
    for unit in layout:
        for treatment in unit.serves:
            link = LinkIn(production_facility_id=ids[unit.name], treatment_facility_id=ids[treatment])
            await links.create(session, ctx=ctx, principal=SEEDER, ps_id=ps_id, data=link)
    return ids, channels["production"] + channels["treatment"]


async def _plans(session: AsyncSession, ctx: ChangeContext, spec: DemoEnterprise, ids: dict[str, Any]) -> None:
    """一厂一策: continuous plants limit under red, the rest stop; orange and yellow limit; VOC works go off-peak."""
    ps_id = demo_ps_id(spec.name)
    production = [unit for unit in spec.layout if unit.kind == "production"]

    def red(unit: Unit) -> MeasureIn:
        if any(word in unit.name for word in _CONTINUOUS):
            return MeasureIn(facility_id=ids[unit.name], action=ControlAction.LIMIT, limit_share=0.5)
        return MeasureIn(facility_id=ids[unit.name], action=ControlAction.STOP)

    plans = {
        ControlLevel.RED: PlanIn(name="重污染天气红色预警一厂一策", measures=[red(u) for u in production]),
        ControlLevel.ORANGE: PlanIn(
            name="重污染天气橙色预警一厂一策",
            measures=[
                MeasureIn(facility_id=ids[u.name], action=ControlAction.LIMIT, limit_share=0.6) for u in production
            ],
        ),
        ControlLevel.YELLOW: PlanIn(
            name="重污染天气黄色预警一厂一策",
            measures=[
                MeasureIn(facility_id=ids[u.name], action=ControlAction.LIMIT, limit_share=0.8) for u in production
            ],
        ),
    }
    if spec.industry in {"工业涂装", "包装印刷"}:
        window = [{"start": "10:00", "end": "16:00"}]
        measures = [
            MeasureIn.model_validate({"facility_id": ids[u.name], "action": "off_peak", "windows": window})
            for u in production
        ]
        plans[ControlLevel.DIFFERENTIATED] = PlanIn(name="夏季臭氧错峰生产方案", measures=measures)
    for level, plan in plans.items():
        await control.put_plan(session, ctx=ctx, principal=SEEDER, ps_id=ps_id, level=level, data=plan)


async def seed(session: AsyncSession, *, settings: Settings | None = None) -> SeedResult:
    """Idempotent: creates what is missing, leaves every existing enterprise as it is. Flushes; the caller commits."""
    settings = settings or Settings.model_construct()  # the defaults: Cangzhou's bounds
    ctx = ChangeContext(actor="system:demo-seed", at=DEMO_EPOCH)
    await ensure_cangzhou(session, ctx=ctx)
    created = existing = point_count = 0
    for index, spec in enumerate(ENTERPRISES):
        form = _form(spec, index)
        if await enterprises_repository.get(session, form["ps_id"]) is not None:
            existing += 1
            continue
        await enterprises.create(session, ctx=ctx, principal=SEEDER, raw=form, settings=settings)
        stage = await _lifecycle(session, ctx, form["ps_id"], index, date.fromisoformat(form["planned_install_date"]))
        ids, count = await _registry(session, ctx, form["ps_id"], spec.layout)
        point_count += count
        if stage in {LifecycleStage.ACCEPTED, LifecycleStage.NETWORKED}:
            await _plans(session, ctx, spec, ids)
        created += 1
    technical = await seed_vendors(
        session, ctx=ctx, seeder=SEEDER, ps_ids=[demo_ps_id(spec.name) for spec in ENTERPRISES]
    )
    await refresh_changed(session)
    result = SeedResult(
        enterprises_created=created,
        enterprises_existing=existing,
        points_created=point_count,
        **technical.model_dump(),
    )
    log.info("demo seeded", extra=result.model_dump())
    return result


router = APIRouter(tags=["demo"])
AdminOnly = Annotated[Principal, Depends(require_roles())]


@router.post("/demo/seed")
async def seed_demo(session: SessionDep, _admin: AdminOnly, settings: SettingsDep) -> SeedResult:
    return await seed(session, settings=settings)
