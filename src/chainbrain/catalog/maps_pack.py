"""Pack data of the technology roadmap (技术路线图) and the application-field map (应用领域图).

The pack ships ``maps/roadmap.toml`` and ``maps/fields.toml`` (``[meta]`` with
``version`` and ``source``, then ``[[row]]`` entries with ``chain``, ``code``,
``name_zh``, ``name_en``, ``demo``, ``source`` and, for the roadmap,
``segment``, ``maturity``, ``target_maturity``, ``target_year``; for fields,
``segments``).  The per-chain plans are not in the project's references, so
every shipped row is demo data (``demo = true``, shown as 演示).

A chain office (for its chain) or the province edits a chain's rows on its page;
the edit replaces that chain's rows and is stored as an *override file* under
the data directory (:func:`overrides_dir`: ``CHAINBRAIN_MAPS_DIR``, else
``pack_overrides/`` beside a DuckDB store, else ``data/pack_overrides``):
``<kind>-<CHAIN>.json`` with ``version`` (1, 2, …; an edit must name the
version it read, else it is refused as stale), ``edited_by``, ``edited_at``,
``rows``, and every earlier version kept as ``<kind>-<CHAIN>.v<N>.json``.
The web layer writes the audit entry (before and after).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tomllib
from pathlib import Path


KINDS = ("roadmap", "fields")
MATURITY = ("research", "pilot", "industrialization", "scale")
MATURITY_TEXT = {"research": ("研发", "research"), "pilot": ("中试", "pilot"),
                 "industrialization": ("产业化", "industrialization"), "scale": ("规模化", "scale")}
MAX_ROWS = 100


class Invalid(ValueError):
    """A bad edit (one bilingual message naming the row and field; HTTP 400)."""


class Stale(Exception):
    """The chain's rows changed since the editor read them (HTTP 409)."""


def pack_file(kind: str, pack: str | None = None) -> Path:
    from chainbrain.catalog.pack import load_pack

    return load_pack(pack).path / "maps" / f"{kind}.toml"


def overrides_dir(store) -> Path:
    env = os.environ.get("CHAINBRAIN_MAPS_DIR")
    if env:
        out = Path(env)
    elif store.kind == "duckdb" and store.db != ":memory:":
        out = Path(store.db).resolve().parent / "pack_overrides"
    else:
        out = Path("data") / "pack_overrides"
    return out


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)} (类型无效)")


def pack_rows(kind: str, pack: str | None = None) -> tuple[dict, list[dict]]:
    """(meta, rows) of the pack file."""
    _check_kind(kind)
    with open(pack_file(kind, pack), "rb") as f:
        d = tomllib.load(f)
    return d.get("meta", {}), list(d.get("row", []))


def _override(store, kind: str, chain: str) -> dict | None:
    path = overrides_dir(store) / f"{kind}-{chain}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def rows_for(store, kind: str, chain: str, pack: str | None = None) -> dict:
    """The chain's rows: the override when one was saved, else the pack's.

    ``{"rows", "version"`` (0 = the pack's rows), ``"origin"`` (``pack`` | ``override``),
    ``"pack_version", "edited_by", "edited_at"}``."""
    meta, rows = pack_rows(kind, pack)
    ov = _override(store, kind, chain)
    base = {"pack_version": meta.get("version"), "pack_source": meta.get("source")}
    if ov is not None:
        return {**base, "rows": ov["rows"], "version": int(ov["version"]), "origin": "override",
                "edited_by": ov.get("edited_by"), "edited_at": ov.get("edited_at")}
    return {**base, "rows": [r for r in rows if r.get("chain") == chain], "version": 0, "origin": "pack",
            "edited_by": None, "edited_at": None}


def _text(row: dict, i: int, field: str, required: bool = True, limit: int = 200) -> str:
    v = row.get(field)
    v = "" if v is None else str(v).strip()
    if required and not v:
        raise Invalid(f"row {i}: field {field} is required (第 {i} 行：{field} 不能为空)")
    if len(v) > limit:
        raise Invalid(f"row {i}: field {field} is longer than {limit} characters (第 {i} 行：{field} 超过 {limit} 字)")
    return v


def clean(kind: str, chain: str, rows, segments: set[str]) -> list[dict]:
    """Validated rows of an edit (one bilingual :class:`Invalid` naming row and field)."""
    _check_kind(kind)
    if not isinstance(rows, list):
        raise Invalid("rows: a list of rows is required (rows 应为行的列表)")
    if len(rows) > MAX_ROWS:
        raise Invalid(f"rows: at most {MAX_ROWS} rows (最多 {MAX_ROWS} 行)")
    out, codes = [], set()
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise Invalid(f"row {i}: must be an object (第 {i} 行应为对象)")
        r = {"chain": chain, "name_zh": _text(row, i, "name_zh"), "name_en": _text(row, i, "name_en", False),
             "source": _text(row, i, "source"), "demo": bool(row.get("demo", False))}
        code = _text(row, i, "code", False, 40) or f"{chain}-{'T' if kind == 'roadmap' else 'A'}{i}"
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", code):
            raise Invalid(f"row {i}: field code {code!r}: letters, digits, - _ . only (第 {i} 行：code 只能含字母数字和 -_.)")
        if code in codes:
            raise Invalid(f"row {i}: field code {code!r} is repeated (第 {i} 行：code 重复)")
        codes.add(code)
        r["code"] = code
        if kind == "roadmap":
            seg = _text(row, i, "segment", False, 40)
            if seg and seg not in segments:
                raise Invalid(f"row {i}: field segment {seg!r} is not a segment of chain {chain} "
                              f"(第 {i} 行：segment 不是 {chain} 链的环节)")
            r["segment"] = seg
            for f in ("maturity", "target_maturity"):
                v = _text(row, i, f)
                if v not in MATURITY:
                    raise Invalid(f"row {i}: field {f} must be one of {', '.join(MATURITY)} "
                                  f"(第 {i} 行：{f} 应为 {' / '.join(MATURITY)})")
                r[f] = v
            try:
                y = int(str(row.get("target_year", "")).strip())
            except ValueError:
                raise Invalid(f"row {i}: field target_year must be a year (第 {i} 行：target_year 应为年份)") from None
            if not 2000 <= y <= 2100:
                raise Invalid(f"row {i}: field target_year {y} is outside 2000–2100 (第 {i} 行：target_year 超出 2000–2100)")
            r["target_year"] = y
        else:
            segs = row.get("segments") or []
            if isinstance(segs, str):
                segs = [s.strip() for s in re.split(r"[;,；，\s]+", segs) if s.strip()]
            bad = [s for s in segs if s not in segments]
            if bad:
                raise Invalid(f"row {i}: field segments: {', '.join(bad)} not segments of chain {chain} "
                              f"(第 {i} 行：segments 中 {', '.join(bad)} 不是 {chain} 链的环节)")
            r["segments"] = list(dict.fromkeys(segs))
        out.append(r)
    return out


def save(store, kind: str, chain: str, rows: list[dict], actor: str, expected_version: int,
         now: dt.datetime | None = None) -> dict:
    """Store the chain's cleaned ``rows`` as the next override version (:class:`Stale` when the
    current version is not ``expected_version``); returns ``{"before", "after"}`` for the audit."""
    cur = rows_for(store, kind, chain)
    if int(expected_version) != cur["version"]:
        raise Stale(f"the {kind} of chain {chain} changed since you read it (version {cur['version']}, "
                    f"yours {expected_version}): reload (数据已被他人修改，请刷新后重试)")
    d = overrides_dir(store)
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{kind}-{chain}.json"
    if path.exists():
        path.replace(d / f"{kind}-{chain}.v{cur['version']}.json")
    doc = {"kind": kind, "chain": chain, "version": cur["version"] + 1, "edited_by": actor,
           "edited_at": (now or dt.datetime.now()).isoformat(timespec="seconds"), "rows": rows}
    tmp = d / f".{kind}-{chain}.json.tmp"
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return {"before": {"version": cur["version"], "rows": cur["rows"]},
            "after": {"version": doc["version"], "rows": rows}}
