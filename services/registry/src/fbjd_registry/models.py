"""Every model of the service, imported so that Alembic sees the whole metadata."""

from __future__ import annotations

from fbjd_registry.acceptance.application.models import Application
from fbjd_registry.acceptance.models import SpotCheck, SpotCheckItem
from fbjd_registry.acceptance.review.models import PlatformAudit, SiteAudit
from fbjd_registry.audit.models import AuditResult
from fbjd_registry.changes.models import Change
from fbjd_registry.control.models import ControlMeasure, ControlPeriod, ControlPlan
from fbjd_registry.db import Base
from fbjd_registry.documents.models import Blob, Document
from fbjd_registry.dossier.models import DossierSectionRow
from fbjd_registry.enterprises.models import Enterprise
from fbjd_registry.facilities.models import Facility
from fbjd_registry.links.models import Link
from fbjd_registry.points.models import Point
from fbjd_registry.regions.models import City, County
from fbjd_registry.vendors.models import BlacklistEntry, Vendor, VendorAssignment

__all__ = [
    "Application",
    "AuditResult",
    "BlacklistEntry",
    "Blob",
    "Base",
    "Change",
    "City",
    "ControlMeasure",
    "ControlPeriod",
    "ControlPlan",
    "County",
    "Document",
    "DossierSectionRow",
    "Enterprise",
    "Facility",
    "Link",
    "PlatformAudit",
    "Point",
    "SiteAudit",
    "SpotCheck",
    "SpotCheckItem",
    "Vendor",
    "VendorAssignment",
]
