"""The unified social credit code (统一社会信用代码, GB 32100-2015) and its check character.

18 characters from a 31-character alphabet (digits and upper-case letters without I, O, Z, S, V):
registration authority (1), organisation type (1), administrative division (6 digits),
organisation code (9), check character (1). The check character is `31 - Σ(value × weight) mod 31`.
"""

from __future__ import annotations

__all__ = ["ALPHABET", "check_character", "credit_code_problem"]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {char: value for value, char in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    """The check character of the first 17 characters (which must already be in the alphabet)."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when `code` is a valid credit code, else what is wrong with it, in Chinese."""
    if len(code) != 18:
        return f"须为18位，现为{len(code)}位"
    bad = sorted({char for char in code if char not in _VALUE})
    if bad:
        return f"含有不允许的字符 {''.join(bad)}（只允许数字和除 I、O、Z、S、V 以外的大写字母）"
    if not code[2:8].isdigit():
        return f"第3-8位须为行政区划代码（6位数字），现为 {code[2:8]}"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"校验位错误：按 GB 32100 第18位应为 {expected}，实际为 {code[17]}"
    return None
