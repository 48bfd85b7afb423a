"""The differencing attacker's kit: the demo with one user per role, what each role can fetch
(:class:`Seen`, :func:`fetch`), and the attack itself (:func:`attack`, :func:`month_differences`).

The tests are in ``test_disclosure_attack.py`` (the attacks, and the whole-system linear audit),
``test_disclosure_rule.py`` (the rule on hand cases) and ``test_disclosure_routes.py`` (every JSON
route attacked or explained). What the attacker does and what it found: ``test_disclosure_attack.py``.
"""

from __future__ import annotations

import collections
import os

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from chainbrain.analytics import suppression, suppression_focus, suppression_periods
from chainbrain.analytics.advantage.data import latest_year
from chainbrain.analytics.kpi import latest_period
from chainbrain.demo.build import build_demo
from chainbrain.store import open_store
from chainbrain.web import create_app
from chainbrain.periods import parse_period
from chainbrain.web.users import add_user

SCOPES = ("all", "manufacturing")
#: CHAINBRAIN_ATTACK_FULL=1: every city's counties and every chain page (slow: ~20 min on 2 cores);
#: by default the role's own city (all its counties) and three chain pages, for both scopes
FULL = os.environ.get("CHAINBRAIN_ATTACK_FULL", "") not in ("", "0")
SUMS = {"revenue_ytd_yuan": "cur", "comparable_current_yuan": "cc", "comparable_base_yuan": "cb",
        "revenue_ytd_prev_yuan": "prev"}
COUNTS = {"cur": "above_scale_count", "cc": "comparable_count", "cb": "comparable_count", "prev": "prev_count",
          "base": "target_base_count"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("attack") / "tiny.duckdb")
    store = open_store(db)
    try:
        build_demo(store, scale="tiny", seed=2023)
        with store.engine.connect() as conn:
            q = lambda sql: conn.execute(sa.text(sql)).all()                       # noqa: E731
            # a city and one of its counties with many enterprises; an enterprise in that county; a chain
            county, city = q("SELECT e.region_code, r.prefecture_code FROM enterprise e JOIN region r "
                             "ON r.code = e.region_code GROUP BY 1, 2 ORDER BY COUNT(*) DESC, 1 LIMIT 1")[0]
            uscc = q(f"SELECT uscc FROM enterprise WHERE region_code = '{county}' AND uscc IS NOT NULL "
                     "ORDER BY id LIMIT 1")[0][0]
            chain = q("SELECT code FROM chain ORDER BY code LIMIT 1")[0][0]
            period = latest_period(store)
            ids = lambda sql: frozenset(int(r[0]) for r in q(sql))                 # noqa: E731
            # what each role sees individually, from the role definitions (DESIGN.md §4), not the policy code
            sees = {
                None: frozenset(), "viewer": frozenset(),
                "ent": ids(f"SELECT id FROM enterprise WHERE uscc = '{uscc}'"),
                "county": ids(f"SELECT id FROM enterprise WHERE region_code = '{county}'"),
                "city": ids(f"SELECT e.id FROM enterprise e JOIN region r ON r.code = e.region_code "
                            f"WHERE r.prefecture_code = '{city}'"),
                "chain": ids("SELECT es.enterprise_id FROM enterprise_segment es JOIN segment_chain sc "
                             f"ON sc.segment_code = es.segment_code WHERE sc.chain_code = '{chain}' "
                             "AND (es.valid_to IS NULL OR es.valid_to > CURRENT_DATE)"),
            }
            cities = [r[0] for r in q("SELECT code FROM region WHERE level = 'prefecture' ORDER BY code")]
            counties = {c: [r[0] for r in q(f"SELECT code FROM region WHERE prefecture_code = '{c}' "
                                            "AND level = 'county' ORDER BY code")] for c in cities}
            chains = [r[0] for r in q("SELECT code FROM chain ORDER BY code")]
        users = {"viewer": ("viewer", {}), "ent": ("enterprise", {"uscc": uscc}),
                 "county": ("county", {"region": county}), "city": ("city", {"region": city}),
                 "chain": ("chain_office", {"chain": chain}), "admin": ("province_admin", {})}
        for name, (role, scope) in users.items():
            add_user(store, name, f"pw-{name}-123456", role, **scope)
        truth = suppression.universe(store, period, breakdowns=True)    # everything the attacker may know
        published = suppression.universe(store, period)                 # the cells of the published pattern
        # other periods a viewer can request with cells identical to this period's (prev = last
        # year's cur, base = the base year's cur) or differing by one month of flows
        p = parse_period(period)
        others = {"y-1": p.shifted(-1).label, "m-1": f"{p.year}-{p.month - 1:02d}" if p.month > 2 else None}
        by = suppression._target_base_year(store)
        others["base"] = p.shifted(by - p.year).label if by is not None and by < p.year - 1 else None
        others = {t: x for t, x in others.items() if x}
        family = {x.ytd_label: suppression.universe(store, x.ytd_label)
                  for x in suppression_periods.family(store, p)}
        month_before = {others["m-1"]: suppression.universe(store, others["m-1"])} if "m-1" in others else {}
        own = {t: (family.get(x) or month_before[x]) for t, x in others.items()}
        cross = merged(truth, *(tagged(own[t], t) for t in others))
        cross.revised = frozenset().union(truth.revised, *(u.revised for u in own.values()))
        cross.relations += identities(cross)
        focus_year = latest_year(store)
        focus = suppression_focus.universe(store, focus_year)           # the focus pages' annual cells
        truth = merged(truth, focus)
    finally:
        store.close()
    app = create_app(db, public_aggregates=True)
    focus_regions = sorted({(k[1], k[2]) for k in focus.sets if k[1] != "province"}, key=str)
    return {"app": app, "sees": sees, "period": period, "cities": cities, "counties": counties,
            "chains": chains, "truth": truth, "published": published, "focus": focus, "others": others,
            "cross": merged(cross, focus), "family": family, "month_before": month_before, "base_year": by,
            "focus_regions": focus_regions,
            "attacked_cities": [city] + ([c for c in cities if c != city] if FULL else []),
            "attacked_chains": [chain] + [c for c in chains if c != chain][:None if FULL else 1]}


def merged(*us):
    """One universe of several (their cells are disjoint)."""
    out = suppression.Universe(us[0].period, revised=frozenset().union(*(u.revised for u in us)))
    for u in us:
        out.sets.update(u.sets)
        out.values.update(u.values)
        out.relations += u.relations
    return out


def tag(k, t):
    return (f"{k[0]}@{t}",) + tuple(k[1:])


def tagged(u, t):
    """Universe ``u`` of another period, its cells named measure@t (t: y-1, m-1, base)."""
    return suppression.Universe(u.period, sets={tag(k, t): v for k, v in u.sets.items()},
                                values={tag(k, t): v for k, v in u.values.items()},
                                relations=[suppression.Relation(tag(r.parent, t), tuple(tag(k, t) for k in r.children),
                                                                r.residual) for r in u.relations])


def identities(u) -> list:
    """The same sum in two periods: prev = cur@y-1, base = cur@base, base@y-1 = base (as relations
    parent = child + rest, the rest being the enterprises in one of them only)."""
    out = []
    for k in list(u.sets):
        m = k[0]
        for a, b in (("prev", "cur@y-1"), ("base", "cur@base"), ("base@y-1", "base")):
            if m == a and (b,) + k[1:] in u.sets:
                x, y = u.sets[k], u.sets[(b,) + k[1:]]
                out.append(suppression.Relation(k, ((b,) + k[1:],), x ^ y))
    return out


def client(app, name):
    c = TestClient(app)
    if name:
        r = c.post("/api/login", json={"username": name, "password": f"pw-{name}-123456"})
        assert r.status_code == 200, r.text
    return c


# ---------------------------------------------------------------- what a role can fetch
class Seen:
    """Cell → value shown (None: withheld), with the page it came from; consistency across pages."""

    def __init__(self):
        self.values: dict = {}
        self.where: dict = {}
        self.counts: dict = {}
        self.clashes: list = []

    def put(self, cell, value, page, count=None):
        if cell in self.values and (self.values[cell] is None) != (value is None):
            self.clashes.append((cell, self.where[cell], page))
        if cell not in self.values or value is not None:
            self.values[cell], self.where[cell] = value, page
        if count is not None:
            self.counts[cell] = count

    def record(self, rec, chain, region, scope, page):
        for f, m in SUMS.items():
            if f in rec:
                self.put((m, chain, region, scope), rec[f], page, rec.get(COUNTS[m]))
        path, rate = rec.get("target_path_yuan"), rec.get("target_annual_rate")
        if "target_path_yuan" in rec and rate is not None and rec.get("target_base_year"):
            base = None if path is None else path / (1 + rate) ** (int(rec["period"][:4]) - rec["target_base_year"])
            self.put(("base", chain, region, scope), base, page, rec.get("target_base_count"))
        # a growth rate and one side of it give the other side back
        for f, (a, b) in (("yoy_comparable", ("cc", "cb")), ("yoy_naive", ("cur", "prev"))):
            g = rec.get(f)
            if g is None:
                continue
            ka, kb = (a, chain, region, scope), (b, chain, region, scope)
            va, vb = self.values.get(ka), self.values.get(kb)
            if va is not None and vb is None:
                self.derived[kb] = va / (1 + g)
            if vb is not None and va is None:
                self.derived[ka] = vb * (1 + g)

    def state(self, cell, shown: bool, page):
        """A figure computed from ``cell``'s sum (not the sum itself) is shown or withheld here."""
        self.put(cell, "shown" if shown else None, page)

    def rate(self, cells, page):
        """A ratio or growth rate of ``cells``' sums is shown: none of them may be a small cell."""
        for k in cells:
            self.rates.setdefault(k, page)
            if k in self.values and self.values[k] is None:
                self.clashes.append((k, self.where[k], page + " (rate)"))

    def operations(self, op, chain, region, scope, page):
        """/api/operations: totals take the KPI cell's state; sizes show revenue; divisions, groups and
        rankings show rates of their cells (their comparable sums, or current sums for margins)."""
        tb = {t["id"]: t for t in op["tables"]}
        g = lambda grp, m: ("ops", m, grp, chain, region, scope)             # noqa: E731
        for r in tb["summary"]["rows"]:
            if r["n"] and r["n"] == op["enterprises"] and r["key"] in ("gross_output", "sales_output", "cost",
                                                                        "main_business_revenue", "assets"):
                self.state(("cur", chain, region, scope), r["value"] is not None, page + " summary")
        for r in tb["sizes"]["rows"]:
            grp = f"size:{r['key']}"
            if r["enterprises"]:
                self.put(g(grp, "cur"), r["revenue"], page + " sizes", r["enterprises"])
            if r.get("profit_margin") is not None:
                self.rate([g(grp, "cur")], page + " sizes")
            for f in ("revenue_yoy", "value_added_yoy"):
                if r.get(f) is not None:
                    self.rate([g(grp, "cc"), g(grp, "cb")], page + " sizes")
        for r in tb["divisions"]["rows"]:
            grp = f"div:{r['key']}"
            if r.get("profit_margin") is not None:
                self.rate([g(grp, "cur")], page + " divisions")
            for f in ("revenue_yoy", "value_added_yoy"):
                if r.get(f) is not None:
                    self.rate([g(grp, "cc"), g(grp, "cb")], page + " divisions")
        for r in tb["groups"]["rows"]:
            grp = f"grp:{r['key']}"
            if r.get("share") is not None:
                self.rate([g(grp, "cur")], page + " groups")
            for f in ("va_yoy", "rev_yoy"):
                if r.get(f) is not None:
                    self.rate([g(grp, "cc"), g(grp, "cb")], page + " groups")
        for tid in ("city_rank", "county_rank"):
            for r in tb[tid]["rows"] if tid in tb else []:
                if r.get("value") is not None:
                    self.rate([("cc", chain, r["key"], scope), ("cb", chain, r["key"], scope)], page + " " + tid)

    def focus(self, d, page):
        """/api/focus/{region}: every evidence item's revenue (a cell), share of the province
        (cell ÷ column total) and RCA (cell ÷ row total ÷ (column ÷ grand total)) — products the
        attacker solves for the one unknown factor."""
        level, region = d["level"], d["region"]["code"]
        col = lambda j: suppression_focus.cell("province", None, j)       # noqa: E731
        for it in d["attack"] + d["breakthrough"]:
            ev, j = it["evidence"], it["segment"]
            c = suppression_focus.cell(level, region, j)
            if not ev.get("enterprises"):
                continue
            self.put(c, ev["revenue_yuan"], page, ev["enterprises"])
            if ev.get("share_of_province") is not None:
                self.facts.append((c, col(j)))
            if ev.get("rca") is not None:
                self.facts.append((c, suppression_focus.cell(level, region, None), col(j), col(None)))

    def merge(self, other: "Seen", t: str):
        """What the role fetched for another period, its cells named measure@t."""
        for k, v in other.values.items():
            self.put(tag(k, t), v, f"{other.where[k]} @{t}", other.counts.get(k))
        self.derived.update({tag(k, t): v for k, v in other.derived.items()})
        for k, page in other.rates.items():
            self.rates.setdefault(tag(k, t), f"{page} @{t}")

    derived: dict
    heat: dict
    rates: dict
    facts: list


def fetch(app, name, d, period=None, light=False) -> Seen:
    """What role ``name`` fetches for ``period`` (default: the newest); ``light``: the cockpit only
    (province and the role's city: their cities, counties and chains), for the other periods."""
    seen = Seen()
    seen.derived, seen.heat, seen.rates, seen.facts = {}, {}, {}, []
    c = client(app, name)
    period = period or d["period"]
    try:
        def get(url, **params):
            r = c.get(url, params={"period": period, **params})
            assert r.status_code == 200, (name, url, params, r.status_code, r.text[:300])
            return r.json()

        for scope in SCOPES:
            for city in (None, d["attacked_cities"][0]):
                page = f"cockpit {city} {scope}"
                ck = get("/api/cockpit", scope=scope, **({"region": city} if city else {}))
                seen.record(ck["kpi"], None, city, scope, page)
                for u in ck["cities"]:
                    seen.record(u, None, u["key"], scope, page)
                for u in ck["counties"]:
                    seen.record(u, None, u["key"], scope, page)
                for u in ck["chains"]:
                    seen.record(u, u["key"], city, scope, page)
                for t in ck.get("targets") or []:
                    if t.get("kind") == "growth" and t.get("indicator", "revenue") == "revenue" and \
                            (t.get("actual") is not None or "actual" in (t.get("suppressed") or [])):
                        seen.put(("cur", None, city, scope), t.get("actual"), page + " target")
            if light:
                continue
            for u in get("/api/chains", scope=scope)["chains"]:
                seen.record(u, u["key"], None, scope, f"chains {scope}")
            for code in d["attacked_chains"]:
                page = f"chain {code} {scope}"
                ch = get(f"/api/chains/{code}", scope=scope)
                seen.record(ch["kpi"], code, None, scope, page)
                for u in ch["cities"]:
                    seen.record(u, code, u["key"], scope, page)
                for s in ch["segments"]:
                    if s["above_scale_count"]:
                        seen.put(("seg", code, s["code"], scope), s["revenue_ytd_yuan"], page, s["above_scale_count"])
                    seen.heat.setdefault((code, scope, s["level"]), []).append(
                        (s["code"], s["revenue_ytd_yuan"], s["heat"]))
            for city in d["attacked_cities"]:
                for county in [city] + d["counties"][city]:
                    page = f"region {county} {scope}"
                    rg = get(f"/api/regions/{county}", scope=scope)
                    seen.record(rg["kpi"], None, county, scope, page)
                    for u in rg["chains"]:
                        seen.record(u, u["key"], county, scope, page)
                    for u in rg["counties"]:
                        seen.record(u, None, u["key"], scope, page)
            k = get("/api/kpi", scope=scope, chain=d["chains"][0], region=d["attacked_cities"][0])
            seen.record(k, d["chains"][0], d["attacked_cities"][0], scope, "kpi")
            # 运行分析: province and the role's city (with and without the role's chain), the city's counties
            city, chain = d["attacked_cities"][0], d["attacked_chains"][0]
            places = [(None, None), (None, chain), (city, None), (city, chain)]
            places += [(x, None) for c in d["attacked_cities"] for x in d["counties"][c]]
            places += [(c, None) for c in d["attacked_cities"][1:]]
            for region, ch in places:
                op = get("/api/operations", scope=scope, **({"region": region} if region else {}),
                         **({"chain": ch} if ch else {}))
                seen.operations(op, ch, region, scope, f"operations {region} {ch} {scope}")
        # 找准主攻点、突破点: every city and county of the focus year, every item (top=100)
        for _level, region in [] if light else d["focus_regions"]:
            r = c.get(f"/api/focus/{region}", params={"top": 100})
            assert r.status_code == 200, (name, region, r.status_code, r.text[:300])
            seen.focus(r.json(), f"focus {region}")
    finally:
        c.close()
    return seen


# ---------------------------------------------------------------- the attack
def attack(seen: Seen, truth, visible: frozenset) -> list[tuple]:
    """Leaks: (cell or relation, unseen enterprises it is built from, how it was obtained)."""
    unseen = {k: v - visible for k, v in truth.sets.items()}
    known = {k for k, v in seen.values.items() if v is not None} | set(seen.derived)
    known |= {k for k, v in unseen.items() if not v}              # the role sees all of them anyway
    leaks = []
    for k in seen.derived:                                         # a withheld sum given back by a growth rate
        if k in seen.values and seen.values[k] is None and 0 < len(unseen.get(k, ())) < 3:
            leaks.append((k, len(unseen[k]), "growth rate"))
    for (chain, scope, _level), segs in getattr(seen, "heat", {}).items():   # heat = revenue ÷ the level's max
        ratios = [rev / h for _, rev, h in segs if rev and h]
        if not ratios:
            continue
        for code, rev, _ in segs:
            k = ("seg", chain, code, scope)
            if rev is None and truth.values.get(k) == pytest.approx(ratios[0], rel=1e-9) \
                    and 0 < len(unseen.get(k, ())) < 3:
                leaks.append((k, len(unseen[k]), "heat"))
    fetched = set(seen.values)
    changed = True
    while changed:                                                 # peel: one unknown in a relation → recovered
        changed = False
        for fact in getattr(seen, "facts", ()):                    # a shown ratio of cells: one unknown → solved
            unknown = [k for k in fact if k not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                changed = True
                n = len(unseen.get(unknown[0], ()))
                if 0 < n < 3:
                    leaks.append((unknown[0], n, f"ratio with {fact[0]}"))
        for r in truth.relations:
            members = (r.parent,) + r.children
            res = r.residual - visible
            unknown = [k for k in members if k not in known] + (["rest"] if res else [])
            if len(unknown) == 1 and unknown[0] != "rest":
                known.add(unknown[0])
                changed = True
                n = len(unseen.get(unknown[0], ()))
                if 0 < n < 3:
                    leaks.append((unknown[0], n, f"relation of {r.parent}"))
            elif r.parent in known and unknown:
                built = set(res)
                for k in unknown:
                    if k != "rest":
                        built |= unseen.get(k, set())
                if "rest" in unknown:
                    # parent − Σ known children: a firm counts when its net coefficient is not 0 (in the
                    # parent and in no known child, or in a known child only) or its values differ
                    net = collections.Counter(truth.sets.get(r.parent, ()))
                    for k in r.children:
                        if k in known:
                            net.subtract(truth.sets.get(k, ()))
                    built = {e for e, c in net.items() if c} | (res & truth.revised)
                    built -= visible
                if 0 < len(built) < 3:
                    leaks.append((("Σ", tuple(unknown)), len(built), f"{r.parent} − Σ known children"))
    for k, page in getattr(seen, "rates", {}).items():            # a rate of a small cell
        n = len(unseen.get(k, ()))
        if 0 < n < 3:
            leaks.append((k, n, f"rate shown on {page}"))
    for k in known:                                                # shown outright
        n = len(unseen.get(k, ()))
        if k in fetched and seen.values.get(k) is not None and 0 < n < 3:
            leaks.append((k, n, f"shown on {seen.where[k]}"))
    return leaks


def month_differences(seen: Seen, truth, visible: frozenset) -> list[tuple]:
    """YTD(m) − YTD(m−1) of one cell shown in both months (single-month flows of the firms in both,
    an entrant's YTD, a leaver's YTD): built from the union of both months' unseen enterprises."""
    leaks = []
    for k, v in seen.values.items():
        if "@" in k[0] or v is None:
            continue
        before = tag(k, "m-1")
        if seen.values.get(before) is None:
            continue
        n = len((truth.sets.get(k, frozenset()) | truth.sets.get(before, frozenset())) - visible)
        if 0 < n < 3:
            leaks.append((("Δm", k), n, "YTD(m) − YTD(m−1)"))
    return leaks


def published_periods(demo, visible, linked=True) -> Seen:
    """Every cell of this period and of the other periods (measure@t) as the role's patterns
    publish it (a value, or None when withheld). ``linked``: the patterns computed with every
    year of the month (:mod:`chainbrain.analytics.suppression_periods`, as the web pages do);
    False: each period on its own (the rule before)."""
    fam, label = demo["family"], parse_period(demo["period"]).ytd_label
    if linked:
        pats = suppression_periods.patterns_of(fam, demo["base_year"], visible)
    else:
        pats = {x: suppression.pattern(u, visible) for x, u in fam.items()}
    for x, u in demo["month_before"].items():
        pats[x] = suppression_periods.patterns_of({x: u}, demo["base_year"], visible)[x]
    seen = Seen()
    seen.derived, seen.facts, seen.rates = {}, [], {}
    for t, x in [(None, label), *demo["others"].items()]:
        u = fam.get(x) or demo["month_before"][x]
        for cell in u.sets:
            k = cell if t is None else tag(cell, t)
            seen.put(k, None if cell in pats[x].hidden else u.values[cell], x)
    return seen
