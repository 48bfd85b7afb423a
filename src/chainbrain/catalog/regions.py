"""Administrative divisions (GB/T 2260) of the pack's province, current and retired.

Rows: ``code,name,level,parent_code,status,successor_code`` with level
``province|prefecture|county``. A retired county code maps to its successor
(codes withdrawn since 2013, from the MCA yearly change lists); positions 3–8
of a USCC may hold such a retired code, or a development-zone authority code
that never appears in GB/T 2260.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent_code: str
    status: str            # current|retired
    successor_code: str
    retired_year: int | None = None

    @property
    def prefecture_code(self) -> str:
        if self.level == "prefecture":
            return self.code
        if self.level == "county":
            return self.code[:4] + "00"
        return ""


def build_regions(current: list[dict], retired: list[dict]) -> list[Region]:
    out = [Region(r["code"], r["name"], r["level"], r["parent_code"], "current", "") for r in current]
    known = {r.code for r in out}
    for r in retired:
        successors = r["successor_codes"].split(";")
        parent = r["old_code"][:4] + "00"
        out.append(Region(r["old_code"], r["old_name"], "county",
                          parent if parent in known else successors[0][:4] + "00",
                          "retired", successors[0], int(r["effective_year"])))
    return out


def resolve(regions: dict[str, Region], code: str) -> str | None:
    """The current code for ``code`` (itself, or the successor of a retired code)."""
    seen = set()
    while code in regions and regions[code].status == "retired" and code not in seen:
        seen.add(code)
        code = regions[code].successor_code
    return code if code in regions else None
