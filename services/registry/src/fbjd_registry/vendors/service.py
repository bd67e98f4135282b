"""Technical units (建设厂商/第三方运营商): register, assign to enterprises, judge by their installations, blacklist.

Vendors and the blacklist are city-wide (change log rows without psId); an assignment belongs to its
enterprise (logged under its psId, scoped like the enterprise). The quality summary counts only the
enterprises the caller may see. A blacklisted vendor keeps its existing assignments but may not be given new
ones until the city removes it from the list.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter

from fbjd_core.auth import Principal
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.audit.models import AuditResult
from fbjd_registry.changes import service as changes
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.enterprises import repository as enterprises_repository
from fbjd_registry.enterprises.service import get_visible
from fbjd_registry.errors import InvalidInput, Problem, RegistryConflict, RegistryNotFound
from fbjd_registry.points import repository as points_repository
from fbjd_registry.validation import label_of
from fbjd_registry.vendors import repository
from fbjd_registry.vendors.models import BlacklistEntry, Vendor, VendorAssignment
from fbjd_registry.vendors.schemas import (
    AssignmentIn,
    AssignmentOut,
    BlacklistEntryOut,
    BlacklistIn,
    BlacklistRemovalIn,
    QualityEnterprise,
    VendorIn,
    VendorOut,
    VendorPatch,
    VendorQuality,
)
from fbjd_registry.vocabulary import VENDOR_KIND_LABELS, VendorKind

__all__ = [
    "assign",
    "blacklist",
    "create",
    "get_vendor",
    "list_assignments",
    "list_blacklist",
    "list_vendors",
    "patch",
    "quality",
    "unassign",
    "unlist",
]

log = logging.getLogger(__name__)

VENDOR, ASSIGNMENT, BLACKLIST = "vendor", "vendor_assignment", "vendor_blacklist"


class AssignmentState(BaseModel):
    """What the change log keeps of an assignment."""

    id: uuid.UUID
    ps_id: str
    vendor_id: uuid.UUID
    role: VendorKind


def out(vendor: Vendor) -> VendorOut:
    return VendorOut.model_validate(vendor, from_attributes=True)


def _entry_out(entry: BlacklistEntry, vendor: Vendor) -> BlacklistEntryOut:
    return BlacklistEntryOut(
        id=entry.id,
        vendor_id=vendor.id,
        vendor_name=vendor.name,
        credit_code=vendor.credit_code,
        kind=VendorKind(vendor.kind),
        reason=entry.reason,
        listed_by=entry.listed_by,
        listed_at=entry.listed_at,
        removed_by=entry.removed_by,
        removed_at=entry.removed_at,
        removal_reason=entry.removal_reason,
    )


async def _vendor(session: AsyncSession, vendor_id: uuid.UUID) -> Vendor:
    vendor = await repository.get(session, vendor_id)
    if vendor is None:
        raise RegistryNotFound(f"技术单位 {vendor_id} 不存在")
    return vendor


async def _ensure_code_free(session: AsyncSession, credit_code: str, *, vendor_id: uuid.UUID | None) -> None:
    existing = await repository.get_by_credit_code(session, credit_code)
    if existing is not None and existing.id != vendor_id:
        raise RegistryConflict(f"统一社会信用代码 {credit_code} 已登记为技术单位「{existing.name}」")


async def list_vendors(session: AsyncSession, *, kind: VendorKind | None) -> list[VendorOut]:
    return [out(row) for row in await repository.list_vendors(session, kind=None if kind is None else kind.value)]


async def get_vendor(session: AsyncSession, vendor_id: uuid.UUID) -> VendorOut:
    return out(await _vendor(session, vendor_id))


async def create(session: AsyncSession, *, ctx: ChangeContext, data: VendorIn) -> VendorOut:
    await _ensure_code_free(session, data.credit_code, vendor_id=None)
    vendor = Vendor(**data.model_dump(mode="json"))
    await repository.add(session, vendor)
    created = out(vendor)
    await changes.record(session, ctx=ctx, ps_id=None, entity=VENDOR, entity_id=str(vendor.id), old=None, new=created)
    log.info("vendor registered", extra={"vendor": str(vendor.id), "kind": vendor.kind})
    return created


async def patch(session: AsyncSession, *, ctx: ChangeContext, vendor_id: uuid.UUID, data: VendorPatch) -> VendorOut:
    vendor = await _vendor(session, vendor_id)
    before = out(vendor)
    values = data.model_dump(mode="json", exclude_unset=True)
    problems = [
        Problem(field, "必填项，不能清空", label_of(field))
        for field in ("name", "credit_code", "kind", "contact_name", "contact_phone")
        if field in values and values[field] is None
    ]
    if problems:
        raise InvalidInput(problems)
    if "credit_code" in values:
        await _ensure_code_free(session, values["credit_code"], vendor_id=vendor_id)
    if "kind" in values and values["kind"] != vendor.kind:
        if await repository.assignments_of_vendor(session, vendor_id):
            raise RegistryConflict(
                f"「{vendor.name}」已被企业指定为{VENDOR_KIND_LABELS[VendorKind(vendor.kind)]}，不能改类型"
            )
    for field, value in values.items():
        setattr(vendor, field, value)
    await session.flush()
    after = out(vendor)
    await changes.record(session, ctx=ctx, ps_id=None, entity=VENDOR, entity_id=str(vendor_id), old=before, new=after)
    return after


async def _assignments_out(session: AsyncSession, rows: list[VendorAssignment]) -> list[AssignmentOut]:
    listed = await repository.listed_vendor_ids(session)
    result = []
    for row in rows:
        vendor = await _vendor(session, row.vendor_id)
        result.append(
            AssignmentOut(
                id=row.id,
                ps_id=row.ps_id,
                vendor_id=row.vendor_id,
                role=VendorKind(row.role),
                vendor_name=vendor.name,
                blacklisted=row.vendor_id in listed,
            )
        )
    return result


async def list_assignments(session: AsyncSession, *, principal: Principal, ps_id: str) -> list[AssignmentOut]:
    await get_visible(session, principal=principal, ps_id=ps_id)
    return await _assignments_out(session, list(await repository.assignments_of_enterprise(session, ps_id)))


async def assign(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, data: AssignmentIn
) -> AssignmentOut:
    await get_visible(session, principal=principal, ps_id=ps_id)
    vendor = await repository.get(session, data.vendor_id)
    if vendor is None:
        raise InvalidInput([Problem("vendor_id", f"技术单位 {data.vendor_id} 不存在", label_of("vendor_id"))])
    if vendor.kind != data.role.value:
        wanted, actual = VENDOR_KIND_LABELS[data.role], VENDOR_KIND_LABELS[VendorKind(vendor.kind)]
        message = f"「{vendor.name}」登记为{actual}，不能指定为{wanted}"
        raise InvalidInput([Problem("role", message, "承担角色")])
    entry = await repository.listed_entry(session, vendor.id)
    if entry is not None:
        raise RegistryConflict(f"「{vendor.name}」已被列入黑名单（{entry.reason}），不能指定给企业")
    existing = await repository.assignments_of_enterprise(session, ps_id)
    if any(a.vendor_id == vendor.id and a.role == data.role.value for a in existing):
        raise RegistryConflict(f"「{vendor.name}」已是该企业的{VENDOR_KIND_LABELS[data.role]}")
    row = VendorAssignment(ps_id=ps_id, vendor_id=vendor.id, role=data.role.value)
    await repository.add(session, row)
    state = AssignmentState(id=row.id, ps_id=ps_id, vendor_id=vendor.id, role=data.role)
    await changes.record(session, ctx=ctx, ps_id=ps_id, entity=ASSIGNMENT, entity_id=str(row.id), old=None, new=state)
    return (await _assignments_out(session, [row]))[0]


async def unassign(
    session: AsyncSession, *, ctx: ChangeContext, principal: Principal, ps_id: str, assignment_id: uuid.UUID
) -> None:
    await get_visible(session, principal=principal, ps_id=ps_id)
    row = await repository.get_assignment(session, assignment_id)
    if row is None or row.ps_id != ps_id:
        raise RegistryNotFound(f"该企业没有指定 {assignment_id}")
    state = AssignmentState(id=row.id, ps_id=ps_id, vendor_id=row.vendor_id, role=VendorKind(row.role))
    await repository.remove(session, row)
    await changes.record(
        session, ctx=ctx, ps_id=ps_id, entity=ASSIGNMENT, entity_id=str(assignment_id), old=state, new=None
    )


async def list_blacklist(session: AsyncSession, *, include_removed: bool) -> list[BlacklistEntryOut]:
    entries = await repository.list_blacklist(session, include_removed=include_removed)
    return [_entry_out(entry, await _vendor(session, entry.vendor_id)) for entry in entries]


async def blacklist(session: AsyncSession, *, ctx: ChangeContext, data: BlacklistIn) -> BlacklistEntryOut:
    vendor = await repository.get(session, data.vendor_id)
    if vendor is None:
        raise InvalidInput([Problem("vendor_id", f"技术单位 {data.vendor_id} 不存在", label_of("vendor_id"))])
    existing = await repository.listed_entry(session, vendor.id)
    if existing is not None:
        raise RegistryConflict(f"「{vendor.name}」已在黑名单上（{existing.reason}）")
    entry = BlacklistEntry(vendor_id=vendor.id, reason=data.reason.strip(), listed_by=ctx.actor, listed_at=ctx.at)
    await repository.add(session, entry)
    listed = _entry_out(entry, vendor)
    await changes.record(session, ctx=ctx, ps_id=None, entity=BLACKLIST, entity_id=str(entry.id), old=None, new=listed)
    log.info("vendor blacklisted", extra={"vendor": str(vendor.id)})
    return listed


async def unlist(
    session: AsyncSession, *, ctx: ChangeContext, vendor_id: uuid.UUID, data: BlacklistRemovalIn
) -> BlacklistEntryOut:
    vendor = await _vendor(session, vendor_id)
    entry = await repository.listed_entry(session, vendor_id)
    if entry is None:
        raise RegistryNotFound(f"「{vendor.name}」不在黑名单上")
    before = _entry_out(entry, vendor)
    entry.removed_by, entry.removed_at, entry.removal_reason = ctx.actor, ctx.at, data.reason.strip()
    await session.flush()
    after = _entry_out(entry, vendor)
    await changes.record(session, ctx=ctx, ps_id=None, entity=BLACKLIST, entity_id=str(entry.id), old=before, new=after)
    log.info("vendor removed from blacklist", extra={"vendor": str(vendor.id)})
    return after


async def quality(session: AsyncSession, *, principal: Principal, vendor_id: uuid.UUID) -> VendorQuality:
    vendor = await _vendor(session, vendor_id)
    roles: dict[str, list[VendorKind]] = {}
    for row in await repository.assignments_of_vendor(session, vendor_id):
        roles.setdefault(row.ps_id, []).append(VendorKind(row.role))
    enterprises = [
        e
        for e in await enterprises_repository.list_by_ps_ids(session, sorted(roles))
        if principal.can_see(enterprise_id=e.ps_id, county=e.county_code)
    ]
    ps_ids = [e.ps_id for e in enterprises]
    counts = await points_repository.count_by_role(session, ps_ids)
    audits = {
        row.ps_id: row
        for row in (await session.scalars(select(AuditResult).where(AuditResult.ps_id.in_(ps_ids)))).all()
    }
    by_role: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    rows = []
    for e in sorted(enterprises, key=lambda e: (e.county_code, e.name)):
        mine = {role: n for (ps_id, role), n in counts.items() if ps_id == e.ps_id}
        by_role.update(mine)
        audit = audits.get(e.ps_id)
        if audit is not None:
            categories.update(str(f.get("category")) for f in audit.findings)
            codes.update(str(f.get("code")) for f in audit.findings)
        rows.append(
            QualityEnterprise(
                ps_id=e.ps_id,
                name=e.name,
                county_code=e.county_code,
                roles=sorted(roles[e.ps_id]),
                points=sum(mine.values()),
                audit_errors=None if audit is None else audit.errors,
                audit_warnings=None if audit is None else audit.warnings,
            )
        )
    audited = [audits[p] for p in ps_ids if p in audits]
    return VendorQuality(
        vendor=out(vendor),
        blacklisted=await repository.listed_entry(session, vendor_id) is not None,
        enterprises=len(enterprises),
        points=sum(by_role.values()),
        points_by_role=dict(sorted(by_role.items())),
        enterprises_audited=len(audited),
        enterprises_passing_audit=sum(1 for a in audited if a.errors == 0),
        audit_errors=sum(a.errors for a in audited),
        audit_warnings=sum(a.warnings for a in audited),
        findings_by_category=dict(sorted(categories.items())),
        findings_by_code=dict(sorted(codes.items())),
        by_enterprise=rows,
    )
