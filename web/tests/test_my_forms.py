"""Times typed into the enterprise's forms are China Standard Time (no platform needed)."""

from __future__ import annotations

from datetime import UTC, datetime

from fbjd_web.local_time import form_value, parse_local
from fbjd_web.record_page import file_href


def test_a_datetime_local_value_is_read_as_cst() -> None:
    moment = parse_local("2026-12-01T08:30")
    assert moment is not None and moment.astimezone(UTC) == datetime(2026, 12, 1, 0, 30, tzinfo=UTC)


def test_unreadable_or_empty_times_are_none() -> None:
    assert parse_local("") is None and parse_local("明天") is None and parse_local(None) is None


def test_a_moment_is_shown_in_the_field_as_cst_to_the_minute() -> None:
    assert form_value(datetime(2026, 12, 1, 0, 30, 59, tzinfo=UTC)) == "2026-12-01T08:30"


def test_workflow_file_links_become_the_webs_own_download_links() -> None:
    assert file_href("/api/workflow/files/abc") == "/files/abc"
    assert file_href("/api/workflow/tasks/t1/files/abc") == "/tasks/t1/files/abc"
