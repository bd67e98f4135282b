"""disposition: alarms and their append-only events, declarations, files, timers, enforcement tasks,
inspection records, outbox

Revision ID: workflow_0002
Revises: workflow_0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "workflow_0002"
down_revision: str | None = "workflow_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The history of an alarm is append-only: the database itself refuses to change or delete an event.
APPEND_ONLY = (
    """
    CREATE FUNCTION workflow.refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'workflow.alarm_events is append-only (% refused)', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER alarm_events_append_only BEFORE UPDATE OR DELETE ON workflow.alarm_events
        FOR EACH ROW EXECUTE FUNCTION workflow.refuse_event_change()
    """,
)


def upgrade() -> None:
    op.create_table(
        "alarms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("record", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("record_status", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_name", sa.String(length=200), nullable=False),
        sa.Column("county", sa.String(length=12), nullable=False),
        sa.Column("industry", sa.String(length=50), nullable=False),
        sa.Column("production_facility_id", sa.String(length=64), nullable=False),
        sa.Column("treatment_facility_id", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ongoing", sa.Boolean(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stage_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("self_check_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.String(length=100), nullable=True),
        sa.Column("handling_reason", sa.String(length=32), nullable=True),
        sa.Column("handling_text", sa.Text(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("review_decision", sa.String(length=16), nullable=True),
        sa.Column("review_opinion", sa.Text(), nullable=True),
        sa.Column("covered_by", sa.Uuid(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarms")),
        schema="workflow",
    )
    op.create_index("ix_alarms_county_stage", "alarms", ["county", "stage"], unique=False, schema="workflow")
    op.create_index("ix_alarms_ps_id_stage", "alarms", ["ps_id", "stage"], unique=False, schema="workflow")
    op.create_index(
        "ix_alarms_stage_escalated_at", "alarms", ["stage", "escalated_at"], unique=False, schema="workflow"
    )
    op.create_table(
        "files",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("county", sa.String(length=12), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
        schema="workflow",
    )
    op.create_index("ix_files_owner", "files", ["owner_kind", "owner_id"], unique=False, schema="workflow")
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("alarm_id", sa.Uuid(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_messages_dedupe_key")),
        schema="workflow",
    )
    op.create_index(
        "ix_outbox_messages_pending",
        "outbox_messages",
        ["channel", "next_attempt_at"],
        unique=False,
        schema="workflow",
        postgresql_where=sa.text("delivered_at IS NULL"),
    )
    op.create_index(
        op.f("ix_workflow_outbox_messages_alarm_id"), "outbox_messages", ["alarm_id"], unique=False, schema="workflow"
    )
    op.create_table(
        "alarm_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alarm_id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_stage", sa.String(length=32), nullable=True),
        sa.Column("to_stage", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(["alarm_id"], ["workflow.alarms.id"], name=op.f("fk_alarm_events_alarm_id_alarms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_events")),
        schema="workflow",
    )
    op.create_index(
        op.f("ix_workflow_alarm_events_alarm_id"), "alarm_events", ["alarm_id"], unique=False, schema="workflow"
    )
    for statement in APPEND_ONLY:
        op.execute(statement)
    op.create_table(
        "declarations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("county", sa.String(length=12), nullable=False),
        sa.Column("enterprise_name", sa.String(length=200), nullable=False),
        sa.Column("alarm_id", sa.Uuid(), nullable=True),
        sa.Column("facility_id", sa.String(length=64), nullable=True),
        sa.Column("facility_name", sa.String(length=200), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_opinion", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["alarm_id"], ["workflow.alarms.id"], name=op.f("fk_declarations_alarm_id_alarms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declarations")),
        schema="workflow",
    )
    op.create_index(
        "ix_declarations_ps_id_kind_status",
        "declarations",
        ["ps_id", "kind", "status"],
        unique=False,
        schema="workflow",
    )
    op.create_index(
        op.f("ix_workflow_declarations_alarm_id"), "declarations", ["alarm_id"], unique=False, schema="workflow"
    )
    op.create_table(
        "enforcement_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alarm_id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("county", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.String(length=100), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("site", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["alarm_id"], ["workflow.alarms.id"], name=op.f("fk_enforcement_tasks_alarm_id_alarms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_tasks")),
        sa.UniqueConstraint("alarm_id", name=op.f("uq_enforcement_tasks_alarm_id")),
        schema="workflow",
    )
    op.create_index(
        op.f("ix_workflow_enforcement_tasks_ps_id"), "enforcement_tasks", ["ps_id"], unique=False, schema="workflow"
    )
    op.create_index(
        op.f("ix_workflow_enforcement_tasks_updated_at"),
        "enforcement_tasks",
        ["updated_at"],
        unique=False,
        schema="workflow",
    )
    op.create_table(
        "timers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("alarm_id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["alarm_id"], ["workflow.alarms.id"], name=op.f("fk_timers_alarm_id_alarms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
        schema="workflow",
    )
    op.create_index(
        "ix_timers_due",
        "timers",
        ["due_at"],
        unique=False,
        schema="workflow",
        postgresql_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL"),
    )
    op.create_index(op.f("ix_workflow_timers_alarm_id"), "timers", ["alarm_id"], unique=False, schema="workflow")
    op.create_table(
        "inspection_records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("alarm_id", sa.Uuid(), nullable=False),
        sa.Column("ps_id", sa.String(length=32), nullable=False),
        sa.Column("officer_name", sa.String(length=50), nullable=False),
        sa.Column("officer_id", sa.String(length=50), nullable=False),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("conclusion", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alarm_id"], ["workflow.alarms.id"], name=op.f("fk_inspection_records_alarm_id_alarms")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["workflow.enforcement_tasks.id"], name=op.f("fk_inspection_records_task_id_enforcement_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_records")),
        sa.UniqueConstraint("task_id", name=op.f("uq_inspection_records_task_id")),
        schema="workflow",
    )
    op.create_index(
        op.f("ix_workflow_inspection_records_alarm_id"),
        "inspection_records",
        ["alarm_id"],
        unique=False,
        schema="workflow",
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_workflow_inspection_records_alarm_id"), table_name="inspection_records", schema="workflow")
    op.drop_table("inspection_records", schema="workflow")
    op.drop_index(op.f("ix_workflow_timers_alarm_id"), table_name="timers", schema="workflow")
    op.drop_index(
        "ix_timers_due",
        table_name="timers",
        schema="workflow",
        postgresql_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL"),
    )
    op.drop_table("timers", schema="workflow")
    op.drop_index(op.f("ix_workflow_enforcement_tasks_updated_at"), table_name="enforcement_tasks", schema="workflow")
    op.drop_index(op.f("ix_workflow_enforcement_tasks_ps_id"), table_name="enforcement_tasks", schema="workflow")
    op.drop_table("enforcement_tasks", schema="workflow")
    op.drop_index(op.f("ix_workflow_declarations_alarm_id"), table_name="declarations", schema="workflow")
    op.drop_index("ix_declarations_ps_id_kind_status", table_name="declarations", schema="workflow")
    op.drop_table("declarations", schema="workflow")
    op.execute("DROP TRIGGER IF EXISTS alarm_events_append_only ON workflow.alarm_events")
    op.execute("DROP FUNCTION IF EXISTS workflow.refuse_event_change()")
    op.drop_index(op.f("ix_workflow_alarm_events_alarm_id"), table_name="alarm_events", schema="workflow")
    op.drop_table("alarm_events", schema="workflow")
    op.drop_index(op.f("ix_workflow_outbox_messages_alarm_id"), table_name="outbox_messages", schema="workflow")
    op.drop_index(
        "ix_outbox_messages_pending",
        table_name="outbox_messages",
        schema="workflow",
        postgresql_where=sa.text("delivered_at IS NULL"),
    )
    op.drop_table("outbox_messages", schema="workflow")
    op.drop_index("ix_files_owner", table_name="files", schema="workflow")
    op.drop_table("files", schema="workflow")
    op.drop_index("ix_alarms_stage_escalated_at", table_name="alarms", schema="workflow")
    op.drop_index("ix_alarms_ps_id_stage", table_name="alarms", schema="workflow")
    op.drop_index("ix_alarms_county_stage", table_name="alarms", schema="workflow")
    op.drop_table("alarms", schema="workflow")
