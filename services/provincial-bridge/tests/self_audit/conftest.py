"""Fixtures of the self-audit tests: the real registry, rules and workflow services over HTTP on the test
database, and two enterprises the province would look at.

The registry's data goes in through its API; the workflow's alarms through its intake and review API (the
timer that escalates an alarm to the city is fired by the test with the clock moved 31 minutes, as the
workflow's own tests do). The rules' records and findings are the product of a week of readings, which these
tests do not replay: they are written into the rules' tables with its own models, exactly as the rules
service stores them, and read back through its API.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from fbjd_core.auth import Role
from fbjd_core.db import make_engine, make_sessionmaker
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import fixed_clock
from fbjd_registry.app import create_app as create_registry_app
from fbjd_registry.changes.schemas import ChangeContext
from fbjd_registry.config import Settings as RegistrySettings
from fbjd_registry.regions.service import ensure_cangzhou
from fbjd_registry.samples import enterprise_form, register_works
from fbjd_rules.abnormals.models import AbnormalRecord
from fbjd_rules.app import create_app as create_rules_app
from fbjd_rules.config import Settings as RulesSettings
from fbjd_rules.findings.models import Finding
from fbjd_testing.plugin import serve
from fbjd_workflow.app import create_app as create_workflow_app
from fbjd_workflow.config import Settings as WorkflowSettings
from fbjd_workflow.timers.tasks import process_due_timers
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

XINHUA, CANGXIAN = "130902", "130921"


@dataclass
class City:
    """The three services the self-audit reads, and clients of them as the city."""

    registry_url: str
    rules_url: str
    workflow_url: str
    registry: httpx.AsyncClient
    workflow: httpx.AsyncClient  # role service (the rules' intake)
    reviewer: httpx.AsyncClient  # role city
    workflow_settings: WorkflowSettings
    sessionmaker: async_sessionmaker[AsyncSession]


@pytest.fixture(scope="session")
async def city(database_url: str, jwt_secret: str, make_token: Callable[..., str]) -> AsyncIterator[City]:
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    async with sessions.begin() as session:
        await ensure_cangzhou(session, ctx=ChangeContext(actor="test:setup", at=datetime(2020, 1, 1, tzinfo=UTC)))
    secret = SecretStr(jwt_secret)
    async with serve(create_registry_app(RegistrySettings(database_url=database_url, jwt_secret=secret))) as reg:
        workflow_settings = WorkflowSettings(
            database_url=database_url, jwt_secret=secret, scheduler_enabled=False, registry_url=reg, bridge_url=reg
        )
        rules_settings = RulesSettings(
            database_url=database_url, jwt_secret=secret, background=False, registry_url=reg, workflow_url=reg
        )
        async with (
            serve(create_workflow_app(workflow_settings)) as wf,
            serve(create_rules_app(rules_settings)) as rules,
            httpx.AsyncClient(
                base_url=f"{reg}/api/registry", headers={"Authorization": f"Bearer {make_token(Role.CITY)}"}
            ) as registry,
            httpx.AsyncClient(
                base_url=f"{wf}/api/workflow",
                headers={"Authorization": f"Bearer {make_token(Role.SERVICE, subject='rules')}"},
            ) as workflow,
            httpx.AsyncClient(
                base_url=f"{wf}/api/workflow",
                headers={"Authorization": f"Bearer {make_token(Role.CITY, subject='city-reviewer')}"},
            ) as reviewer,
        ):
            yield City(reg, rules, wf, registry, workflow, reviewer, workflow_settings, sessions)
    await engine.dispose()


@pytest.fixture(autouse=True)
async def no_stored_report(city: City) -> None:
    """Each test starts with no daily report stored (the bridge's own table)."""
    async with city.sessionmaker.begin() as session:
        await session.execute(text("DELETE FROM bridge.self_audit_reports"))


async def stored(client: httpx.AsyncClient, *, timeout: float = 60.0) -> dict[str, Any]:
    """The daily report once it is stored (202 until then)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        reply = await client.get("/self-audit")
        if reply.status_code == 200:
            report: dict[str, Any] = reply.json()
            assert report["stored"] is True
            return report
        assert reply.status_code == 202, reply.text
        assert reply.json()["state"] == "generating"
        assert asyncio.get_running_loop().time() < deadline, "the daily report was never stored"
        await asyncio.sleep(0.1)


async def created(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = await client.post(path, json=body)
    assert reply.status_code == 201, reply.text
    result: dict[str, Any] = reply.json()
    return result


async def enterprise(client: httpx.AsyncClient, county: str, name: str) -> str:
    form = enterprise_form(county, name=name, address="河北省沧州市建设北街88号")
    await created(client, "/enterprises", form)
    return str(form["ps_id"])


async def well_kept_works(client: httpx.AsyncClient) -> dict[str, Any]:
    """新华区 ceramics works whose registry passes the audit: kiln, bag filter (main/standby fans), total line."""
    return await register_works(client, XINHUA, name="沧州市自查测试陶瓷有限公司", total_line=True)


async def careless_works(client: httpx.AsyncClient) -> dict[str, Any]:
    """沧县 works as the province would not accept it: a kiln with no point and no treatment, a bare point name."""
    ps_id = await enterprise(client, CANGXIAN, "沧州市自查测试建材有限公司")
    kiln = await created(client, f"/enterprises/{ps_id}/facilities", {"name": "2#隧道窑", "kind": "production"})
    tower = await created(client, f"/enterprises/{ps_id}/facilities", {"name": "脱硫塔", "kind": "treatment"})
    await created(
        client,
        f"/enterprises/{ps_id}/points",
        {"rated_kw": 30.0, "threshold_kw": 3.0, "facility_id": tower["id"], "name": "2#电表", "role": "treatment"},
    )
    return {"ps_id": ps_id, "kiln": kiln, "tower": tower}


def record_row(
    works: dict[str, Any], *, start: datetime, status: str = "open", created: datetime | None = None
) -> AbnormalRecord:
    """A treatment abnormal record as the rules service stores it."""
    end = start + timedelta(minutes=40)
    return AbnormalRecord(
        id=uuid.uuid4(),
        version=1 if status == "open" else 2,
        type="treatment_abnormal",
        status=status,
        ps_id=works["ps_id"],
        enterprise_name="沧州市自查测试陶瓷有限公司",
        county=XINHUA,
        industry="新型建材",
        production_facility_id=works["production"]["id"],
        production_facility_name="1#辊道窑",
        treatment_facility_id=works["treatment"]["id"],
        treatment_facility_name="布袋除尘器",
        treatment_point_id=works["main"]["id"],
        treatment_point_ids=[works["main"]["id"]],
        start_at=start,
        end_at=end,
        ongoing=False,
        duration_minutes=40,
        grade="general",
        production_threshold_kw=10.0,
        treatment_threshold_kw=10.0,
        judgement_minutes=15,
        limit_ratio=None,
        remark="生产设施运行期间布袋除尘器风机停运，持续40分钟。",
        evidence_points=[],
        evidence_from=start,
        evidence_to=end,
        created_at=created or end,
        updated_at=created or end,
    )


def finding_row(works: dict[str, Any], *, kind: str, message: str, start: datetime, point_id: str) -> Finding:
    return Finding(
        id=uuid.uuid4(),
        ps_id=works["ps_id"],
        county=XINHUA,
        kind=kind,
        subject=point_id,
        severity="general",
        mn=None,
        point_id=point_id,
        start_at=start,
        end_at=start + timedelta(days=1),
        status="open",
        status_reason=None,
        version=1,
        message=message,
        detail={},
        created_at=start,
        updated_at=start,
    )


def alarm_record(row: AbnormalRecord) -> dict[str, Any]:
    """The record as the rules post it to the workflow (the contract's JSON)."""
    return {
        "id": str(row.id),
        "version": row.version,
        "type": row.type,
        "ps_id": row.ps_id,
        "enterprise_name": row.enterprise_name,
        "county": row.county,
        "industry": row.industry,
        "production_facility_id": row.production_facility_id,
        "production_facility_name": row.production_facility_name,
        "treatment_facility_id": row.treatment_facility_id,
        "treatment_facility_name": row.treatment_facility_name,
        "treatment_point_id": row.treatment_point_id,
        "treatment_point_ids": row.treatment_point_ids,
        "start": row.start_at.isoformat(),
        "end": row.end_at.isoformat(),
        "ongoing": False,
        "duration_minutes": row.duration_minutes,
        "grade": row.grade,
        "production_threshold_kw": row.production_threshold_kw,
        "treatment_threshold_kw": row.treatment_threshold_kw,
        "judgement_minutes": row.judgement_minutes,
        "limit_ratio": None,
        "remark": row.remark,
        "status": row.status,
    }


async def raise_alarm(city: City, row: AbnormalRecord) -> None:
    reply = await city.workflow.post("/abnormals", json=alarm_record(row))
    assert reply.status_code == 201, reply.text


async def approve_after_escalation(city: City, alarm_ids: list[str]) -> None:
    """The enterprise let 30 minutes pass; the city reviewed and approved (the abnormal was explained)."""
    moment = datetime.now(UTC) + timedelta(minutes=31)
    with fixed_clock(lambda: moment):
        while await process_due_timers(city.sessionmaker, city.workflow_settings, limit=200):
            pass
    for alarm_id in alarm_ids:
        reply = await city.reviewer.post(
            f"/alarms/{alarm_id}/review", json={"decision": "approve", "opinion": "设备检修，情况属实"}
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["stage"] == "approved"


CST_OFFSET = timedelta(hours=8)


async def write_power(
    database_url: str, ps_id: str, point: dict[str, Any], start: datetime, steps: list[tuple[int, float | None]]
) -> datetime:
    """Minute data (CN 2051) of one point into ingest's readings, as the rules read it through readings_v1:
    (minutes, kW) steps from `start`, None = nothing sent those minutes. Returns the end of what was written."""
    rows, moment = [], start
    code = "p" + point["id"].replace("-", "")[:16]
    for minutes, kw in steps:
        for _ in range(minutes):
            if kw is not None:
                row = (ps_id, ps_id[:24].upper(), "2051", code, moment, None, kw, kw, kw, None, "N")
                rows.append((*row, "active_power_kw", point["id"], None, moment))
            moment += timedelta(minutes=1)
    days = {(row[4] + CST_OFFSET).date() for row in rows}
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        for day in sorted(days):
            upper = day + timedelta(days=1)
            for table in ("readings", "receipts"):
                await conn.execute(
                    f"CREATE TABLE IF NOT EXISTS ingest.{table}_p{day:%Y%m%d} PARTITION OF ingest.{table} "
                    f"FOR VALUES FROM ('{day.isoformat()} 00:00:00+08') TO ('{upper.isoformat()} 00:00:00+08')"
                )
        await conn.executemany(
            """
            INSERT INTO ingest.readings (ps_id, mn, cn, code, data_time, rtd, avg, min, max, cou, flag, quantity,
                                         point_id, extra, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            """,
            rows,
        )
    finally:
        await conn.close()
    return moment
