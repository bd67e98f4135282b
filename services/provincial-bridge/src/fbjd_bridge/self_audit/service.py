"""The self-audit report: the enterprises in scope, read concurrently (bounded), checked, summed per county."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import datetime, timedelta

from fbjd_bridge.self_audit.checks import AuditWindow, run_checks
from fbjd_bridge.self_audit.schemas import CountyOut, EnterpriseOut, SelfAuditOut
from fbjd_bridge.self_audit.sources import AuditSources

__all__ = ["self_audit"]

log = logging.getLogger(__name__)

_CODES = tuple(str(code) for code in range(1, 7))


def _counties(enterprises: list[EnterpriseOut], names: dict[str, str]) -> list[CountyOut]:
    grouped: dict[str, list[EnterpriseOut]] = defaultdict(list)
    for enterprise in enterprises:
        grouped[enterprise.county].append(enterprise)
    out = []
    for county in sorted(grouped):
        members = grouped[county]
        findings = dict.fromkeys(_CODES, 0)
        unknown = dict.fromkeys(_CODES, 0)
        for enterprise in members:
            for check in enterprise.checks:
                findings[str(check.code)] += len(check.findings)
                unknown[str(check.code)] += check.status == "not_checkable"
        out.append(
            CountyOut(
                county=county,
                county_name=names.get(county),
                enterprises=len(members),
                enterprises_with_findings=sum(any(c.findings for c in e.checks) for e in members),
                findings_by_check=findings,
                not_checkable_by_check=unknown,
            )
        )
    return out


async def self_audit(
    sources: AuditSources, *, county: str | None, ps_id: str | None, days: int, at: datetime
) -> SelfAuditOut:
    window = AuditWindow(start=at - timedelta(days=days), at=at)
    names = await sources.counties()
    listed = await sources.enterprises(county=county, ps_id=ps_id)
    read = await asyncio.gather(*(sources.of_enterprise(e, since=window.start, at=at) for e in listed))
    enterprises = sorted(
        (
            EnterpriseOut(
                ps_id=ent.ps_id,
                name=ent.name,
                county=ent.county,
                county_name=names.get(ent.county),
                checks=run_checks(ent, window),
            )
            for ent in read
        ),
        key=lambda e: (e.county, e.name, e.ps_id),
    )
    log.info("self-audit made", extra={"county": county, "ps_id": ps_id, "enterprises": len(enterprises)})
    return SelfAuditOut(
        generated_at=at,
        window_start=window.start,
        window_days=days,
        counties=_counties(enterprises, names),
        enterprises=enterprises,
    )
