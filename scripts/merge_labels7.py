"""Merge the four labellers' files of part 7 into heldout7.csv; Cohen's κ on the shared rows.

    python scripts/merge_labels7.py OUT.csv FOLDER


Ring: labeller i owns quarter i and also labelled the first 50 rows of quarter i+1. A shared row's
label is the quarter owner's (adjudication rule fixed before reading any disagreement); ambiguous
when either labeller marked it; labeller column "owner+other"."""
import csv, sys
D = sys.argv[2] if len(sys.argv) > 2 else "."   # folder with drawn_all.csv and labels_a–d.csv
L = "abcd"
rows = {}          # k -> {letter: row}
for x in L:
    for r in csv.DictReader(open(f"{D}/labels_{x}.csv", encoding="utf-8-sig")):
        rows.setdefault(int(r["k"]), {})[x] = r
drawn = {int(r["k"]): r for r in csv.DictReader(open(f"{D}/drawn_all.csv", encoding="utf-8"))}
n = len(drawn)
assert set(rows) == set(drawn), (len(rows), n, sorted(set(drawn) - set(rows))[:10])
cuts = [n * i // 4 for i in range(5)]
owner = {k: L[i] for i in range(4) for k in range(cuts[i], cuts[i + 1])}
chains = lambda r: {s.split("-")[0] for s in (r["segments"] or "").split("|") if s.strip()}
def kappa(pairs):
    n = len(pairs); po = sum(a == b for a, b in pairs) / n
    pa = sum(a for a, _ in pairs) / n; pb = sum(b for _, b in pairs) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0
ind, ch, diff = [], [], []
ALL = ["EI", "NF", "EQ", "NE", "PC", "BM", "ST", "AV", "FD", "TX", "PH", "FN"]
out = []
for k in sorted(drawn):
    got = rows[k]
    o = owner[k]
    r = dict(got[o])
    for c in ("uscc", "name"):
        assert r[c].strip() == drawn[k][c].strip(), (k, c)
    others = [x for x in got if x != o]
    if others:
        b = got[others[0]]
        ind.append((int(r["industrial"]), int(b["industrial"])))
        ca, cb = chains(r), chains(b)
        ch += [(int(c in ca), int(c in cb)) for c in ALL]
        if int(r["industrial"]) != int(b["industrial"]) or ca != cb:
            diff.append((k, r["industrial"], b["industrial"], sorted(ca), sorted(cb), r["ambiguous"], b["ambiguous"]))
        r["ambiguous"] = "1" if "1" in (r["ambiguous"], b["ambiguous"]) else "0"
        r["labeller"] = f"{r['labeller']}+{b['labeller']}"
    out.append(r)
print("rows", len(out), "shared", len(ind))
print("industrial kappa %.3f  row x chain kappa %.3f" % (kappa(ind), kappa(ch)))
print("disagreements", len(diff))
for d in diff:
    print("  ", d)
cols = ["uscc", "name", "entity_type", "capital", "business_scope", "industrial", "main_activity", "segments",
        "ambiguous", "note", "labeller", "source", "drawn"]
with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, cols, extrasaction="ignore"); w.writeheader(); w.writerows(out)
