"""hash-chained histories (seq, prev_hash, hash on every event; head on every alarm), back-filled; maintenance
tickets (运维工单) and their events; longer file media types (xlsx, docx)

Revision ID: workflow_0003
Revises: workflow_0002
Create Date: 2026-11-25

The back-fill walks each alarm's events in the order they were written (UUIDv7 ids) and hashes them with the
service's own content function (`fbjd_workflow.audit.contents`), so verification agrees with it. The
append-only trigger is disabled for the back-fill alone, inside this migration's transaction.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from fbjd_workflow.audit.chain import GENESIS, event_hash
from fbjd_workflow.audit.contents import alarm_event_content
from sqlalchemy.dialects import postgresql

revision: str = "workflow_0003"
down_revision: str | None = "workflow_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HISTORY_APPEND_ONLY = (
    """
    CREATE FUNCTION workflow.refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'workflow.% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER maintenance_ticket_events_append_only BEFORE UPDATE OR DELETE
        ON workflow.maintenance_ticket_events FOR EACH ROW EXECUTE FUNCTION workflow.refuse_history_change()
    """,
)


def _backfill_alarm_chains() -> None:
    bind = op.get_bind()
    events = bind.execute(
        sa.text(
            "SELECT id, alarm_id, ps_id, at, actor, role, action, from_stage, to_stage, reason, detail"
            " FROM workflow.alarm_events ORDER BY alarm_id, id"
        ).columns(detail=postgresql.JSONB)  # decoded as the service reads it
    ).mappings()
    heads: dict[object, tuple[int, str]] = {}
    for row in events:
        seq, previous = heads.get(row["alarm_id"], (0, GENESIS))
        digest = event_hash(alarm_event_content(_Row({**row, "seq": seq + 1})), previous)
        bind.execute(
            sa.text("UPDATE workflow.alarm_events SET seq = :seq, prev_hash = :prev, hash = :hash WHERE id = :id"),
            {"seq": seq + 1, "prev": previous, "hash": digest, "id": row["id"]},
        )
        heads[row["alarm_id"]] = (seq + 1, digest)
    for alarm_id, (count, head) in heads.items():
        bind.execute(
            sa.text("UPDATE workflow.alarms SET event_count = :count, head_hash = :head WHERE id = :id"),
            {"count": count, "head": head, "id": alarm_id},
        )


class _Row:
    """Attribute access over a mapping (what the content function reads)."""

    def __init__(self, values: dict[str, object]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> object:
        return self._values[name]


def _maintenance_tables() -> None:
    op.create_table(
        "maintenance_tickets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("finding_id", sa.Uuid(), nullable=False),
        sa.Column("finding_version", sa.Integer(), nullable=False),
        sa.Column("finding", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("finding_status", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_name", sa.String(length=200), nullable=False),
        sa.Column("county", sa.String(length=12), nullable=False),
        sa.Column("mn", sa.String(length=64), nullable=True),
        sa.Column("point_id", sa.String(length=64), nullable=True),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=32), nullable=True),
        sa.Column("resolution", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("event_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("head_hash", sa.String(length=64), server_default=GENESIS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_tickets")),
        sa.UniqueConstraint("finding_id", name=op.f("uq_maintenance_tickets_finding_id")),
        schema="workflow",
    )
    op.create_index(
        "ix_maintenance_tickets_ps_id_status", "maintenance_tickets", ["ps_id", "status"], schema="workflow"
    )
    op.create_index(
        "ix_maintenance_tickets_county_status", "maintenance_tickets", ["county", "status"], schema="workflow"
    )
    op.create_index(
        "ix_maintenance_tickets_overdue",
        "maintenance_tickets",
        ["deadline_at"],
        schema="workflow",
        postgresql_where=sa.text("status = 'open' AND escalated_at IS NULL"),
    )
    op.create_table(
        "maintenance_ticket_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["workflow.maintenance_tickets.id"],
            name=op.f("fk_maintenance_ticket_events_ticket_id_maintenance_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_ticket_events")),
        sa.UniqueConstraint("ticket_id", "seq", name="uq_maintenance_ticket_events_ticket_id_seq"),
        schema="workflow",
    )
    op.create_index(
        op.f("ix_workflow_maintenance_ticket_events_ticket_id"),
        "maintenance_ticket_events",
        ["ticket_id"],
        schema="workflow",
    )
    for statement in HISTORY_APPEND_ONLY:
        op.execute(statement)


def upgrade() -> None:
    op.add_column(
        "alarms", sa.Column("event_count", sa.Integer(), server_default="0", nullable=False), schema="workflow"
    )
    op.add_column(
        "alarms",
        sa.Column("head_hash", sa.String(length=64), server_default=GENESIS, nullable=False),
        schema="workflow",
    )
    for name in ("seq", "prev_hash", "hash"):
        column_type = sa.Integer() if name == "seq" else sa.String(length=64)
        op.add_column("alarm_events", sa.Column(name, column_type, nullable=True), schema="workflow")
    op.execute("ALTER TABLE workflow.alarm_events DISABLE TRIGGER alarm_events_append_only")
    _backfill_alarm_chains()
    op.execute("ALTER TABLE workflow.alarm_events ENABLE TRIGGER alarm_events_append_only")
    for name in ("seq", "prev_hash", "hash"):
        op.alter_column("alarm_events", name, nullable=False, schema="workflow")
    op.create_unique_constraint("uq_alarm_events_alarm_id_seq", "alarm_events", ["alarm_id", "seq"], schema="workflow")
    _maintenance_tables()
    # Excel and Word evidence: their media types are longer than 50 characters.
    op.alter_column("files", "content_type", type_=sa.String(length=100), schema="workflow")


def downgrade() -> None:
    # files.content_type stays 100 wide: narrowing it would fail on (or cut) the Excel and Word files kept since.
    op.execute("DROP TRIGGER IF EXISTS maintenance_ticket_events_append_only ON workflow.maintenance_ticket_events")
    op.execute("DROP FUNCTION IF EXISTS workflow.refuse_history_change()")
    op.drop_table("maintenance_ticket_events", schema="workflow")
    op.drop_table("maintenance_tickets", schema="workflow")
    op.drop_constraint("uq_alarm_events_alarm_id_seq", "alarm_events", schema="workflow")
    for name in ("hash", "prev_hash", "seq"):
        op.drop_column("alarm_events", name, schema="workflow")
    op.drop_column("alarms", "head_hash", schema="workflow")
    op.drop_column("alarms", "event_count", schema="workflow")
