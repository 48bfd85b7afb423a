"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

18 characters from the alphabet ``0-9 A-H J-N P-R T U W-Y`` (no I, O, Z, S, V):
position 1 registering-authority type, 2 entity type, 3–8 the registering
authority's region code (at registration time; may be retired or a zone code),
9–17 the organisation code, 18 a check character:

    C18 = 31 - (Σ_{i=1..17} value(C_i) · w_i  mod 31),  31 → 0,
    w_i = 3^(i-1) mod 31 = 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    """Trim and upper-case (callers warn when this changed the input)."""
    return (code or "").strip().upper()


def problem(code: str) -> str | None:
    """None when ``code`` is a valid USCC, else a short English reason."""
    if len(code) != 18:
        return f"length {len(code)}, expected 18"
    bad = [c for c in code if c not in VALUE]
    if bad:
        return f"invalid character {bad[0]!r}"
    if check_char(code[:17]) != code[17]:
        return f"check character should be {check_char(code[:17])!r}"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def make(region_code: str, serial: int, kind: str = "91") -> str:
    """A well-formed USCC for synthetic data: ``kind`` + region + 9-char serial + check."""
    body = []
    n = serial
    for _ in range(8):
        body.append(ALPHABET[n % 31])
        n //= 31
    org = "".join(reversed(body)) + ALPHABET[(serial * 7) % 31]
    first17 = kind + region_code + org
    return first17 + check_char(first17)
