"""Queries of vendors, assignments and the blacklist."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_registry.vendors.models import BlacklistEntry, Vendor, VendorAssignment

__all__ = [
    "add",
    "assignments_of_enterprise",
    "assignments_of_vendor",
    "get",
    "get_assignment",
    "get_by_credit_code",
    "list_blacklist",
    "list_vendors",
    "listed_entry",
    "listed_vendor_ids",
    "remove",
]


async def get(session: AsyncSession, vendor_id: uuid.UUID) -> Vendor | None:
    return await session.get(Vendor, vendor_id)


async def get_by_credit_code(session: AsyncSession, credit_code: str) -> Vendor | None:
    return await session.scalar(select(Vendor).where(Vendor.credit_code == credit_code))


async def list_vendors(session: AsyncSession, *, kind: str | None = None) -> Sequence[Vendor]:
    query = select(Vendor).order_by(Vendor.name, Vendor.id)
    if kind is not None:
        query = query.where(Vendor.kind == kind)
    return (await session.scalars(query)).all()


async def get_assignment(session: AsyncSession, assignment_id: uuid.UUID) -> VendorAssignment | None:
    return await session.get(VendorAssignment, assignment_id)


async def assignments_of_enterprise(session: AsyncSession, ps_id: str) -> Sequence[VendorAssignment]:
    query = select(VendorAssignment).where(VendorAssignment.ps_id == ps_id)
    return (await session.scalars(query.order_by(VendorAssignment.role, VendorAssignment.id))).all()


async def assignments_of_vendor(session: AsyncSession, vendor_id: uuid.UUID) -> Sequence[VendorAssignment]:
    query = select(VendorAssignment).where(VendorAssignment.vendor_id == vendor_id)
    return (await session.scalars(query.order_by(VendorAssignment.ps_id))).all()


async def listed_entry(session: AsyncSession, vendor_id: uuid.UUID) -> BlacklistEntry | None:
    query = select(BlacklistEntry).where(BlacklistEntry.vendor_id == vendor_id, BlacklistEntry.removed_at.is_(None))
    return await session.scalar(query)


async def listed_vendor_ids(session: AsyncSession) -> set[uuid.UUID]:
    query = select(BlacklistEntry.vendor_id).where(BlacklistEntry.removed_at.is_(None))
    return set((await session.scalars(query)).all())


async def list_blacklist(session: AsyncSession, *, include_removed: bool) -> Sequence[BlacklistEntry]:
    query = select(BlacklistEntry).order_by(BlacklistEntry.listed_at.desc(), BlacklistEntry.id)
    if not include_removed:
        query = query.where(BlacklistEntry.removed_at.is_(None))
    return (await session.scalars(query)).all()


async def add(session: AsyncSession, *rows: Vendor | VendorAssignment | BlacklistEntry) -> None:
    session.add_all(rows)
    await session.flush()


async def remove(session: AsyncSession, row: VendorAssignment) -> None:
    await session.delete(row)
    await session.flush()
