"""Who may do what in the rules service (its own check, after the gateway's).

Reads: city, admin, service see everything; a county only records of its county (the record's county); an
enterprise only its own. A record outside the caller's scope answers like a missing one (404).
Notifications of new readings: the ingest service (role service) and admin. Deciding on threshold proposals:
city and county (own county), admin. Judging an enterprise's stretches on demand (an audit): city, county (own
county), service (the bridge's self-audit), admin.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fbjd_core.auth import Principal, Role, require_roles

__all__ = ["Auditor", "Decider", "Notifier", "Operator", "Reader"]

Reader = Annotated[Principal, Depends(require_roles(Role.CITY, Role.COUNTY, Role.ENTERPRISE, Role.SERVICE))]
Notifier = Annotated[Principal, Depends(require_roles(Role.SERVICE))]
Decider = Annotated[Principal, Depends(require_roles(Role.CITY, Role.COUNTY))]
Auditor = Annotated[Principal, Depends(require_roles(Role.CITY, Role.COUNTY, Role.SERVICE))]
Operator = Annotated[Principal, Depends(require_roles(Role.CITY))]
