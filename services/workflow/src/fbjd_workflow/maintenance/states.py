"""The states of a maintenance ticket (运维工单), pure: no database, no clock, no HTTP.

    (finding or recurring check) ──open (system)──▶ assigned 已派单 (to the enterprise's third-party operator)
    assigned ──start (person: the enterprise, or the city / county in scope)──▶ in_progress 处理中
    assigned | in_progress ──resolve (person, with the maintenance record)──▶ closed 已关闭
    assigned | in_progress ──auto_close (system: the rules resolved or withdrew the finding)──▶ closed
    closed ──reopen (system: the finding is open again; not after a person's resolution)──▶ assigned
    assigned | in_progress ──escalate (system: deadline passed; the status stays, the city's list shows it)

Resolving straight from assigned is allowed: a recurring check done remotely, or a fault fixed in one visit,
need no separate "start". Who may trigger a step is part of the rule (a `Party`), so a person can never fire
an escalation and the deadline poll can never resolve. `next_status` either returns the target or raises
`InvalidTransition` naming the status, the step and what would have been allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fbjd_core.auth import Principal, Role

from fbjd_workflow.errors import InvalidTransition

__all__ = [
    "ACTION_LABELS",
    "OPEN_STATUSES",
    "RULES",
    "STATUS_LABELS",
    "Action",
    "Party",
    "Rule",
    "Status",
    "allowed_actions",
    "next_status",
    "party_of",
]


class Status(StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class Action(StrEnum):
    OPEN = "open"
    ASSIGN = "assign"  # only in histories migrated from the former open status (workflow_0004)
    START = "start"
    RESOLVE = "resolve"
    AUTO_CLOSE = "auto_close"
    REOPEN = "reopen"
    ESCALATE = "escalate"
    FINDING_CHANGED = "finding_changed"  # a note: the rules' finding moved, the ticket did not


class Party(StrEnum):
    """Who acts: a person (the enterprise or its operator's account, the city, a county, admin) or the system
    (the rules' findings, the recurring checks, the deadline poll)."""

    PERSON = "person"
    SYSTEM = "system"


STATUS_LABELS: dict[Status, str] = {
    Status.ASSIGNED: "已派单",
    Status.IN_PROGRESS: "处理中",
    Status.CLOSED: "已关闭",
}

ACTION_LABELS: dict[Action, str] = {
    Action.OPEN: "生成运维工单并派单",
    Action.ASSIGN: "派单至运维单位",
    Action.START: "开始处理",
    Action.RESOLVE: "运维处理办结",
    Action.AUTO_CLOSE: "问题已消除，自动关闭",
    Action.REOPEN: "问题再次出现，重新派单",
    Action.ESCALATE: "超时未处理，上报市局",
    Action.FINDING_CHANGED: "问题状态变化",
}

OPEN_STATUSES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS})

_PEOPLE = frozenset({Role.ENTERPRISE, Role.CITY, Role.COUNTY, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Rule:
    """One allowed step: from `source` (None: the ticket does not exist yet) by `action` to `target`."""

    source: Status | None
    action: Action
    target: Status
    party: Party


def _rules() -> tuple[Rule, ...]:
    s, a, p = Status, Action, Party
    rules = [
        Rule(None, a.OPEN, s.ASSIGNED, p.SYSTEM),
        Rule(s.ASSIGNED, a.START, s.IN_PROGRESS, p.PERSON),
        Rule(s.CLOSED, a.REOPEN, s.ASSIGNED, p.SYSTEM),
    ]
    for source in (s.ASSIGNED, s.IN_PROGRESS):
        rules += [
            Rule(source, a.RESOLVE, s.CLOSED, p.PERSON),
            Rule(source, a.AUTO_CLOSE, s.CLOSED, p.SYSTEM),
            Rule(source, a.ESCALATE, source, p.SYSTEM),
        ]
    return tuple(rules)


RULES: tuple[Rule, ...] = _rules()
_BY_KEY: dict[tuple[Status | None, Action], Rule] = {(rule.source, rule.action): rule for rule in RULES}
_ORDER = (Action.START, Action.RESOLVE)  # what a person is offered, in the order the page shows it


def party_of(principal: Principal) -> Party | None:
    """The party a caller acts as on tickets, or None for one who may only read (the service role)."""
    return Party.PERSON if principal.role in _PEOPLE else None


def allowed_actions(status: Status | None, party: Party | None = None) -> list[Action]:
    """The steps possible from `status` (for `party`, when given), a person's first, in the order shown."""
    possible = [r.action for r in RULES if r.source == status and (party is None or r.party == party)]
    return sorted(possible, key=lambda action: _ORDER.index(action) if action in _ORDER else len(_ORDER))


def _status_text(status: Status | None) -> str:
    return "（尚未生成）" if status is None else f"「{STATUS_LABELS[status]}」({status.value})"


def next_status(status: Status | None, action: Action, party: Party) -> Status:
    """The status after `action` by `party`, or InvalidTransition (nothing has been changed)."""
    rule = _BY_KEY.get((status, action))
    if rule is None:
        possible = "、".join(ACTION_LABELS[a] for a in allowed_actions(status, Party.PERSON)) or "无"
        raise InvalidTransition(
            f"运维工单当前为{_status_text(status)}，不能执行「{ACTION_LABELS[action]}」({action.value})；"
            f"当前可执行的操作：{possible}"
        )
    if rule.party is not party:
        raise InvalidTransition(
            f"「{ACTION_LABELS[action]}」({action.value}) 只能由 {rule.party.value} 执行，不能由 {party.value} 执行"
        )
    return rule.target
