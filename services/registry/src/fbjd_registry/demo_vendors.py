"""The demo city's technical units (技术单位), seeded idempotently beside its enterprises.

Every demo enterprise gets its builder (建设厂商, BUILDERS[i % 4]); every one past the planning stage its
third-party operator (第三方运营商, OPERATORS[i % 3], the operator its registration names). A vendor is found by
its credit code, an assignment by the enterprise and role, so seeding again adds only what is missing; an
enterprise whose vendor the city has blacklisted gets no new assignment from the seed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from fbjd_core.auth import Principal
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.demo_catalogue import BUILDERS, OPERATORS, DemoVendor
from fbjd_registry.enterprises import repository as enterprises_repository
from fbjd_registry.enterprises.credit_code import ALPHABET, check_character
from fbjd_registry.vendors import repository
from fbjd_registry.vendors import service as vendors
from fbjd_registry.vendors.schemas import AssignmentIn, VendorIn
from fbjd_registry.vocabulary import LifecycleStage, VendorKind

__all__ = ["VendorSeedResult", "seed_vendors", "vendor_credit_code"]


class VendorSeedResult(BaseModel):
    vendors_created: int
    assignments_created: int


def vendor_credit_code(vendor: DemoVendor) -> str:
    """A valid GB 32100 code (企业法人, the vendor's area code), the same on every run."""
    digest = hashlib.sha256(f"vendor:{vendor.name}".encode()).digest()
    body = "91" + vendor.county_code + "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:9])
    return body + check_character(body)


async def _ensure_vendor(
    session: AsyncSession, ctx: ChangeContext, vendor: DemoVendor, kind: VendorKind
) -> tuple[str, bool]:
    """The vendor's id (as text) and whether it was created now."""
    code = vendor_credit_code(vendor)
    existing = await repository.get_by_credit_code(session, code)
    if existing is not None:
        return str(existing.id), False
    data = VendorIn(
        name=vendor.name,
        credit_code=code,
        kind=kind,
        contact_name=vendor.contact_name,
        contact_phone=vendor.contact_phone,
        address=vendor.address,
    )
    return str((await vendors.create(session, ctx=ctx, data=data)).id), True


async def seed_vendors(
    session: AsyncSession, *, ctx: ChangeContext, seeder: Principal, ps_ids: Sequence[str]
) -> VendorSeedResult:
    """The vendors, and the assignments of the demo enterprises `ps_ids` (in catalogue order) still missing."""
    created = assigned = 0
    ids: dict[VendorKind, list[str]] = {VendorKind.BUILDER: [], VendorKind.OPERATOR: []}
    for kind, catalogue in ((VendorKind.BUILDER, BUILDERS), (VendorKind.OPERATOR, OPERATORS)):
        for vendor in catalogue:
            vendor_id, new = await _ensure_vendor(session, ctx, vendor, kind)
            ids[kind].append(vendor_id)
            created += new
    listed = {str(v) for v in await repository.listed_vendor_ids(session)}
    for index, ps_id in enumerate(ps_ids):
        enterprise = await enterprises_repository.get(session, ps_id)
        if enterprise is None:
            continue
        has = {row.role for row in await repository.assignments_of_enterprise(session, ps_id)}
        wanted = [VendorKind.BUILDER]
        if enterprise.stage != LifecycleStage.PLANNED.value:
            wanted.append(VendorKind.OPERATOR)
        for role in wanted:
            vendor_id = ids[role][index % len(ids[role])]
            if role.value in has or vendor_id in listed:
                continue
            data = AssignmentIn.model_validate({"vendor_id": vendor_id, "role": role.value})
            await vendors.assign(session, ctx=ctx, principal=seeder, ps_id=ps_id, data=data)
            assigned += 1
    return VendorSeedResult(vendors_created=created, assignments_created=assigned)
