"""Draw held-out part N ≥ 4 (#19): rows of the shared exports 2000–2003 that no earlier label used (by USCC and name).

    python scripts/draw_heldout.py N OUTDIR [RANDOM PER_CHAIN LABELLERS]

Run once per part from the project root (it reads the shared exports, which the project never reads at run or
test time): 200 random rows + up to 40 per chain whose name or first 30 scope characters hold one of the chain's
product words (the words of scripts/draw_heldout3.py), seed 20261205 + N, shuffled; split for two labellers
with 200 rows in common (agreement). Rows of every earlier label file are excluded (tune, heldout1 … heldout
N−1, labels.csv, jiangxi_sample.csv). Parts 4–6 used the defaults (200 random, 40 per chain, two
labellers); part 7 was drawn larger (300 random, 150 per chain, four labellers, each quarter shared
50 rows with the next labeller) so that its chain ECE carries less sampling noise. Each part is drawn before its model was frozen, kept outside the
repository until it was, labelled by reading only (mapping guide), committed before any prediction on it.
"""
import csv, glob, os, random, re, sys

PART = int(sys.argv[1])
OUT = sys.argv[2]
RANDOM, PER_CHAIN, LABELLERS = (int(x) for x in (sys.argv[3:6] if len(sys.argv) > 5 else (200, 40, 2)))
used_u, used_n = set(), set()
earlier = [f for f in glob.glob("tests/fixtures/registry/labelled/*.csv")
           if not re.fullmatch(r"heldout(\d+)\.csv", os.path.basename(f))
           or int(re.fullmatch(r"heldout(\d+)\.csv", os.path.basename(f)).group(1)) < PART]
for f in earlier + ["tests/fixtures/registry/labels.csv", "tests/fixtures/registry/jiangxi_sample.csv"]:
    for r in csv.DictReader(open(f, encoding="utf-8-sig")):
        used_u.add((r.get("uscc") or r.get("统一社会信用代码") or "").strip())
        used_n.add((r.get("name") or r.get("企业名称") or "").strip())
rows, seen = [], set()
for y in ("2000", "2001", "2002", "2003"):
    path = f"/work/shared/data/registry-jiangxi/{y}.csv"
    for i, r in enumerate(csv.DictReader(open(path, encoding="utf-8-sig")), start=2):
        u, n = r["统一社会信用代码"].strip(), r["企业名称"].strip()
        if u in used_u or n in used_n or not r["经营范围"].strip() or (u, n) in seen:
            continue
        seen.add((u, n))
        r["source"] = f"shared/data/registry-jiangxi/{y}.csv:{i}"
        rows.append(r)
print("candidates", len(rows))
rng = random.Random(20261205 + PART)
pick = rng.sample(rows, RANDOM)
taken = {r["source"] for r in pick}
CHAIN_WORDS = {
    "EI": "电子|线路板|LED|半导体|元器件|光电|电容|传感器|软件开发", "NF": "铜|钨|稀土|铝型材|有色金属|锂|钽|电缆|硬质合金",
    "EQ": "机械|机床|电机|汽车配件|汽车零部件|变压器|泵|阀门|轴承|模具|仪表", "NE": "锂电|电池|光伏|太阳能|储能|硅片|新能源",
    "PC": "化工|塑料|橡胶|涂料|化肥|农药|有机硅|树脂", "BM": "水泥|陶瓷|玻璃|混凝土|建材|石材|耐火|砖",
    "ST": "钢|铁|焦|冶金|钢丝|钢结构|废钢", "AV": "航空|飞机|直升机|无人机|机场",
    "FD": "食品|米业|大米|油脂|茶|酒|饮料|肉|饲料|养殖|种植", "TX": "纺织|服装|服饰|针织|棉|鞋|羽绒|制衣",
    "PH": "药|医疗器械|医药|中药|生物制品", "FN": "家具|木业|木材|竹|板业|门业",
}
for r in pick:
    r["drawn"] = "random"
for ch, words in CHAIN_WORDS.items():
    rx = re.compile(words)
    pool = [r for r in rows if r["source"] not in taken and rx.search(r["企业名称"] + r["经营范围"][:30])]
    for r in rng.sample(pool, min(PER_CHAIN, len(pool))):
        taken.add(r["source"]); r["drawn"] = f"chain-words:{ch}"; pick.append(r)
rng.shuffle(pick)
print("drawn", len(pick))
n = len(pick)
if LABELLERS == 2:
    half = n // 2
    parts = {"all": range(n), "a": list(range(0, half)) + list(range(half, half + 100)),
             "b": list(range(half, n)) + list(range(0, 100))}
else:        # labeller i owns quarter i and also labels the first 50 rows of quarter i+1 (ring)
    cuts = [n * i // LABELLERS for i in range(LABELLERS + 1)]
    parts = {"all": range(n)}
    for i in range(LABELLERS):
        nxt = (i + 1) % LABELLERS
        parts["abcdefgh"[i]] = list(range(cuts[i], cuts[i + 1])) + list(range(cuts[nxt], cuts[nxt] + 50))
for part, idx in parts.items():
    with open(f"{OUT}/drawn_{part}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["k", "uscc", "name", "entity_type", "capital", "business_scope", "source", "drawn"])
        for k in idx:
            r = pick[k]
            w.writerow([k, r["统一社会信用代码"].strip(), r["企业名称"].strip(), r["企业类型"], r["注册资金"],
                        r["经营范围"].strip(), r["source"], r["drawn"]])
