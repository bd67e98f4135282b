"""The figures a technical unit (技术单位) is judged by: its enterprises' transmission rate this month and its
false alarms (误报) of the last 90 days, from the registry's quality summary and the counts of the other services."""

from __future__ import annotations

from typing import Any

from fbjd_web.pages.vendors import AlarmCounts, average_rate, false_alarm_share, vendor_row


def _quality(*ps_ids: str, blacklisted: bool = False) -> dict[str, Any]:
    return {
        "vendor": {
            "id": "7b0c5d1e-0000-4000-8000-000000000001",
            "name": "沧州蓝天环境监测技术有限公司",
            "kind": "operator",
        },
        "blacklisted": blacklisted,
        "enterprises": len(ps_ids),
        "points": 6 * len(ps_ids),
        "enterprises_audited": len(ps_ids),
        "enterprises_passing_audit": len(ps_ids) - 1,
        "audit_errors": 2,
        "audit_warnings": 3,
        "by_enterprise": [{"ps_id": p} for p in ps_ids],
    }


def test_the_rate_is_the_mean_of_the_enterprises_that_have_one() -> None:
    assert average_rate([0.98, None, 0.90]) == 0.94
    assert average_rate([None, None]) is None
    assert average_rate([]) is None


def test_false_alarms_are_pooled_so_a_small_works_does_not_weigh_like_a_large_one() -> None:
    """1 of 1 at a small works and 1 of 9 at a large one: 2 of 10 (20 %), not the mean of 100 % and 11 %."""
    assert false_alarm_share([AlarmCounts(total=1, false=1), AlarmCounts(total=9, false=1)]) == (2, 10, 0.2)


def test_no_alarm_at_all_is_no_share_rather_than_a_perfect_zero() -> None:
    assert false_alarm_share([AlarmCounts(total=0, false=0)]) == (0, 0, None)
    assert false_alarm_share([]) == (0, 0, None)


def test_a_vendors_row_counts_only_its_own_enterprises() -> None:
    rates = {"a" * 32: 0.96, "b" * 32: 0.80, "c" * 32: 0.10}
    counts = {
        "a" * 32: AlarmCounts(total=4, false=1),
        "b" * 32: AlarmCounts(total=0, false=0),
        "c" * 32: AlarmCounts(total=50, false=50),
    }
    row = vendor_row(_quality("a" * 32, "b" * 32, blacklisted=True), rates, counts)
    assert row.transmission_rate is not None and round(row.transmission_rate, 4) == 0.88
    assert (row.false_alarms, row.alarms, row.false_share) == (1, 4, 0.25)
    assert (row.enterprises, row.points, row.passing_audit, row.audit_errors) == (2, 12, 1, 2)
    assert row.blacklisted and row.kind == "operator"


def test_an_enterprise_without_terminal_or_counts_leaves_the_figures_unknown() -> None:
    row = vendor_row(_quality("d" * 32), {}, {})
    assert (row.transmission_rate, row.false_share, row.alarms) == (None, None, 0)
