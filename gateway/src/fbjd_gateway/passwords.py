"""Password rules of GB/T 22239 level 2: length and character classes, checked before hashing."""

from __future__ import annotations

import string

from fbjd_core.errors import FbjdError

__all__ = ["WeakPassword", "check_strength"]

MIN_LENGTH = 10
CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation)


class WeakPassword(FbjdError):
    code, status = "weak_password", 422


def check_strength(password: str, *, username: str) -> None:
    """At least 10 characters from at least 3 of: lower case, upper case, digits, punctuation; not the user name."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"密码至少 {MIN_LENGTH} 位 (password must have at least {MIN_LENGTH} characters)")
    used = sum(any(c in cls for c in password) for cls in CLASSES)
    if used < 3:
        raise WeakPassword("密码须包含大写字母、小写字母、数字、符号中的至少三类 (use at least 3 character classes)")
    if username.lower() in password.lower():
        raise WeakPassword("密码不能包含用户名 (password must not contain the user name)")
