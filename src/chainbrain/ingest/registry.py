"""Market-regulation registry exports (企业名称,统一社会信用代码,注册日期,企业类型,法人代表,注册资金,经营范围,所在省份,地区,注册地址).

Every unit is kept (the registry is the base of the enterprise library); what
such exports really contain is handled row by row, with warnings, never by
dropping rows:

- 注册资金 ``1,100(万元人民币)``, ``40万人民币``, ``N/A`` → yuan (RMB only;
  foreign currencies are kept as text with a warning, never converted);
- USCC trimmed/upper-cased (warning); a malformed code is kept as text in
  the evidence and the unit is stored without a USCC, matched by name later;
- region: county names found in the address (current GB/T 2260 names, and
  retired names mapped to successors) inside the stated city; else the USCC's
  registering-authority code (positions 3–8, resolved to a current code) when
  it lies in that city; else the city itself. ``region_evidence`` says which;
- branch flag (分公司, 分店, 支行, 营业部, 分支机构 …);
- industrial or not and the GB/T 4754 section from the main activity
  (``ingest.activity``: parsed scope items, name, type, capital; calibrated model).
  ``guess_section`` (name and scope keywords only) is the older rule, kept for
  callers that have no scope.
"""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pyarrow as pa

from chainbrain.catalog.pack import load_pack
from chainbrain.catalog.regions import resolve
from chainbrain.catalog.uscc import problem
from chainbrain.ingest import rules as R
from chainbrain.ingest.chainmap import remember
from chainbrain.ingest.errors import Issues
from chainbrain.ingest.map_many import map_rows, remember_rows
from chainbrain.ingest.parse import Parsed, parse
from chainbrain.ingest.readers import read_table

_CAP = re.compile(r"^\s*([\d,，.]+)\s*[（(]?\s*(万|亿)?\s*(元)?\s*(人民币|美元|港币|港元|日元|欧元|英镑)?\s*[)）]?\s*$")
BRANCH = re.compile(r"(分公司|分店|分厂|支行|分行|营业部|营业所|分理处|办事处|分部|分支机构|分中心|分社)")
SECTION_RULES = [
    ("J", re.compile(r"(银行|支行|分行|信用社|保险|证券|信托|小额贷款|担保|典当|投资管理)")),
    ("K", re.compile(r"(房地产|置业|物业)")),
    ("D", re.compile(r"(供电|电力|发电|燃气|自来水|供水|水务|热力|水电站)")),
    ("B", re.compile(r"(矿业|采矿|矿山|煤矿|开采|采石|砂石场)")),
    ("M", re.compile(r"(会计师|律师|设计院|勘察|检测|咨询|事务所|研究院|研究所)")),
    ("E", re.compile(r"(建筑|建设工程|工程有限|路桥|装饰|安装工程|市政)")),
    ("F", re.compile(r"(商贸|贸易|商行|经营部|商店|超市|门市|销售|批发|零售|购物|商场|药店|加油站)")),
    ("H", re.compile(r"(酒店|宾馆|饭店|餐饮|酒楼)")),
    ("G", re.compile(r"(运输|物流|客运|货运|快递)")),
    ("C", re.compile(r"(厂|制造|制品|加工|实业|化工|药业|制药|电子|机械|材料|纺织|服装|食品|酿酒|水泥|陶瓷|钢铁|铜业|锂业|光电|电器|五金)")),
]
_SCOPE_PROD = re.compile(r"(生产|制造|加工|冶炼|铸造|研制)")
COLUMNWISE = True       # firms new to the store written column-wise (ingest.write_fresh); False: all row by row


def parse_capital(text: str | None):
    """(yuan Decimal | None, issue rule | None, detail)."""
    s = (text or "").strip()
    if not s or s.upper() in ("N/A", "NA", "-", "无", "NULL"):
        return None, None, ""
    m = _CAP.match(s)
    if not m:
        return None, "capital", s
    num = Decimal(m[1].replace(",", "").replace("，", ""))
    mult = {"万": 10_000, "亿": 100_000_000, None: 1}[m[2]]
    cur = m[4] or "人民币"
    if cur != "人民币":
        return None, "currency", s
    return (num * mult).quantize(Decimal("0.01")), None, ""


def guess_section(name: str, scope: str) -> str:
    for sec, rx in SECTION_RULES:
        if rx.search(name or ""):
            return sec
    if _SCOPE_PROD.search(scope or ""):
        return "C"
    for sec, rx in SECTION_RULES:
        if rx.search((scope or "")[:40]):
            return sec
    return ""


class RegionFinder:
    def __init__(self, pack=None):
        self.pack = pack or load_pack()
        self.index = self.pack.region_index
        self.cities = {c.name: c.code for c in self.pack.cities()}
        self.cities |= {re.sub(r"市$", "", k): v for k, v in list(self.cities.items())}
        # county names (current and retired) → current code, with the prefecture they lie in
        self.counties: list[tuple[str, str]] = []
        for r in self.pack.regions:
            if r.level != "county":
                continue
            cur = resolve(self.index, r.code) if r.status == "retired" else r.code
            if cur:
                self.counties.append((r.name, cur))
        self.counties.sort(key=lambda x: -len(x[0]))

    def find(self, city: str | None, address: str | None, uscc: str | None) -> tuple[str | None, str]:
        city_code = None
        c = (city or "").strip()
        if re.fullmatch(r"\d{6}", c):
            city_code = (resolve(self.index, c) or "")[:4] + "00" if resolve(self.index, c) else None
        elif c:
            city_code = self.cities.get(c) or self.cities.get(re.sub(r"市$", "", c))
        addr = address or ""
        if city_code is None:
            for name, code in self.cities.items():
                if name and name in addr:
                    city_code = code
                    break
        hits = [(n, code) for n, code in self.counties if n in addr and (city_code is None or code[:4] == city_code[:4])]
        if hits:
            n, code = hits[0]
            return code, f"address:{n}"
        if uscc and len(uscc) == 18:
            auth = resolve(self.index, uscc[2:8])
            if auth and self.index[auth].level == "county" and (city_code is None or auth[:4] == city_code[:4]):
                return auth, f"uscc:{uscc[2:8]}"
        if city_code:
            return city_code, f"city:{c or city_code}"
        return None, ""


def prepare(path, sheet=None, progress=None) -> tuple[Parsed, dict, list]:
    """Read, validate (warnings per row) and map a registry export: the parsed file, the enterprise
    fields it adds per row, and each row's mapping (``chainmap.Kept``, :func:`map_many.map_rows`)."""
    step = progress or (lambda stage, done=None, total=None: None)
    step("read", 0, None)
    raw = read_table(path, "registry", sheet)
    step("read", raw.num_rows, raw.num_rows)
    p = parse(raw, "registry")
    finder = RegionFinder()
    n = p.n
    rn = raw.rownum
    get = lambda k: R.to_np_str(p.cols[k]) if k in p.cols else np.array([None] * n, object)  # noqa: E731
    names, codes, caps, scopes = get("name"), get("uscc"), get("capital"), get("business_scope")
    cities, addrs, types = get("city"), get("address"), get("entity_type")
    out = {k: [] for k in ("uscc", "region_code", "region_evidence", "registered_capital", "registered_capital_text",
                           "is_branch", "guessed_section", "is_industrial")}
    seen: dict[str, int] = {}
    iss: Issues = p.issues
    from chainbrain.ingest.headers import match_headers
    hdr_idx = match_headers("registry", raw.headers).columns
    hdr = {k: raw.headers[i] for k, i in hdr_idx.items()}
    raw_codes = R.to_np_str(R.as_array(raw.columns[hdr_idx["uscc"]])) if "uscc" in hdr_idx else codes
    for i in range(n):
        if i % 5000 == 0:
            step("validate", i, n)
        code = raw_codes[i]
        norm = re.sub(r"\s", "", code or "").upper() or None
        if norm and norm.upper() in ("N/A", "NA", "-"):
            norm = None
        if norm and norm != code:
            iss.add("uscc_normalized", row=rn[i], column=hdr.get("uscc", "uscc"), value=code, severity="warning", index=i)
        if norm and problem(norm):
            iss.add("uscc", row=rn[i], column=hdr.get("uscc", "uscc"), value=code, detail=problem(norm),
                    severity="warning", index=i)
            norm = None
        if norm and norm in seen:
            iss.add("duplicate", row=rn[i], column=hdr.get("uscc", "uscc"), value=code, detail=str(rn[seen[norm]]),
                    severity="warning", index=i)
        if norm:
            seen.setdefault(norm, i)
        out["uscc"].append(norm)
        region, ev = finder.find(cities[i], addrs[i], norm)
        if region and finder.index[region].level == "prefecture":
            iss.add("region_guess", row=rn[i], column=hdr.get("address", "address"), value=addrs[i],
                    detail=finder.index[region].name, severity="warning", index=i)
        out["region_code"].append(region)
        out["region_evidence"].append(ev or None)
        yuan, rule, det = parse_capital(caps[i])
        if rule:
            iss.add(rule, row=rn[i], column=hdr.get("capital", "capital"), value=caps[i], detail=det,
                    severity="warning", index=i)
        out["registered_capital"].append(yuan)
        out["registered_capital_text"].append(caps[i])
        nm = names[i] or ""
        out["is_branch"].append(bool(BRANCH.search(nm) or BRANCH.search(types[i] or "")))
    step("validate", n, n)
    kept = map_rows([(names[i] or "", types[i], out["registered_capital"][i], scopes[i] or "", None, None)
                     for i in range(n)], step)          # each distinct firm once, with progress
    for k in kept:
        act = k.activity
        out["guessed_section"].append(act.section or None)
        out["is_industrial"].append(bool(act.industrial))
    return p, out, kept


def _dates(values, n: int) -> list:
    """Parsed date column → list of ``datetime.date`` or None."""
    import datetime as dt

    if values is None:
        return [None] * n
    out = []
    for v in list(values):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
        elif isinstance(v, dt.datetime):
            out.append(v.date())
        elif isinstance(v, dt.date):
            out.append(v)
        elif isinstance(v, np.datetime64):
            out.append(None if np.isnat(v) else v.astype("datetime64[D]").item())
        else:
            try:
                out.append(dt.date.fromisoformat(str(v)[:10]))
            except ValueError:
                out.append(None)
    return out


def latest_rows(keep: np.ndarray, codes: list, names: list) -> tuple[np.ndarray, int]:
    """The rows of ``keep`` to write and how many were left out: where one enterprise (its USCC, else — for a
    row without one — its name) is on several rows of one export, the last row is the export's word on it and
    the earlier ones are left out (each warned as ``duplicate``). Writing both would count one new firm as new
    and updated, open two locations, and make a re-import of the same file change it back and forth."""
    last = {}
    for i in keep:
        last[("u", codes[i]) if codes[i] else ("n", names[i])] = i
    out = np.array(sorted(last.values()), np.int64)
    return out, len(keep) - len(out)


def import_registry(store, path, *, errors_path=None, sheet=None, progress=None, skip_invalid: bool = False):
    """Import a registry export in one transaction.

    Problems of content are warnings and every such row is kept; rows with errors (e.g. no
    name) reject the file, or with ``skip_invalid`` are left out and written to
    ``errors_path`` with the other kinds' error file (status ``partial``).
    """
    step = progress or (lambda stage, done=None, total=None: None)
    remember(True)                       # each row is mapped once: in prepare, reused when segments are written
    try:
        return _import(store, path, errors_path, sheet, step, skip_invalid)
    finally:
        remember(False)


def _import(store, path, errors_path, sheet, step, skip_invalid):
    from chainbrain.ingest import resolve, write_fresh
    from chainbrain.ingest.batch import Result, log_batch, new_batch_id
    from chainbrain.ingest.errors import write_error_file
    from chainbrain.ingest.load import _reject
    from chainbrain.ingest.readers import ReadError
    from chainbrain.ingest.write import write_enterprises

    try:
        p, extra, kept = prepare(path, sheet, step)
    except ReadError as e:
        issues = Issues(str(path))
        issues.add("read", detail=str(e))
        return _reject(store, "registry", path, None, issues, errors_path)
    bad = p.issues.bad_rows(p.n)
    if p.issues.fatal() or (bad.any() and not skip_invalid) or (p.n == 0 and p.issues.errors):
        return _reject(store, "registry", path, p.raw, p.issues, errors_path)
    # the registry columns map onto enterprise fields; uscc was normalised above
    p.cols["uscc"] = np.array(extra.pop("uscc"), dtype=object)
    for k in ("region_code", "region_evidence"):
        p.cols[k] = np.array(extra.pop(k), dtype=object)
    keep = np.flatnonzero(~bad)
    status = "partial" if bad.any() else "loaded"

    def col(k: str, at) -> list:
        """Column ``k`` at rows ``at`` as Python values (None where empty or absent)."""
        return write_fresh.column(p.cols[k], pa.string(), at).to_pylist() if k in p.cols else [None] * len(at)
    with store.begin() as conn:
        codes = list(p.cols["uscc"])
        loose = np.array([i for i, c in enumerate(codes) if not c], np.int64)
        if len(loose):                                 # rows without USCC: the enterprise their 曾用名 names
            got = [None] * len(loose)
            resolve.fill_from_former_names(conn, col("name", loose), got, col("former_names", loose))
            for i, c in zip(loose, got):
                codes[i] = c
        p.cols["uscc"] = np.array(codes, dtype=object)
        keep, superseded = latest_rows(keep, codes, col("name", np.arange(p.n)))
        known = resolve.before(conn, codes)
        batch = new_batch_id(store, conn)
        step("write", 0, len(keep))
        res = Result("registry", str(path), status, rows=p.n, skipped=int(bad.sum()) + superseded, batch_id=batch,
                     issues=p.issues, progress=step)
        cols = dict(extra)
        for k in ("entity_type", "legal_rep", "address"):
            if k in p.cols:
                cols[k] = p.cols[k]
        cols["region_evidence"] = p.cols.pop("region_evidence")
        fresh = store.next_id(conn, "enterprise")          # ids from here on are created by this import
        # firms new to the store are written column-wise (ingest.write_fresh); the others row by row, their
        # mapping looked up in the import memo by what mapping.compute reads back
        fast = (write_fresh.fresh_mask(p.cols["uscc"][keep], np.array(col("name", keep), object),
                                       write_fresh.stored_usccs(store, conn)) if COLUMNWISE else np.zeros(len(keep), bool))
        slow = keep[~fast]
        remember_rows(zip(col("name", slow), col("entity_type", slow), [extra["registered_capital"][i] for i in slow],
                          col("business_scope", slow), [None] * len(slow), [None] * len(slow)),
                      [kept[i] for i in slow])
        made = write_enterprises(store, conn, p, keep, batch, None, res, extra_cols=cols, fresh=fast, mapped=kept)
        del kept, cols                                  # (kept was emptied as the new firms' mappings were written)
        dates = _dates(p.cols["status_date"].take(pa.array(slow)) if "status_date" in p.cols else None, len(slow))
        recs = [{"uscc": p.cols["uscc"][i], "name": nm, "address": ad, "status": st, "status_date": d,
                 "former_names": fn, "parent_uscc": pu, "parent_name": pn, "is_branch": extra["is_branch"][i]}
                for i, nm, ad, st, d, fn, pu, pn in zip(
                    slow, col("name", slow), col("address", slow), col("status", slow), dates, col("former_names", slow),
                    col("parent_uscc", slow), col("parent_name", slow))]
        stats = resolve.apply(store, conn, recs, known, batch, fresh_from=fresh)
        del recs
        if made is not None:
            at = keep[made.pos]
            got = resolve.apply_fresh(store, conn, {
                "name": col("name", at), "status": col("status", at),
                "status_date": _dates(p.cols["status_date"].take(pa.array(at)) if "status_date" in p.cols else None,
                                      len(at)),
                "former_names": col("former_names", at), "parent_uscc": col("parent_uscc", at),
                "parent_name": col("parent_name", at), "is_branch": [extra["is_branch"][i] for i in at]},
                made.ids, batch)
            stats = {k: stats[k] + got[k] for k in stats}
        res.extra["registry"] = stats
        log_batch(store, conn, batch, "registry", str(path), len(keep), status,
                  f"{res.summary_en()}; warnings {len(p.issues.warnings)}")
    step("write", len(keep), len(keep))
    if errors_path and p.issues.items:
        write_error_file(errors_path, p.raw, p.issues,
                         rows=np.array(sorted({i.index for i in p.issues.items if i.index is not None}), np.int64))
        res.error_file = str(errors_path)
    return res
