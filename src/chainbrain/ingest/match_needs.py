"""The needs file of 融通 matching: one row per need of a chain master (CSV, UTF-8).

Columns: ``need_id`` (unique), ``buyer_uscc`` (18 characters), ``segment_code`` (the segment bought
from), ``product`` (words, separated by spaces, commas or 、), ``city`` (optional: a city code to
prefer; empty = the buyer's city). Bad input: one bilingual error naming the file, row and field;
the whole file is refused.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

COLUMNS = ("need_id", "buyer_uscc", "segment_code", "product", "city")
REQUIRED = ("need_id", "buyer_uscc", "segment_code")


class NeedsError(ValueError):
    pass


def read(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise NeedsError(f"{path}: no such file (文件不存在)") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise NeedsError(f"{path}: not a UTF-8 CSV file: {exc} (不是 UTF-8 CSV 文件)") from None
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise NeedsError(f"{path}: column {missing[0]} is missing (缺少列 {missing[0]})")
    for c in COLUMNS:
        if c not in df.columns:
            df[c] = ""
    df = df[list(COLUMNS)].apply(lambda s: s.str.strip())
    seen = set()
    for i, r in enumerate(df.to_dict("records"), start=2):
        for c in REQUIRED:
            if not r[c]:
                raise NeedsError(f"{path}: row {i}, field {c}: empty (不能为空)")
        if len(r["buyer_uscc"]) != 18:
            raise NeedsError(f"{path}: row {i}, field buyer_uscc: {r['buyer_uscc']!r} is not 18 characters "
                             f"(统一社会信用代码应为 18 位)")
        if r["need_id"] in seen:
            raise NeedsError(f"{path}: row {i}, field need_id: {r['need_id']!r} repeated (需求编号重复)")
        seen.add(r["need_id"])
    return df
