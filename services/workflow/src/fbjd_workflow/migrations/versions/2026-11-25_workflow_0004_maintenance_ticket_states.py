"""maintenance tickets (运维工单) assigned → in_progress → closed: the operator a ticket is assigned to, who started
work and when; tickets open before are now assigned, each with an "assign" event at the end of its hash chain

Revision ID: workflow_0004
Revises: workflow_0003
Create Date: 2026-11-25

A ticket that was open becomes assigned (to no operator: the tickets made before did not record one) and its
history gets the event that says so, hashed with the service's own content function
(`fbjd_workflow.audit.contents`) so that verification agrees. Histories are append-only, so the downgrade
cannot take that event back: it turns assigned and in-progress tickets into open ones and leaves the events.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from fbjd_core.ids import new_id
from fbjd_workflow.audit.chain import event_hash, normalised
from fbjd_workflow.audit.contents import ticket_event_content

revision: str = "workflow_0004"
down_revision: str | None = "workflow_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REASON = "运维工单改为派单流程：原「待处理」工单转为「已派单」（运维单位未登记，由企业转交其运维单位）"
_OVERDUE = "ix_maintenance_tickets_overdue"


class _Row:
    """Attribute access over a mapping (what the content function reads)."""

    def __init__(self, values: dict[str, object]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> object:
        return self._values[name]


def _assign_open_tickets() -> None:
    """open → assigned, one "assign" event appended to each ticket's chain."""
    bind = op.get_bind()
    tickets = bind.execute(
        sa.text(
            "SELECT id, ps_id, event_count, head_hash FROM workflow.maintenance_tickets"
            " WHERE status = 'open' ORDER BY id FOR UPDATE"
        )
    ).mappings()
    at = datetime.now(UTC)
    for ticket in list(tickets):
        event = {
            "id": new_id(),
            "ticket_id": ticket["id"],
            "ps_id": ticket["ps_id"],
            "at": at,
            "actor": "system",
            "role": "system",
            "action": "assign",
            "from_status": "open",
            "to_status": "assigned",
            "reason": _REASON,
            "detail": normalised({"operator_name": None, "migration": revision}),
            "seq": ticket["event_count"] + 1,
            "prev_hash": ticket["head_hash"],
        }
        event["hash"] = event_hash(ticket_event_content(_Row(event)), ticket["head_hash"])
        bind.execute(
            sa.text(
                "INSERT INTO workflow.maintenance_ticket_events (id, ticket_id, ps_id, at, actor, role, action,"
                " from_status, to_status, reason, detail, seq, prev_hash, hash) VALUES (:id, :ticket_id, :ps_id,"
                " :at, :actor, :role, :action, :from_status, :to_status, :reason, CAST(:detail AS jsonb), :seq,"
                " :prev_hash, :hash)"
            ),
            {**event, "detail": json.dumps(event["detail"], ensure_ascii=False)},
        )
        bind.execute(
            sa.text(
                "UPDATE workflow.maintenance_tickets SET status = 'assigned', event_count = :seq,"
                " head_hash = :hash, updated_at = :at WHERE id = :id"
            ),
            {"seq": event["seq"], "hash": event["hash"], "at": at, "id": ticket["id"]},
        )


def _overdue_index(where: str) -> None:
    op.drop_index(_OVERDUE, table_name="maintenance_tickets", schema="workflow")
    op.create_index(
        _OVERDUE,
        "maintenance_tickets",
        ["deadline_at"],
        schema="workflow",
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    op.add_column("maintenance_tickets", sa.Column("operator_name", sa.String(length=100)), schema="workflow")
    op.add_column("maintenance_tickets", sa.Column("operator_phone", sa.String(length=20)), schema="workflow")
    op.add_column("maintenance_tickets", sa.Column("work_started_at", sa.DateTime(timezone=True)), schema="workflow")
    op.add_column("maintenance_tickets", sa.Column("work_started_by", sa.String(length=100)), schema="workflow")
    _assign_open_tickets()
    op.create_check_constraint(
        op.f("ck_maintenance_tickets_status"),
        "maintenance_tickets",
        "status IN ('assigned', 'in_progress', 'closed')",
        schema="workflow",
    )
    _overdue_index("status IN ('assigned', 'in_progress') AND escalated_at IS NULL")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_maintenance_tickets_status"), "maintenance_tickets", schema="workflow")
    op.execute("UPDATE workflow.maintenance_tickets SET status = 'open' WHERE status IN ('assigned', 'in_progress')")
    _overdue_index("status = 'open' AND escalated_at IS NULL")
    for name in ("work_started_by", "work_started_at", "operator_phone", "operator_name"):
        op.drop_column("maintenance_tickets", name, schema="workflow")
