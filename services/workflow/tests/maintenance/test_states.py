"""The states of a 运维工单, as the table of steps says: assigned to the operator, worked (in progress), closed; a
step that does not apply, or by someone who may not take it, is refused with the status, the step and what is
possible now."""

from __future__ import annotations

import pytest
from fbjd_core.auth import Principal, Role
from fbjd_workflow.errors import InvalidTransition
from fbjd_workflow.maintenance.states import Action, Party, Status, allowed_actions, next_status, party_of

A, P, S = Action, Party, Status


@pytest.mark.parametrize(
    ("source", "action", "party", "target"),
    [
        (None, A.OPEN, P.SYSTEM, S.ASSIGNED),
        (S.ASSIGNED, A.START, P.PERSON, S.IN_PROGRESS),
        (S.ASSIGNED, A.RESOLVE, P.PERSON, S.CLOSED),
        (S.IN_PROGRESS, A.RESOLVE, P.PERSON, S.CLOSED),
        (S.ASSIGNED, A.AUTO_CLOSE, P.SYSTEM, S.CLOSED),
        (S.IN_PROGRESS, A.AUTO_CLOSE, P.SYSTEM, S.CLOSED),
        (S.CLOSED, A.REOPEN, P.SYSTEM, S.ASSIGNED),
        (S.ASSIGNED, A.ESCALATE, P.SYSTEM, S.ASSIGNED),
        (S.IN_PROGRESS, A.ESCALATE, P.SYSTEM, S.IN_PROGRESS),
    ],
)
def test_every_step_of_the_table_lands_where_it_says(
    source: Status | None, action: Action, party: Party, target: Status
) -> None:
    assert next_status(source, action, party) is target


def test_work_cannot_start_twice_or_on_a_closed_ticket() -> None:
    with pytest.raises(InvalidTransition) as twice:
        next_status(S.IN_PROGRESS, A.START, P.PERSON)
    assert "「处理中」(in_progress)" in twice.value.message and "「开始处理」(start)" in twice.value.message
    assert "当前可执行的操作：运维处理办结" in twice.value.message
    with pytest.raises(InvalidTransition) as closed:
        next_status(S.CLOSED, A.START, P.PERSON)
    assert "「已关闭」(closed)" in closed.value.message and "当前可执行的操作：无" in closed.value.message
    with pytest.raises(InvalidTransition):
        next_status(S.CLOSED, A.RESOLVE, P.PERSON)


def test_a_person_cannot_take_a_system_step_nor_the_system_a_persons() -> None:
    with pytest.raises(InvalidTransition, match="只能由 system 执行"):
        next_status(S.ASSIGNED, A.ESCALATE, P.PERSON)
    with pytest.raises(InvalidTransition, match="只能由 person 执行"):
        next_status(S.IN_PROGRESS, A.RESOLVE, P.SYSTEM)


def test_a_person_is_offered_start_then_resolve_and_nothing_once_closed() -> None:
    assert allowed_actions(S.ASSIGNED, P.PERSON) == [A.START, A.RESOLVE]
    assert allowed_actions(S.IN_PROGRESS, P.PERSON) == [A.RESOLVE]
    assert allowed_actions(S.CLOSED, P.PERSON) == []


@pytest.mark.parametrize(
    ("role", "party"),
    [(Role.ENTERPRISE, P.PERSON), (Role.CITY, P.PERSON), (Role.COUNTY, P.PERSON), (Role.ADMIN, P.PERSON)]
    + [(Role.SERVICE, None), (Role.ENFORCEMENT, None)],
)
def test_people_act_on_tickets_and_machine_clients_only_read(role: Role, party: Party | None) -> None:
    assert party_of(Principal(subject="x", role=role)) is party
