"""GB 32100-2015: the check character of the unified social credit code."""

from __future__ import annotations

from fbjd_registry.enterprises.credit_code import check_character, credit_code_problem


def test_a_published_example_code_is_valid() -> None:
    assert credit_code_problem("91350100M000100Y43") is None
    assert check_character("91350100M000100Y4") == "3"


def test_every_kind_of_mistake_is_explained() -> None:
    assert credit_code_problem("91350100M000100Y44") == "校验位错误：按 GB 32100 第18位应为 3，实际为 4"
    assert "不允许的字符 IO" in (credit_code_problem("91350100M0I0O00Y43") or "")
    assert credit_code_problem("9135") == "须为18位，现为4位"
    assert "行政区划代码" in (credit_code_problem("91ABCDEFM000100Y43") or "")
