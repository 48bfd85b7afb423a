"""The firm-level audit: no combination of published figures gives a value of 1 … min_cell − 1 firms.

The cell audit (:mod:`suppression_audit`) solves the table's *relations* (region tree, scopes,
records, years) with each rest as one unknown. Figures are related in more ways than those
relations say: two chains overlap (a firm in both), a segment cuts across the regions, and a
firm's prior value reported this year is last year's value unless revised. On the province demo
the cell-audited pattern still let 523 sums of one or two firms be computed, e.g. a county's
comparable base of chain EI minus that of chain NF (the two firms in EI only), or all − manufacturing
of last year minus that of this year's comparable base (an exit). So this audit works on the firms.

**Variables.** Each published figure is a sum of firm values:

- ``cur``, ``cc``, ``seg`` of year Y, and the breakdowns' ``cur``/``cc``: v(f, Y), firm f's YTD
  value in year Y's report;
- ``prev`` of Y: v(f, Y − 1) (the previous-year sample's own reports);
- ``base``: v(f, B), B the target base year;
- ``cb`` of Y (and the breakdowns'): the prior value reported in Y — the same variable as
  v(f, Y − 1) when f reported in Y − 1 and did not revise it (``Universe.revised_by``), else a
  variable p(f, Y) of its own.

The enterprises a viewer sees individually are known and drop out. Variables that lie in exactly
the same published figures cannot be told apart: they form one *atom*, and only the atom's sum
enters the system. A figure is one equation ``Σ its atoms = its value``.

**The check.** An atom whose unseen firms number 1 … min_cell − 1 is *disclosed* when its unit
vector lies in the row space of the published figures' equations. The system splits into one
block per year (v(·, Y) with the p(·, Y + 1) that may stand for them; every figure lies in one
block), each reduced exactly over GF(2⁶¹ − 1) (:func:`suppression_audit._reduce`), with each
figure's value as an extra column after the atoms, so a disclosed atom's reduced row names the
figures that give it (its *support*) — what :func:`suppression_audit.audited` withholds from.
Sums of two separate single-firm atoms are not searched (the cell audit covers those of its own
cells and rests). Weighted figures (the focus pages' 1/n shares) are not in this system.
"""

from __future__ import annotations

import collections

from chainbrain.analytics.suppression import Universe
from chainbrain.analytics.suppression_audit import P, _reduce


def _variable(u: Universe, k: tuple, f: int, cur_of: dict):
    """The variable firm ``f`` contributes to linked cell ``k`` (None: a cell of no firm value)."""
    label = k[0]
    m = k[2] if len(k) > 2 and k[1] == "ops" else k[1]
    y = int(label[:4])
    if m in ("cur", "cc", "seg"):
        return ("v", f, y)
    if m == "prev":
        return ("v", f, y - 1)
    if m == "base":
        return ("v", f, u.base_year)
    if m == "cb":
        last = cur_of.get(y - 1)
        if last is not None and f in last and f not in u.revised_by.get(label, ()):
            return ("v", f, y - 1)
        return ("p", f, y)
    return None


def _block(var) -> int:
    return var[2] - 1 if var[0] == "p" else var[2]


def disclosed(u: Universe, hidden, visible: frozenset, min_cell: int) -> list[tuple[frozenset, set]]:
    """[(the atom's unseen firms, its support: published cells)] for every atom of 1 … min_cell − 1
    unseen firms that the published cells of linked universe ``u`` give back (module docstring)."""
    visible = visible or frozenset()
    years = {int(label[:4]): label for label in u.parts}
    cur_of: dict = {y: set() for y in years}                 # each year's sample: its ``cur`` cells' firms
    for k, ids in u.sets.items():
        if k[0] in u.parts and k[1] == "cur":
            cur_of[int(k[0][:4])].update(ids)
    cells = []
    for k, ids in u.sets.items():
        if k in hidden:
            continue
        unseen = ids - visible if visible else ids
        if unseen and _variable(u, k, next(iter(unseen)), cur_of) is not None:
            cells.append((k, unseen))
    signature: dict = collections.defaultdict(list)
    for i, (k, unseen) in enumerate(cells):
        for f in unseen:
            signature[_variable(u, k, f, cur_of)].append(i)
    atoms: dict = collections.defaultdict(list)
    for var, sig in signature.items():
        atoms[tuple(sig)].append(var)
    atom_of, firms = {}, []
    # atoms in fewer figures first: the reduction pivots on the lowest column of a row, so this is
    # a Markowitz-like order with less fill-in (2.8× faster on the province demo)
    atoms = dict(sorted(atoms.items(), key=lambda kv: len(kv[0])))
    for a, vs in enumerate(atoms.values()):
        for var in vs:
            atom_of[var] = a
        firms.append(frozenset(v[1] for v in vs))
    n = len(firms)
    blocks: dict = collections.defaultdict(list)
    for i in sorted(range(len(cells)), key=lambda i: (len(cells[i][1]), i)):
        k, unseen = cells[i]
        vars_ = [_variable(u, k, f, cur_of) for f in unseen]
        row = {atom_of[v]: 1 for v in vars_}
        row[n + i] = P - 1
        blocks[_block(vars_[0])].append(row)
    out = []
    for _, rows in sorted(blocks.items()):
        for c, r in _reduce(rows).items():
            if c < n and 0 < len(firms[c]) < min_cell and not any(j < n for j in r if j != c):
                out.append((firms[c], {cells[j - n][0] for j in r if j != c}))
    return out


__all__ = ["disclosed"]
