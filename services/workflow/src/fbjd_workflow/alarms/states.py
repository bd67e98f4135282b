"""The disposition state machine (异常报警处置流程, 附件4), pure: no database, no clock, no HTTP.

    (new record) ──open──▶ enterprise_check 企业自查
    enterprise_check ──handle (enterprise, within the window)──▶ closed_by_enterprise 企业已处理 [closed]
    enterprise_check ──escalate (system: window passed)────────▶ city_review 市局审核
    closed_by_enterprise ──continue (system: abnormal went on)──▶ city_review
    enterprise_check | city_review ──cover (system: approved 提前申报)──▶ covered_by_declaration 已报备 [closed]
    covered_by_declaration ──continue (system: beyond the declared window)──▶ city_review
    city_review ──approve (city)──▶ approved 审核通过 [closed]
    city_review ──reject (city)───▶ rejected 审核不通过 ──dispatch (system)──▶ enforcement 执法核查
    enforcement ──inspect (enforcement)──▶ inspected 已现场核查 [closed]
    enterprise_check | closed_by_enterprise | city_review | covered_by_declaration | enforcement
        ──withdraw (system: the rules withdrew the record)──▶ withdrawn 已撤销 [closed]

Who may trigger a step is part of the rule (a `Party`), so an API caller can never fire a system step
(an escalation) and the timer can never approve. `next_stage` either returns the target or raises
`InvalidTransition` with a message that names the stage, the step and what would have been allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fbjd_workflow.errors import InvalidTransition

__all__ = [
    "ACTION_LABELS",
    "CLOSED_STAGES",
    "OPEN_STAGES",
    "RULES",
    "STAGE_LABELS",
    "Action",
    "Party",
    "Rule",
    "Stage",
    "allowed_actions",
    "next_stage",
]


class Stage(StrEnum):
    ENTERPRISE_CHECK = "enterprise_check"
    CLOSED_BY_ENTERPRISE = "closed_by_enterprise"
    CITY_REVIEW = "city_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    ENFORCEMENT = "enforcement"
    INSPECTED = "inspected"
    COVERED_BY_DECLARATION = "covered_by_declaration"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    OPEN = "open"
    HANDLE = "handle"
    ESCALATE = "escalate"
    CONTINUE = "continue"
    COVER = "cover"
    APPROVE = "approve"
    REJECT = "reject"
    DISPATCH = "dispatch"
    INSPECT = "inspect"
    WITHDRAW = "withdraw"


class Party(StrEnum):
    """Who acts: the enterprise, the city (or county) reviewer, the mobile enforcement system, the system."""

    ENTERPRISE = "enterprise"
    CITY = "city"
    ENFORCEMENT = "enforcement"
    SYSTEM = "system"


STAGE_LABELS: dict[Stage, str] = {
    Stage.ENTERPRISE_CHECK: "企业自查",
    Stage.CLOSED_BY_ENTERPRISE: "企业已处理",
    Stage.CITY_REVIEW: "市局审核",
    Stage.APPROVED: "审核通过",
    Stage.REJECTED: "审核不通过",
    Stage.ENFORCEMENT: "执法核查",
    Stage.INSPECTED: "已现场核查",
    Stage.COVERED_BY_DECLARATION: "已提前申报",
    Stage.WITHDRAWN: "已撤销",
}

ACTION_LABELS: dict[Action, str] = {
    Action.OPEN: "生成报警",
    Action.HANDLE: "企业处理",
    Action.ESCALATE: "超时上报市局",
    Action.CONTINUE: "异常持续，上报市局",
    Action.COVER: "提前申报覆盖",
    Action.APPROVE: "审核通过",
    Action.REJECT: "审核不通过",
    Action.DISPATCH: "推送省平台并派发执法任务",
    Action.INSPECT: "现场核查办结",
    Action.WITHDRAW: "规则撤销",
}

OPEN_STAGES = frozenset({Stage.ENTERPRISE_CHECK, Stage.CITY_REVIEW, Stage.REJECTED, Stage.ENFORCEMENT})
CLOSED_STAGES = frozenset(Stage) - OPEN_STAGES


@dataclass(frozen=True, slots=True)
class Rule:
    """One allowed step: from `source` (None: the alarm does not exist yet) by `action` to `target`."""

    source: Stage | None
    action: Action
    target: Stage
    party: Party


def _rules() -> tuple[Rule, ...]:
    s, a, p = Stage, Action, Party
    rules = [
        Rule(None, a.OPEN, s.ENTERPRISE_CHECK, p.SYSTEM),
        Rule(s.ENTERPRISE_CHECK, a.HANDLE, s.CLOSED_BY_ENTERPRISE, p.ENTERPRISE),
        Rule(s.ENTERPRISE_CHECK, a.ESCALATE, s.CITY_REVIEW, p.SYSTEM),
        Rule(s.CLOSED_BY_ENTERPRISE, a.CONTINUE, s.CITY_REVIEW, p.SYSTEM),
        Rule(s.COVERED_BY_DECLARATION, a.CONTINUE, s.CITY_REVIEW, p.SYSTEM),
        Rule(s.ENTERPRISE_CHECK, a.COVER, s.COVERED_BY_DECLARATION, p.SYSTEM),
        Rule(s.CITY_REVIEW, a.COVER, s.COVERED_BY_DECLARATION, p.SYSTEM),
        Rule(s.CITY_REVIEW, a.APPROVE, s.APPROVED, p.CITY),
        Rule(s.CITY_REVIEW, a.REJECT, s.REJECTED, p.CITY),
        Rule(s.REJECTED, a.DISPATCH, s.ENFORCEMENT, p.SYSTEM),
        Rule(s.ENFORCEMENT, a.INSPECT, s.INSPECTED, p.ENFORCEMENT),
    ]
    withdrawable = (
        s.ENTERPRISE_CHECK,
        s.CLOSED_BY_ENTERPRISE,
        s.CITY_REVIEW,
        s.COVERED_BY_DECLARATION,
        s.ENFORCEMENT,
    )
    rules += [Rule(stage, a.WITHDRAW, s.WITHDRAWN, p.SYSTEM) for stage in withdrawable]
    return tuple(rules)


RULES: tuple[Rule, ...] = _rules()
_BY_KEY: dict[tuple[Stage | None, Action], Rule] = {(rule.source, rule.action): rule for rule in RULES}


def allowed_actions(stage: Stage | None, party: Party | None = None) -> list[Action]:
    """The steps possible from `stage` (for `party`, when given), in the order of RULES."""
    return [r.action for r in RULES if r.source == stage and (party is None or r.party == party)]


def _stage_text(stage: Stage | None) -> str:
    return "（尚未生成）" if stage is None else f"「{STAGE_LABELS[stage]}」({stage.value})"


def next_stage(stage: Stage | None, action: Action, party: Party) -> Stage:
    """The stage after `action` by `party`, or InvalidTransition (nothing has been changed)."""
    rule = _BY_KEY.get((stage, action))
    if rule is None:
        possible = "、".join(ACTION_LABELS[a] for a in allowed_actions(stage)) or "无（已办结）"
        raise InvalidTransition(
            f"报警当前处于{_stage_text(stage)}阶段，不能执行「{ACTION_LABELS[action]}」({action.value})；"
            f"该阶段可执行的操作：{possible}"
        )
    if rule.party is not party:
        raise InvalidTransition(
            f"「{ACTION_LABELS[action]}」({action.value}) 只能由 {rule.party.value} 执行，不能由 {party.value} 执行"
        )
    return rule.target
