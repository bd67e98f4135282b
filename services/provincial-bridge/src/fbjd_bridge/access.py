"""Who may call what (the service's own check, after the gateway's; admin always passes).

- Senders (`service`): the rules service posts records, the workflow posts dispositions.
- Operators (`city`): the push status and the dead-letter list.
- The province (`province`, a machine client) and the city: the read API under /province/.
- The city's self-audit (`city`; `county` for its own county only): /self-audit.
- County platforms (`county`, a machine client, its own county only) and the city: the county intake
  (/pcom/ps/ex/join/…) and /county-reports.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fbjd_core.auth import Principal, Role, require_roles

__all__ = ["Auditor", "CountyReporter", "Operator", "ProvinceReader", "Sender"]

Sender = Annotated[Principal, Depends(require_roles(Role.SERVICE))]
Operator = Annotated[Principal, Depends(require_roles(Role.CITY))]
ProvinceReader = Annotated[Principal, Depends(require_roles(Role.PROVINCE, Role.CITY))]
Auditor = Annotated[Principal, Depends(require_roles(Role.CITY, Role.COUNTY))]
CountyReporter = Annotated[Principal, Depends(require_roles(Role.COUNTY, Role.CITY))]
