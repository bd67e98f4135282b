"""Threshold proposals: learn every point of an enterprise from its last weeks, let a person decide.

A proposal is never applied by itself: accepting it PATCHes the point in the registry (threshold_source
"learned") with the accepting person's own token, so the registry's change log names who decided; from then on
the registry versions it and the rules judge new data with it (old records keep the threshold of their time).
Findings of the learning run (declared threshold contradicted, reduced-frequency use, ...) are stored as
findings either way.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from fbjd_core.auth import Principal, Role
from fbjd_core.ids import new_id
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_rules.engine.model import PointRole
from fbjd_rules.errors import InsufficientData, InvalidState, RecordNotFound
from fbjd_rules.evaluation.registry_client import RegistryClient
from fbjd_rules.findings import service as findings
from fbjd_rules.readings import repository as readings
from fbjd_rules.readings.loader import group_rows, series_for_points
from fbjd_rules.thresholds import repository
from fbjd_rules.thresholds.learning import learn_threshold
from fbjd_rules.thresholds.models import ThresholdProposal

__all__ = ["accept", "learn_for_enterprise", "list_visible", "reject"]

log = logging.getLogger(__name__)


async def learn_for_enterprise(
    session: AsyncSession, *, registry: RegistryClient, ps_id: str, end: datetime, days: int, now: datetime
) -> list[ThresholdProposal]:
    """One proposal per point with enough data (points without are skipped and logged)."""
    start = end - timedelta(days=days + 1)
    versions = await registry.versions(ps_id, end - timedelta(seconds=1), end)
    if not versions:
        raise RecordNotFound(f"企业 {ps_id} 在 {end.isoformat()} 的登记信息不存在")
    topology = versions[-1].topology
    rows = await readings.for_enterprise(session, ps_id=ps_id, start=start, end=end)
    series = series_for_points(group_rows(rows), rated_kw={p.id: p.rated_kw for p in topology.points})
    created = []
    for point in topology.points:
        found = series.get(point.id)
        if point.role is PointRole.TOTAL_LINE or found is None:
            continue
        try:
            estimate = learn_threshold(
                found.times,
                found.power_kw,
                rated_kw=point.rated_kw,
                declared_kw=point.threshold_kw,
                role=point.role.value,
                min_days=float(days),
            )
        except InsufficientData as exc:
            log.info("threshold not learned", extra={"ps_id": ps_id, "point_id": point.id, "why": exc.message})
            continue
        await repository.supersede(session, point_id=point.id)
        data_from = datetime.fromtimestamp(int(found.times[0]), UTC)
        data_to = datetime.fromtimestamp(int(found.times[-1]), UTC)
        proposal = ThresholdProposal(
            id=new_id(),
            ps_id=ps_id,
            county=topology.county,
            point_id=point.id,
            point_name=point.name,
            role=point.role.value,
            status="proposed",
            estimate=estimate.status,
            learned_kw=estimate.threshold_kw,
            declared_kw=point.threshold_kw,
            declared_source=point.threshold_source,
            rated_kw=point.rated_kw,
            off_level_kw=estimate.off_level_kw,
            on_level_kw=estimate.on_level_kw,
            confidence=estimate.confidence,
            eta=estimate.eta,
            on_share=estimate.on_share,
            samples=estimate.samples,
            data_from=data_from,
            data_to=data_to,
            findings=[{"code": f.code, "message": f.message} for f in estimate.findings],
            created_at=now,
        )
        await repository.add(session, proposal)
        await findings.record_threshold_findings(
            session,
            ps_id=ps_id,
            county=topology.county,
            point_id=point.id,
            findings=[(f.code, f"「{point.name}」{f.message}") for f in estimate.findings],
            data_from=data_from,
            data_to=data_to,
            now=now,
        )
        created.append(proposal)
    return created


def _visible(principal: Principal, proposal: ThresholdProposal | None, proposal_id: uuid.UUID) -> ThresholdProposal:
    if proposal is None or not principal.can_see(enterprise_id=proposal.ps_id, county=proposal.county):
        raise RecordNotFound(f"阈值建议 {proposal_id} 不存在或不在您的管辖范围内")
    return proposal


async def accept(
    session: AsyncSession,
    *,
    registry: RegistryClient,
    principal: Principal,
    proposal_id: uuid.UUID,
    bearer: str,
    now: datetime,
) -> ThresholdProposal:
    proposal = _visible(principal, await repository.get(session, proposal_id), proposal_id)
    if proposal.status != "proposed":
        raise InvalidState(f"阈值建议已处理（{proposal.status}），不能再采纳")
    if proposal.learned_kw is None:
        raise InvalidState(f"数据未能区分启停（{proposal.estimate}），没有可采纳的阈值")
    await registry.patch_point_threshold(proposal.point_id, proposal.learned_kw, bearer=bearer)
    proposal.status, proposal.decided_at = "accepted", now
    proposal.decided_by = f"{principal.role.value}:{principal.subject}"
    registry.forget(proposal.ps_id)
    log.info("threshold accepted", extra={"ps_id": proposal.ps_id, "point_id": proposal.point_id})
    return proposal


async def reject(
    session: AsyncSession, *, principal: Principal, proposal_id: uuid.UUID, now: datetime
) -> ThresholdProposal:
    proposal = _visible(principal, await repository.get(session, proposal_id), proposal_id)
    if proposal.status != "proposed":
        raise InvalidState(f"阈值建议已处理（{proposal.status}），不能再驳回")
    proposal.status, proposal.decided_at = "rejected", now
    proposal.decided_by = f"{principal.role.value}:{principal.subject}"
    return proposal


async def list_visible(
    session: AsyncSession, *, principal: Principal, ps_id: str | None, status: str | None, limit: int, offset: int
) -> Sequence[ThresholdProposal]:
    county = None
    if principal.role is Role.ENTERPRISE:
        if ps_id not in (None, principal.enterprise_id):
            return []
        ps_id = principal.enterprise_id
    if principal.role is Role.COUNTY:
        county = principal.county
    return await repository.listing(session, ps_id=ps_id, county=county, status=status, limit=limit, offset=offset)
