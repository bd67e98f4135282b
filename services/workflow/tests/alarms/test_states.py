"""The disposition state machine (附件4) on its own: valid steps only, clear refusals, who may do what."""

from __future__ import annotations

import pytest
from fbjd_workflow.alarms.states import CLOSED_STAGES, RULES, Action, Party, Stage, allowed_actions, next_stage
from fbjd_workflow.errors import InvalidTransition

PATHS = {
    "handled in time": [
        (Action.OPEN, Party.SYSTEM, Stage.ENTERPRISE_CHECK),
        (Action.HANDLE, Party.ENTERPRISE, Stage.CLOSED_BY_ENTERPRISE),
    ],
    "escalated and approved": [
        (Action.OPEN, Party.SYSTEM, Stage.ENTERPRISE_CHECK),
        (Action.ESCALATE, Party.SYSTEM, Stage.CITY_REVIEW),
        (Action.APPROVE, Party.CITY, Stage.APPROVED),
    ],
    "rejected, enforced, inspected": [
        (Action.OPEN, Party.SYSTEM, Stage.ENTERPRISE_CHECK),
        (Action.ESCALATE, Party.SYSTEM, Stage.CITY_REVIEW),
        (Action.REJECT, Party.CITY, Stage.REJECTED),
        (Action.DISPATCH, Party.SYSTEM, Stage.ENFORCEMENT),
        (Action.INSPECT, Party.ENFORCEMENT, Stage.INSPECTED),
    ],
    "handled, went on, escalated": [
        (Action.OPEN, Party.SYSTEM, Stage.ENTERPRISE_CHECK),
        (Action.HANDLE, Party.ENTERPRISE, Stage.CLOSED_BY_ENTERPRISE),
        (Action.CONTINUE, Party.SYSTEM, Stage.CITY_REVIEW),
    ],
    "covered by a pre-declaration": [
        (Action.OPEN, Party.SYSTEM, Stage.ENTERPRISE_CHECK),
        (Action.COVER, Party.SYSTEM, Stage.COVERED_BY_DECLARATION),
    ],
    "withdrawn by the rules": [
        (Action.OPEN, Party.SYSTEM, Stage.ENTERPRISE_CHECK),
        (Action.WITHDRAW, Party.SYSTEM, Stage.WITHDRAWN),
    ],
}


@pytest.mark.parametrize("path", PATHS.values(), ids=PATHS.keys())
def test_every_branch_of_the_process_is_a_valid_path(path: list[tuple[Action, Party, Stage]]) -> None:
    stage: Stage | None = None
    for action, party, expected in path:
        stage = next_stage(stage, action, party)
        assert stage is expected
    assert stage in CLOSED_STAGES or stage is Stage.CITY_REVIEW


def test_an_invalid_step_is_refused_naming_the_stage_and_what_is_allowed() -> None:
    with pytest.raises(InvalidTransition) as refused:
        next_stage(Stage.ENTERPRISE_CHECK, Action.APPROVE, Party.CITY)
    assert refused.value.status == 409
    assert "企业自查" in refused.value.message and "审核通过" in refused.value.message
    assert "企业处理" in refused.value.message  # what the stage would allow


def test_a_system_step_cannot_be_taken_by_a_person() -> None:
    with pytest.raises(InvalidTransition, match="只能由 system 执行"):
        next_stage(Stage.ENTERPRISE_CHECK, Action.ESCALATE, Party.ENTERPRISE)
    with pytest.raises(InvalidTransition, match="只能由 city 执行"):
        next_stage(Stage.CITY_REVIEW, Action.APPROVE, Party.ENTERPRISE)


@pytest.mark.parametrize("stage", sorted(CLOSED_STAGES - {Stage.CLOSED_BY_ENTERPRISE, Stage.COVERED_BY_DECLARATION}))
def test_a_final_decision_allows_no_further_step(stage: Stage) -> None:
    assert allowed_actions(stage) == []


def test_only_a_system_step_reopens_an_enterprise_level_closure() -> None:
    for stage in (Stage.CLOSED_BY_ENTERPRISE, Stage.COVERED_BY_DECLARATION):
        assert set(allowed_actions(stage)) == {Action.CONTINUE, Action.WITHDRAW}
        assert allowed_actions(stage, Party.ENTERPRISE) == allowed_actions(stage, Party.CITY) == []


def test_each_step_has_exactly_one_rule() -> None:
    keys = [(rule.source, rule.action) for rule in RULES]
    assert len(keys) == len(set(keys))
