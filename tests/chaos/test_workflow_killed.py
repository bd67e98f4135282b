"""The workflow process killed (SIGKILL) while records stream in and self-check deadlines fire, and started again:
no alarm is lost or doubled, each timer fires exactly once (one reminder, one escalation to the city per alarm),
and the outbox drains, every notice reaching the enterprise with at most the one in flight at the kill sent again.

Workflow runs as `fbjd run` starts it (`uvicorn --factory fbjd_workflow.app:main`) on a fresh database of this test,
with the self-check window shortened to 6 s by its settings. The test posts the records as the rules' outbox does
(again until a 2xx: a refused connection while workflow is down is retried; some records are sent twice); the
enterprises' notification channel is a webhook stand-in that keeps every delivery.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fbjd_core.auth import Role
from fbjd_core.settings import asyncpg_dsn
from fbjd_core.time import now
from fbjd_testing.plugin import serve

from .processes import ServiceProcess, wait_until

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)

ALARMS = 80
POST_EVERY_S = 0.1
SELF_CHECK_S = 6.0
REMINDER_BEFORE_S = 3.0
RESENT = 10  # records the "rules" deliver a second time at the end (as after a crash of their own)


@dataclass
class Enterprises:
    """The enterprises' notification webhook (an SMS gateway's, say): every notice kept, repeats included."""

    notices: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/notices")
        async def notice(request: Request) -> JSONResponse:
            self.notices.append(await request.json())
            return JSONResponse({"ok": True})

        return app

    def escalated(self) -> int:
        return sum(1 for n in self.notices if n["kind"] == "alarm.escalated")


@pytest.fixture
async def enterprises() -> AsyncIterator[tuple[Enterprises, str]]:
    kept = Enterprises()
    async with serve(kept.app()) as url:
        yield kept, url


def abnormal(n: int) -> dict[str, Any]:
    """A treatment-abnormal record as the rules post it (version 1), each of another enterprise."""
    ps_id = uuid.uuid4().hex
    start = (now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "type": "treatment_abnormal",
        "ps_id": ps_id,
        "enterprise_name": f"沧州市故障测试化工有限公司{n:03d}",
        "county": "130902",
        "industry": "化工",
        "production_facility_id": f"pf-{ps_id[:8]}",
        "production_facility_name": "反应釜生产线",
        "treatment_facility_id": f"tf-{ps_id[:8]}",
        "treatment_facility_name": "RTO蓄热式焚烧炉",
        "treatment_point_id": f"tp-{ps_id[:8]}",
        "treatment_point_ids": [f"tp-{ps_id[:8]}"],
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (start + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ongoing": False,
        "duration_minutes": 20,
        "grade": "general",
        "production_threshold_kw": 40.0,
        "treatment_threshold_kw": 8.0,
        "judgement_minutes": 15,
        "remark": "生产设施运行期间治污设施未运行，持续20分钟。",
        "status": "open",
    }


async def deliver(client: httpx.AsyncClient, record: dict[str, Any]) -> int:
    """POST until a 2xx, as the rules' outbox does (workflow down: connection refused, try again shortly)."""
    while True:
        try:
            reply = await client.post("/api/workflow/abnormals", json=record)
        except httpx.TransportError:
            await asyncio.sleep(0.2)
            continue
        if reply.is_success:
            return reply.status_code
        assert reply.status_code >= 500, reply.text  # a refusal would be a bug in the record, not an outage
        await asyncio.sleep(0.2)


async def workflow_rows(database_url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows: list[asyncpg.Record] = await conn.fetch(sql)
    finally:
        await conn.close()
    return rows


async def test_workflow_killed_while_deadlines_fire_loses_no_alarm_and_fires_each_timer_once(
    fresh_database_url: str,
    enterprises: tuple[Enterprises, str],
    services: list[ServiceProcess],
    tmp_path: Path,
    jwt_secret: str,
    make_token: Callable[..., str],
) -> None:
    kept, webhook = enterprises
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database_url,
        "FBJD_JWT_SECRET": jwt_secret,
        "FBJD_SELF_CHECK_MINUTES": str(SELF_CHECK_S / 60),
        "FBJD_SELF_CHECK_REMINDER_MINUTES": str(REMINDER_BEFORE_S / 60),
        "FBJD_TIMER_POLL_SECONDS": "0.2",
        "FBJD_OUTBOX_POLL_SECONDS": "0.2",
        "FBJD_OUTBOX_BACKOFF_SECONDS": "0.2",
        "FBJD_OUTBOX_BACKOFF_MAX_SECONDS": "1",
        "FBJD_NOTIFICATION_WEBHOOK_URL": f"{webhook}/notices",
        "FBJD_RECURRING_CHECKS_POLL_SECONDS": "0",
        "FBJD_REGISTRY_URL": webhook,  # nothing here needs the registry; never a real one by accident
        "FBJD_BRIDGE_URL": webhook,
        "FBJD_LOG_LEVEL": "WARNING",
    }
    workflow = ServiceProcess("workflow", env, tmp_path)
    services.append(workflow)
    await workflow.start()
    records = [abnormal(n) for n in range(ALARMS)]
    headers = {"Authorization": f"Bearer {make_token(Role.SERVICE)}"}

    async with httpx.AsyncClient(base_url=workflow.url, headers=headers, timeout=10) as client:

        async def stream() -> list[int]:
            answers = []
            for record in records:
                answers.append(await deliver(client, record))
                await asyncio.sleep(POST_EVERY_S)
            return answers

        async def first_escalations_notified() -> bool:
            return kept.escalated() >= 3

        streaming = asyncio.create_task(stream())
        await wait_until(first_escalations_notified, 60, "the first self-check deadlines fired and notified")
        workflow.kill()
        timers_at_kill = await workflow_rows(
            fresh_database_url, "SELECT kind, fired_at IS NOT NULL AS fired FROM workflow.timers"
        )
        await workflow.start()
        first_answers = await streaming
        again = [await deliver(client, record) for record in records[:RESENT]]

    async def all_escalated_and_notified() -> bool:
        rows = await workflow_rows(
            fresh_database_url,
            """
            SELECT (SELECT count(*) FROM workflow.alarms WHERE stage = 'city_review') AS escalated,
                   (SELECT count(*) FROM workflow.outbox_messages WHERE delivered_at IS NULL) AS undelivered
            """,
        )
        return bool(rows[0]["escalated"] == ALARMS and rows[0]["undelivered"] == 0)

    await wait_until(all_escalated_and_notified, 60, "every alarm escalated and every notice delivered", every_s=0.2)

    log.info(
        "workflow killed: deadlines fired at the kill %s, answers %s, repeats %s, %d notices received",
        dict(Counter(r["fired"] for r in timers_at_kill if r["kind"] == "self_check_deadline")),
        dict(Counter(first_answers)),
        again,
        len(kept.notices),
    )
    deadlines_at_kill = Counter(r["fired"] for r in timers_at_kill if r["kind"] == "self_check_deadline")
    assert deadlines_at_kill[True] > 0 and deadlines_at_kill[False] > 0, f"killed mid-work: {deadlines_at_kill}"
    answered = Counter(first_answers)
    assert answered[201] + answered[200] == ALARMS and again == [200] * RESENT, "a new alarm 201, a repeat 200"
    assert answered[200] <= 1, "only a record whose answer the kill cut off is a repeat (200) when sent again"

    alarms = await workflow_rows(fresh_database_url, "SELECT id::text AS id, stage FROM workflow.alarms")
    assert sorted(a["id"] for a in alarms) == sorted(r["id"] for r in records), "each record is one alarm"

    events = await workflow_rows(
        fresh_database_url, "SELECT alarm_id::text AS alarm, action FROM workflow.alarm_events"
    )
    history: dict[str, Counter[str]] = defaultdict(Counter)
    for event in events:
        history[event["alarm"]][event["action"]] += 1
    assert all(steps == {"open": 1, "escalate": 1} for steps in history.values()), "opened once, escalated once"
    assert len(history) == ALARMS

    timers = await workflow_rows(
        fresh_database_url, "SELECT alarm_id::text AS alarm, kind, fired_at, attempts, outcome FROM workflow.timers"
    )
    fired = Counter((t["kind"], t["attempts"], t["outcome"]) for t in timers if t["fired_at"] is not None)
    assert fired == {
        ("self_check_reminder", 1, "time-left notice queued"): ALARMS,
        ("self_check_deadline", 1, "escalated to city_review"): ALARMS,
    }, "every reminder and every deadline fired, each once, at its first attempt"
    assert Counter(t["kind"] for t in timers if t["fired_at"] is None) == {"review_reminder": ALARMS}

    queued = await workflow_rows(fresh_database_url, "SELECT id::text AS id FROM workflow.outbox_messages")
    received = Counter(n["id"] for n in kept.notices)
    assert set(received) == {m["id"] for m in queued}, "every queued notice delivered, and nothing else"
    kinds: dict[str, list[str]] = defaultdict(list)
    for notice_id in received:
        notice = next(n for n in kept.notices if n["id"] == notice_id)
        kinds[notice["data"]["alarm_id"]].append(notice["kind"])
    assert {tuple(sorted(k)) for k in kinds.values()} == {("alarm.escalated", "alarm.new", "alarm.time_left")}
    repeated = sum(n - 1 for n in received.values())
    assert repeated <= 1, f"{repeated} notices delivered twice: more than the one in flight at the kill"
