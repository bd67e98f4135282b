"""Running the platform audit: on every change (at the transaction's edge) and on demand."""

from __future__ import annotations

import logging

from fbjd_core.auth import Principal
from fbjd_core.time import now
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.audit import repository
from fbjd_registry.audit.checks import run_checks
from fbjd_registry.audit.schemas import AuditReport, Finding, Severity
from fbjd_registry.changes.service import changed_enterprises
from fbjd_registry.control import repository as control_repository
from fbjd_registry.enterprises import repository as enterprises_repository
from fbjd_registry.enterprises.service import get_visible
from fbjd_registry.topology.service import current

__all__ = ["audit_for", "latest", "refresh_changed", "run"]

log = logging.getLogger(__name__)


async def run(session: AsyncSession, ps_id: str) -> AuditReport:
    """Audit the enterprise's current registry and keep the result."""
    topology = await current(session, ps_id)
    controlled = await control_repository.controlled_facility_ids(session, ps_id)
    findings = run_checks(topology, controlled_facility_ids=controlled)
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    report = AuditReport(
        ps_id=ps_id, ran_at=now(), passed=errors == 0, errors=errors, warnings=len(findings) - errors, findings=findings
    )
    await repository.save(
        session,
        ps_id=ps_id,
        ran_at=report.ran_at,
        errors=report.errors,
        warnings=report.warnings,
        findings=[f.model_dump(mode="json") for f in findings],
    )
    log.info("audit", extra={"ps_id": ps_id, "errors": report.errors, "warnings": report.warnings})
    return report


async def refresh_changed(session: AsyncSession) -> None:
    """Re-audit every enterprise changed in this transaction (called by the edge before commit)."""
    changed = changed_enterprises(session)
    while changed:
        ps_id = changed.pop()
        if await enterprises_repository.get(session, ps_id) is not None:
            await run(session, ps_id)


async def latest(session: AsyncSession, ps_id: str) -> AuditReport | None:
    """The result kept by the last change, without re-running."""
    row = await repository.get(session, ps_id)
    if row is None:
        return None
    return AuditReport(
        ps_id=ps_id,
        ran_at=row.ran_at,
        passed=row.errors == 0,
        errors=row.errors,
        warnings=row.warnings,
        findings=[Finding.model_validate(f) for f in row.findings],
    )


async def audit_for(session: AsyncSession, *, principal: Principal, ps_id: str) -> AuditReport:
    await get_visible(session, principal=principal, ps_id=ps_id)
    return await run(session, ps_id)
