"""Accessible markup on every main page, checked in the browser on the rendered DOM (htmx fragments included):
the page says it is Chinese, has one main landmark and a heading; every form control a person can reach has a
name a screen reader reads (a label, aria-label or aria-labelledby); every button and link says what it does;
every image has alt text; every data table has header cells; nothing needs sideways scrolling on a 1366×768
laptop; and the keyboard reaches the controls (Tab moves focus to a visible element, focus is drawn)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from .conftest import OpenAs

STAFF_PAGES = [
    "/overview",
    "/alarms",
    "/enterprises",
    "/statistics",
    "/statistics/online",
    "/statistics/rates",
    "/statistics/abnormal",
    "/control",
    "/tasks",
    "/devices",
    "/acceptance",
    "/vendors",
    "/maintenance",
    "/bridge",
]
ENTERPRISE_PAGES = ["/my", "/my/alarms", "/my/data", "/my/declarations", "/my/acceptance", "/my/dossier"]

#: What a screen reader would miss, found on the rendered page (each entry: a short description of the element).
PROBLEMS_JS = """
() => {
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const snippet = (el) => el.outerHTML.slice(0, 120);
  const named = (el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const by = el.getAttribute('aria-labelledby');
    if (by && by.split(/\\s+/).some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
    if (el.labels && Array.from(el.labels).some((l) => l.textContent.trim())) return true;
    return !!(el.getAttribute('title') || '').trim();
  };
  const problems = [];
  if (!document.documentElement.lang.startsWith('zh')) problems.push('html lang is not zh');
  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one <main>');
  if (!document.querySelector('h1, h2')) problems.push('no heading');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type) || !visible(el)) continue;
    if (!named(el)) problems.push('control without a name: ' + snippet(el));
  }
  for (const el of document.querySelectorAll('button, a[href], input[type=submit]')) {
    if (!visible(el)) continue;
    const text = (el.textContent || el.value || '').trim();
    if (!text && !named(el)) problems.push('button or link without text: ' + snippet(el));
  }
  for (const el of document.querySelectorAll('img')) {
    if (!el.hasAttribute('alt')) problems.push('image without alt: ' + snippet(el));
  }
  for (const table of document.querySelectorAll('table')) {
    if (visible(table) && table.rows.length > 1 && !table.querySelector('th')) {
      problems.push('data table without header cells: ' + snippet(table));
    }
  }
  const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  if (overflow > 0) problems.push('wider than the window by ' + overflow + ' px');
  return problems;
}
"""


def _problems(page: Page, path: str) -> list[str]:
    answer = page.goto(path)
    assert answer is not None and answer.status == 200, f"{path}: {answer and answer.status}"
    page.wait_for_load_state("networkidle")
    return [f"{path}: {problem}" for problem in page.evaluate(PROBLEMS_JS)]


def test_every_staff_page_is_named_labelled_and_fits_a_laptop(
    open_as: OpenAs, self_check_alarm: dict[str, Any]
) -> None:
    page = open_as("city")
    paths = [*STAFF_PAGES, f"/alarms/{self_check_alarm['id']}", f"/enterprises/{self_check_alarm['ps_id']}"]
    problems = [problem for path in paths for problem in _problems(page, path)]
    assert problems == []


def test_every_self_service_page_is_named_labelled_and_fits_a_laptop(open_as: OpenAs) -> None:
    page = open_as("enterprise")
    problems = [problem for path in ENTERPRISE_PAGES for problem in _problems(page, path)]
    assert problems == []


@pytest.mark.parametrize("path", ["/alarms", "/statistics"])
def test_the_keyboard_reaches_the_filters_and_focus_is_drawn(open_as: OpenAs, path: str) -> None:
    page = open_as("city", path)
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return null;
              const style = getComputedStyle(el);
              const drawn = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
                || style.boxShadow !== 'none';
              const tag = el.tagName.toLowerCase() + (el.type ? ':' + el.type : '');
              return {tag: tag, inMain: !!el.closest('main'), drawn: drawn};
            }"""
        )
        if focused is not None:
            reached.append(focused)
    in_main = [f for f in reached if f["inMain"]]
    filters = [f for f in in_main if f["tag"].split(":")[0] in ("select", "input")]
    assert filters, f"no filter reached by Tab on {path}: {reached}"
    assert all(f["drawn"] for f in reached), f"an element takes focus without a visible focus ring: {reached}"
