"""Complementary suppression for the 运行分析 (operations) page's breakdown cells.

The operations page (:mod:`chainbrain.analytics.operations`, :mod:`~chainbrain.analytics.breakdowns`)
shows, for one scope (region × chain × industry scope), the scope's totals and
its breakdowns: 41 industry divisions, size classes (大/中/小/微, 未划型) and
the 高技术制造业 / 装备制造业 groups, plus city / county rankings. Its tables add
up, so they join the one suppression pattern of :mod:`chainbrain.analytics.suppression`:

**Cells.** A breakdown cell is ``("ops", m, g, chain, region, scope)`` with
``g`` = ``div:<2-digit division>`` | ``size:<class>`` | ``grp:hightech`` |
``grp:equipment`` and ``m`` = ``cur`` (current sample), ``cc`` / ``cb``
(comparable current / base: the enterprises with a revenue and a prior), each
the enterprises of the KPI cell ``(m, chain, region, scope)`` in that group on
the period end (the enterprise set of the operations figures is the KPI
cell's: the page's totals are the KPI cell itself and take its state).

**Relations** (parent = Σ children + rest, as in :mod:`suppression`):

- KPI cell (m, c, x, s) = Σ divisions (m, div:*, c, x, s) + rest;
- KPI cell = Σ size classes + rest;
- KPI cell = high-tech (resp. equipment) + rest (the ``other`` part is not published);
- region: province = Σ cities, city = Σ its counties, per (m, g, c, s);
- scope: ``all`` = ``manufacturing`` + rest, per (m, g, c, x);
- inside a record: ``cur`` = ``cc`` + entrants.

**Fields.** Every figure of an operations record is computed from the
current sums (``cur``: amounts, current ratios, turnover days, electricity),
the comparable base (``cb``: 上年同期 amounts and ratios), both comparable sums
(``cc`` and ``cb``: growth rates) or last year's sample (``prev``: last year's
turnover days, totals only); :func:`fields` withholds a figure with any sum it
depends on. A ranking row's comparable growth is the region's KPI ``cc``/``cb``
pair. Measure-specific reporting sets (e.g. the exporters among the cell's
enterprises) are not modelled as cells of their own: their primary rule stays
per figure (``<key>_n`` in 1–2, :func:`chainbrain.web.operations_page.withhold`).
"""

from __future__ import annotations

import collections

from chainbrain.analytics.operations import MEASURES as OPS_MEASURES
from chainbrain.analytics.operations import RATIOS, TURNOVER, _facts, equipment_divisions
from chainbrain.analytics.scope import SCOPES, Shared
from chainbrain.analytics.sizes import size_classes

CELL_MEASURES = ("cur", "cc", "cb")


def _dependencies() -> dict[str, tuple[str, ...]]:
    """operations record field → the sums it is computed from."""
    dep: dict[str, tuple[str, ...]] = {}
    for k in OPS_MEASURES:
        dep |= {k: ("cur",), f"{k}_base": ("cb",), f"{k}_yoy": ("cc", "cb")}
    for r in RATIOS:
        dep |= {r: ("cur",), f"{r}_base": ("cb",), f"{r}_change": ("cur", "cb")}
    dep |= {"loss_amount": ("cur",), "loss_amount_base": ("cb",), "loss_amount_yoy": ("cc", "cb")}
    for d in TURNOVER:
        dep |= {d: ("cur",), f"{d}_prev": ("prev",), f"{d}_change": ("cur", "prev")}
    dep |= {"power": ("cur",), "power_base": ("cb",), "power_yoy": ("cc", "cb"), "energy_per_va": ("cur",)}
    return dep


DEPENDS = _dependencies()


def cell(measure: str, group: str | None, chain, region, scope: str) -> tuple:
    """The cell of ``measure``: the KPI cell for the scope's total (``group`` None), else a breakdown cell."""
    return (measure, chain, region, scope) if group is None else ("ops", measure, group, chain, region, scope)


def fields(hidden, rec: dict, group: str | None, chain, region, scope: str) -> list[str]:
    """The fields of operations record ``rec`` (of ``group`` in cell chain × region × scope) that the
    pattern's ``hidden`` cells withhold, in record order."""
    gone = {m for m in CELL_MEASURES + ("prev",) if cell(m, group, chain, region, scope) in hidden}
    if not gone:
        return []
    return [f for f in rec if f in DEPENDS and gone & set(DEPENDS[f])]


def structure_fields(hidden, rec: dict, chain, region, scope: str) -> list[str]:
    """Fields of :func:`chainbrain.analytics.breakdowns.structure_of` to withhold: a group's value added
    with its ``cur``, its share with its and the total's ``cur``, its growth rates with ``cc``/``cb``."""
    total = cell("cur", None, chain, region, scope) in hidden
    out = []
    for g in ("hightech", "equipment"):
        gone = {m for m in CELL_MEASURES if cell(m, f"grp:{g}", chain, region, scope) in hidden}
        if "cur" in gone:
            out.append(f"{g}_value_added")
        if "cur" in gone or total:
            out.append(f"{g}_va_share")
        if gone & {"cc", "cb"}:
            out += [f"{g}_va_yoy", f"{g}_revenue_yoy"]
    if total:
        out.append("value_added")
    return [f for f in rec if f in out]


def rank_hidden(hidden, chain, region, scope: str) -> bool:
    """A ranking row's comparable growth (of region) is withheld with the region's ``cc`` or ``cb``."""
    return any((m, chain, region, scope) in hidden for m in ("cc", "cb"))


# ---------------------------------------------------------------- cells and relations
def _groups(store, sh: Shared, p, ids) -> dict[int, list[str]]:
    """enterprise → its breakdown keys on the period end (division, size class, high-tech, equipment)."""
    b = sh.base(p.end_date, "all").select("enterprise_id", "industry_code").execute()
    ind = store.table("industry").select("code", "hightech").execute()
    ht = {c for c, h in zip(ind.code.tolist(), ind.hightech.tolist()) if h is True or h == 1}
    equipment = set(equipment_divisions())
    f = _facts(sh, p, size_classes())
    sz = f.filter(f._in_cur.notnull()).select(e=f._eid, s=f._size).execute()
    size = {int(e): s for e, s in zip(sz.e.tolist(), sz.s.tolist())}
    out: dict[int, list[str]] = {}
    for e, ic in zip(b.enterprise_id.tolist(), b.industry_code.tolist()):
        e = int(e)
        if e not in ids:
            continue
        keys = []
        if ic:
            div = str(ic)[:2]
            keys.append(f"div:{div}")
            if ic in ht:
                keys.append("grp:hightech")
            if div in equipment:
                keys.append("grp:equipment")
        if e in size and size[e] is not None:
            keys.append(f"size:{size[e]}")
        out[e] = keys
    return out


def add_cells(store, p, u, samples: dict, where: tuple) -> None:
    """Add the breakdown cells and their relations to universe ``u`` (in place).

    ``samples``: measure → ({enterprise: revenue}, date) of :func:`suppression.universe`;
    ``where``: (located, chains) on the period end."""
    loc, chains = where
    ids = set(samples["cur"][0])
    groups = _groups(store, Shared(store, cte=False), p, ids)
    sets: dict = collections.defaultdict(set)
    values: dict = collections.defaultdict(float)
    for m in CELL_MEASURES:
        vals = samples[m][0]
        for e, v in vals.items():
            if e not in loc or e not in groups:
                continue
            scopes, regs = loc[e]
            for c in [None] + chains.get(e, []):
                for x in regs:
                    for s in scopes:
                        for g in groups[e]:
                            sets[("ops", m, g, c, x, s)].add(e)
                            values[("ops", m, g, c, x, s)] += v
    new = {k: frozenset(v) for k, v in sets.items()}
    u.sets.update(new)
    u.values.update(values)
    allsets = u.sets
    from chainbrain.analytics.suppression import Relation

    def add(parent, children):
        kids = tuple(k for k in children if k in allsets)
        if not kids:
            return
        inside = frozenset().union(*(allsets[k] for k in kids))
        u.relations.append(Relation(parent, kids, allsets.get(parent, frozenset()) - inside))

    by_parent: dict = collections.defaultdict(lambda: collections.defaultdict(list))
    for k in sorted(new, key=str):
        _, m, g, c, x, s = k
        by_parent[(m, c, x, s)][g.split(":")[0]].append(k)
    for parent in sorted(by_parent, key=str):
        fam = by_parent[parent]
        add(parent, fam.get("div", []))
        add(parent, fam.get("size", []))
        for k in fam.get("grp", []):
            add(parent, [k])
    reg = store.table("region").select("code", "level", "prefecture_code").execute()
    cities = sorted(reg.loc[reg.level == "prefecture", "code"])
    counties: dict = collections.defaultdict(list)
    for code, pc in zip(reg.loc[reg.level == "county", "code"], reg.loc[reg.level == "county", "prefecture_code"]):
        counties[pc].append(code)
    heads = sorted({(k[1], k[2], k[3], k[5]) for k in new}, key=str)
    for m, g, c, s in heads:
        add(("ops", m, g, c, None, s), [("ops", m, g, c, x, s) for x in cities])
        for city in cities:
            add(("ops", m, g, c, city, s), [("ops", m, g, c, x, s) for x in counties.get(city, [])])
    units = sorted({(k[2], k[3], k[4]) for k in new}, key=str)
    for g, c, x in units:
        for m in CELL_MEASURES:
            add(("ops", m, g, c, x, "all"), [("ops", m, g, c, x, "manufacturing")])
        for s in SCOPES:
            add(("ops", "cur", g, c, x, s), [("ops", "cc", g, c, x, s)])


__all__ = ["add_cells", "fields", "structure_fields", "rank_hidden", "cell", "DEPENDS", "CELL_MEASURES"]
