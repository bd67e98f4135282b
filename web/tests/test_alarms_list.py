"""The records list's filters and pager (no platform needed)."""

from __future__ import annotations

from fbjd_web.paging import page_of, with_query
from fbjd_web.records_query import AlarmFilters, api_params, filters_from


def test_a_32_hex_enterprise_is_a_ps_id_and_anything_else_a_part_of_the_name() -> None:
    by_id = api_params(filters_from({"enterprise": "3f2b9c0e6a4d4e8f9b1c2d3e4f5a6b7c"}))
    by_name = api_params(filters_from({"enterprise": "华信陶瓷"}))
    assert ("ps_id", "3f2b9c0e6a4d4e8f9b1c2d3e4f5a6b7c") in by_id and not any(k == "q" for k, _ in by_id)
    assert ("q", "华信陶瓷") in by_name


def test_dates_are_whole_cst_days_from_the_first_to_the_end_of_the_last() -> None:
    params = dict(api_params(filters_from({"from": "2026-11-24", "to": "2026-11-24"})))
    assert params["from"] == "2026-11-24T00:00:00+08:00"
    assert params["to"] == "2026-11-25T00:00:00+08:00"


def test_values_outside_the_closed_lists_are_dropped_not_sent() -> None:
    f = filters_from({"type": "drop table", "grade": "grave", "stage": "nonsense", "status": "open", "from": "24/11"})
    assert (f.type, f.grade, f.stage, f.status, f.date_from) == ("", "grave", "", "open", "")
    keys = [k for k, _ in api_params(f)]
    assert "type" not in keys and "stage" not in keys and "from" not in keys


def test_an_enterprise_list_is_pinned_to_its_own_ps_id_whatever_is_typed() -> None:
    params = api_params(filters_from({"enterprise": "其他企业"}), ps_id="a" * 32)
    assert ("ps_id", "a" * 32) in params and not any(k == "q" for k, _ in params)


def test_the_pager_uses_the_total_when_the_api_sends_it() -> None:
    page = page_of(offset=50, limit=50, shown=50, total_header="120")
    assert (page.number, page.pages, page.first_row, page.last_row) == (2, 3, 51, 100)
    assert page.has_previous and page.has_next and page.next_offset == 100


def test_without_a_total_a_full_page_offers_next_and_a_short_one_does_not() -> None:
    assert page_of(offset=0, limit=50, shown=50, total_header=None).has_next
    last = page_of(offset=50, limit=50, shown=7, total_header=None)
    assert not last.has_next and last.pages is None and last.has_previous


def test_page_links_keep_the_filters_and_leave_out_empty_ones() -> None:
    query = AlarmFilters(county="130921", status="open").query()
    assert with_query("/alarms", query, offset=50) == "/alarms?county=130921&status=open&offset=50"
    assert with_query("/alarms", AlarmFilters().query()) == "/alarms"
