"""A county platform's push arrives: check it as the province would, check whose and which ids, store it.

Order: the formats of every item (validation.py), then the registry (the enterprise's county against the
caller's, the ids registered under that psId: scope.py), then every item stored in one transaction (service.py).
Any problem refuses the whole request and stores nothing, answered `{"success": false, "msg": …}`; a registry
that does not answer is the city's trouble, not the record's: `success: false` naming no field, HTTP 503, and
the county platform tries again (as the bridge itself does with the province).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from fbjd_core.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from fbjd_bridge.county import scope, service
from fbjd_bridge.county.scope import Enterprise
from fbjd_bridge.county.validation import CountyItem, Problem, validate
from fbjd_bridge.errors import RegistryUnavailable
from fbjd_bridge.province.payload import Endpoint
from fbjd_bridge.registry_sync.client import RegistryClient

__all__ = ["Outcome", "REGISTRY_DOWN", "receive"]

log = logging.getLogger(__name__)

REGISTRY_DOWN = "市平台登记服务暂不可用，请稍后重试"
_LOOKUPS = 8  # registry reads in flight for one request


class Outcome:
    """What to answer: accepted (how many), refused (the problem), or the registry was unavailable."""

    def __init__(self, *, stored: int = 0, problem: Problem | None = None, unavailable: bool = False) -> None:
        self.stored, self.problem, self.unavailable = stored, problem, unavailable

    @property
    def success(self) -> bool:
        return self.problem is None and not self.unavailable

    @property
    def msg(self) -> str:
        if self.unavailable:
            return REGISTRY_DOWN
        if self.problem is not None:
            return self.problem.msg
        return f"成功接收{self.stored}条"


async def _enterprises(registry: RegistryClient, items: list[CountyItem]) -> dict[str, Enterprise | None]:
    gate = asyncio.Semaphore(_LOOKUPS)

    async def one(ps_id: str) -> tuple[str, Enterprise | None]:
        async with gate:
            topology = await registry.topology(ps_id)
        return ps_id, None if topology is None else scope.enterprise_of(topology)

    pairs = await asyncio.gather(*(one(ps_id) for ps_id in dict.fromkeys(item.ps_id for item in items)))
    return dict(pairs)


async def receive(
    session: AsyncSession,
    registry: RegistryClient,
    endpoint: Endpoint,
    body: object,
    *,
    principal: Principal,
    at: datetime,
) -> Outcome:
    items, problem = validate(endpoint, body)
    if problem is not None:
        return _refused(endpoint, principal, problem)
    try:
        enterprises = await _enterprises(registry, items)
    except RegistryUnavailable as exc:
        log.warning("county push: registry unavailable", extra={"error": exc.message})
        return Outcome(unavailable=True)
    if (problem := scope.check(principal, items, enterprises)) is not None:
        return _refused(endpoint, principal, problem)
    known = {ps_id: enterprise for ps_id, enterprise in enterprises.items() if enterprise is not None}
    stored = await service.store_all(session, items, known, principal=principal, at=at)
    log.info(
        "county push stored",
        extra={
            "endpoint": endpoint.value,
            "by": principal.subject,
            "items": len(items),
            "changed": sum(s.applied != "duplicate" for s in stored),
        },
    )
    return Outcome(stored=len(items))


def _refused(endpoint: Endpoint, principal: Principal, problem: Problem) -> Outcome:
    log.info("county push refused", extra={"endpoint": endpoint.value, "by": principal.subject, "reply": problem.msg})
    return Outcome(problem=problem)
