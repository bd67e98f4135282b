"""GET /devices: every MN with its enterprise and the points it carries, for the simulator and the runner.

The registry does not own devices (ingest does: MN, password, online state); it knows which point each
(MN, factor code) channel measures. Factor codes follow the HJ 212-2025 electricity profile of `hj212.factors`
(d2PPNN production / d3PPNN treatment, PP 05 active power kW, PP 06 energy kWh, NN the channel).
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict

from fbjd_core.auth import Principal, Role
from hj212.factors import Quantity, get_profile
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.devices.schemas import DeviceOut, DevicePoint, FacilityRef
from fbjd_registry.enterprises import repository as enterprises_repository
from fbjd_registry.facilities import repository as facilities_repository
from fbjd_registry.links import repository as links_repository
from fbjd_registry.points import repository as points_repository
from fbjd_registry.vocabulary import FacilityKind, PointRole

__all__ = ["FACTOR_PROFILE", "demo_password", "energy_code_for", "list_devices", "power_code"]

FACTOR_PROFILE = "hj212-2025-electric"
_PROFILE = get_profile(FACTOR_PROFILE)


def power_code(*, treatment: bool, channel: int) -> str:
    """The active-power factor code of a channel: d205NN (production side) or d305NN (treatment side)."""
    code = f"d{3 if treatment else 2}05{channel:02d}"
    match = _PROFILE.match(code)
    if match.meaning is None or match.meaning.quantity is not Quantity.ACTIVE_POWER_KW:
        raise ValueError(f"{code} is not an active-power code in profile {FACTOR_PROFILE}")
    return code


def energy_code_for(code: str | None) -> str | None:
    """The cumulative-energy code beside an active-power code (d20501 → d20601), if the profile has one."""
    if code is None or len(code) != 6 or not code.startswith(("d205", "d305")):
        return None
    candidate = f"{code[:2]}06{code[4:]}"
    match = _PROFILE.match(candidate)
    if match.meaning is None or match.meaning.quantity is not Quantity.ENERGY_KWH:
        return None
    return candidate


def demo_password(mn: str) -> str:
    """The 6-digit HJ 212 password the demo gives a device (deterministic, so every process agrees)."""
    return f"{int(hashlib.sha256(f'fbjd-demo:{mn}'.encode()).hexdigest(), 16) % 1_000_000:06d}"


def _scope(principal: Principal, ps_id: str | None) -> tuple[str | None, str | None, bool]:
    """(psId filter, county filter, nothing visible)."""
    if principal.role is Role.ENTERPRISE:
        if ps_id is not None and ps_id != principal.enterprise_id:
            return None, None, True
        return principal.enterprise_id, None, principal.enterprise_id is None
    if principal.role is Role.COUNTY:
        return ps_id, principal.county, principal.county is None
    return ps_id, None, False


async def list_devices(session: AsyncSession, *, principal: Principal, ps_id: str | None = None) -> list[DeviceOut]:
    only, county, nothing = _scope(principal, ps_id)
    if nothing:
        return []
    enterprises = {
        e.ps_id: e
        for e in await enterprises_repository.list_enterprises(session, ps_id=only, county_code=county, limit=100_000)
    }
    ps_ids = sorted(enterprises)
    facilities = {f.id: f for f in await facilities_repository.list_for_many(session, ps_ids)}
    linked: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for link in await links_repository.list_for_many(session, ps_ids):
        linked[link.production_facility_id].append(link.treatment_facility_id)
        linked[link.treatment_facility_id].append(link.production_facility_id)

    def ref(facility_id: uuid.UUID | None) -> FacilityRef | None:
        facility = None if facility_id is None else facilities.get(facility_id)
        return (
            None
            if facility is None
            else FacilityRef(id=facility.id, name=facility.name, kind=FacilityKind(facility.kind))
        )

    devices: dict[str, DeviceOut] = {}
    with_password = principal.role in {Role.ADMIN, Role.SERVICE}
    for point in await points_repository.list_with_mn(session, ps_ids=ps_ids):
        if point.mn is None or point.factor_code is None:
            continue
        enterprise = enterprises[point.ps_id]
        device = devices.setdefault(
            point.mn,
            DeviceOut(
                mn=point.mn,
                ps_id=point.ps_id,
                enterprise_name=enterprise.name,
                county_code=enterprise.county_code,
                factor_profile=FACTOR_PROFILE,
                demo_password=demo_password(point.mn) if with_password else None,
                points=[],
            ),
        )
        others = (
            [r for fid in sorted(linked.get(point.facility_id, [])) if (r := ref(fid)) is not None]
            if point.facility_id
            else []
        )
        device.points.append(
            DevicePoint(
                point_id=point.id,
                name=point.name,
                role=PointRole(point.role),
                factor_code=point.factor_code,
                energy_factor_code=energy_code_for(point.factor_code),
                rated_kw=point.rated_kw,
                threshold_kw=point.threshold_kw,
                standby_group=point.standby_group,
                judgement_minutes=point.judgement_minutes,
                facility=ref(point.facility_id),
                linked_facilities=others,
            )
        )
    return sorted(devices.values(), key=lambda d: (d.ps_id, d.mn))
