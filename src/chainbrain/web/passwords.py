"""The password policy of web accounts, checked when a password is set (account creation, change, reset).

Rules (NIST SP 800-63B §3.1.1.2: a minimum length, no composition rules, a blocklist of
common, expected or compromised values):

- at least :data:`MIN_LENGTH` (12) and at most :data:`MAX_LENGTH` (200) characters;
- not the user name, nor the user name with digits or symbols around it (case ignored);
- not on the blocklist (``password_lists/``: the 19,640 most common passwords and context
  words, sources in ``password_lists/SOURCES.md``) — neither the whole password nor its
  *core*, the password without the digits, symbols and spaces at its ends
  (``Password2024!`` → ``password``), case ignored;
- more than three different characters (``aaaaaaaaaaaa``, ``121212121212`` are refused).

A refusal raises :class:`chainbrain.web.users.UserError` with one bilingual line naming the rule.
"""

from __future__ import annotations

import functools
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 200
LISTS = Path(__file__).resolve().parent / "password_lists"


@functools.cache
def blocklist() -> frozenset[str]:
    """Every entry of ``password_lists/*.txt`` in lower case (``#`` lines are comments)."""
    out: set[str] = set()
    for path in sorted(LISTS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            word = line.strip().lower()
            if word and not word.startswith("#"):
                out.add(word)
    return frozenset(out)


def core(password: str) -> str:
    """The password without the non-letters at its ends, in lower case (``"12Qwerty!!"`` → ``"qwerty"``)."""
    chars = list(password.strip().lower())
    while chars and not chars[0].isalpha():
        chars.pop(0)
    while chars and not chars[-1].isalpha():
        chars.pop()
    return "".join(chars)


def problem(password: str | None, username: str | None = None) -> str | None:
    """Why ``password`` may not be used by ``username`` (one bilingual line), or None when it may."""
    pw = password or ""
    if len(pw) < MIN_LENGTH:
        return f"password must have at least {MIN_LENGTH} characters (密码至少 {MIN_LENGTH} 位)"
    if len(pw) > MAX_LENGTH:
        return f"password must have at most {MAX_LENGTH} characters (密码最多 {MAX_LENGTH} 位)"
    name = (username or "").strip().lower()
    low = pw.strip().lower()
    if name and (low == name or core(pw) in (name, core(name) or name)):
        return "password must not be the user name (密码不能与用户名相同)"
    words = blocklist()
    if low in words or core(pw) in words:
        return "password is too common: choose another (密码过于常见，请换一个)"
    if len(set(pw)) <= 3:
        return "password repeats too few characters (密码字符重复过多)"
    return None
