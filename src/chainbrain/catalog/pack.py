"""Province packs: versioned data files describing one province's program.

A pack is a folder (``chainbrain/packs/<name>`` or any path) holding
``pack.toml`` (name, version, effective date, file names), regions, chains,
segments, clusters, parks, city specializations, plan targets and demo
calibration figures, each file citing its sources. Nothing about a province
is hard-coded in Python; another province is another pack.
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from chainbrain.catalog.regions import Region, build_regions
from chainbrain.config import DEFAULT_PACK, package_dir

STAGES = ("upstream", "midstream", "downstream")
CATEGORIES = ("traditional", "advantage", "emerging", "future")


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(";") if v]


@dataclass
class Segment:
    code: str
    chain_code: str
    stage: str
    parent_code: str
    level: str
    name_zh: str
    name_en: str
    industry_codes: list[str]
    keywords: list[str]
    flags: list[str]
    also_chains: list[str] = field(default_factory=list)
    stronghold_cities: list[str] = field(default_factory=list)
    source: str = ""


@dataclass
class Chain:
    seq: int
    code: str
    name_zh: str
    name_en: str
    category: str
    source: str
    segments: list[Segment] = field(default_factory=list)


class Pack:
    """One province pack loaded from its folder."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with open(self.path / "pack.toml", "rb") as f:
            self.meta = tomllib.load(f)
        self.info = self.meta["pack"]
        self.files = self.meta["files"]

    # ---------------------------------------------------------------- basics
    @property
    def name(self) -> str:
        return self.info["name"]

    @property
    def version(self) -> str:
        return self.info["version"]

    @property
    def effective_date(self) -> dt.date:
        return dt.date.fromisoformat(self.info["effective_date"])

    @property
    def province_code(self) -> str:
        return self.info["province_code"]

    def _csv(self, key: str) -> list[dict]:
        with open(self.path / self.files[key], encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def _toml(self, key: str) -> dict:
        with open(self.path / self.files[key], "rb") as f:
            return tomllib.load(f)

    @cached_property
    def registry_keywords(self) -> list[dict]:
        """Extra product words for mapping registry firms (keyword, segment_code, source, note)."""
        return self._csv("registry_keywords") if "registry_keywords" in self.files else []

    # ---------------------------------------------------------------- regions
    @cached_property
    def regions(self) -> list[Region]:
        return build_regions(self._csv("regions"), self._csv("retired_regions"))

    @cached_property
    def region_index(self) -> dict[str, Region]:
        return {r.code: r for r in self.regions}

    def cities(self) -> list[Region]:
        return [r for r in self.regions if r.level == "prefecture" and r.status == "current"]

    def counties(self, city: str | None = None) -> list[Region]:
        return [r for r in self.regions if r.level == "county" and r.status == "current"
                and (city is None or r.parent_code == city)]

    # ---------------------------------------------------------------- chains
    @cached_property
    def segments(self) -> list[Segment]:
        return [
            Segment(r["code"], r["chain_code"], r["stage"], r["parent_code"], r["level"],
                    r["name_zh"], r["name_en"], _split(r["industry_codes"]), _split(r["keywords"]),
                    _split(r["flags"]), _split(r["also_chains"]), _split(r["stronghold_cities"]),
                    r.get("source", ""))
            for r in self._csv("segments")
        ]

    @cached_property
    def chains(self) -> list[Chain]:
        chains = [Chain(int(r["seq"]), r["code"], r["name_zh"], r["name_en"], r["category"], r["source"])
                  for r in self._csv("chains")]
        chains.sort(key=lambda c: c.seq)
        idx = {c.code: c for c in chains}
        for s in self.segments:
            idx[s.chain_code].segments.append(s)
        return chains

    def chain(self, code: str) -> Chain:
        for c in self.chains:
            if c.code == code:
                return c
        raise KeyError(code)

    @cached_property
    def clusters(self) -> list[dict]:
        segs: dict[str, list[str]] = {}
        for r in self._csv("cluster_segments"):
            segs.setdefault(r["cluster_code"], []).append(r["segment_code"])
        cities: dict[str, list[dict]] = {}
        for r in self._csv("cluster_cities"):
            cities.setdefault(r["cluster_code"], []).append({"code": r["city_code"], "role": r["role"]})
        places: dict[str, list[dict]] = {}
        for r in (self._csv("cluster_places") if "cluster_places" in self.files else []):
            places.setdefault(r["cluster_code"], []).append({"kind": r["kind"], "code": r["code"],
                                                              "source": r.get("source")})
        out = []
        for r in sorted(self._csv("clusters"), key=lambda r: int(r["seq"])):
            out.append({"code": r["code"], "seq": int(r["seq"]), "name_zh": r["name_zh"],
                        "name_en": r["name_en"], "program": r.get("program") or "1269",
                        "designated_year": int(r["designated_year"]) if r.get("designated_year") else None,
                        "segments": segs.get(r["code"], []),
                        "cities": cities.get(r["code"], []), "places": places.get(r["code"], []),
                        "source": r["source"]})
        return out

    @cached_property
    def cluster_rules(self) -> dict:
        """``clusters.toml``: star rule, scorecard, national reference profile, cluster targets (#17)."""
        return self._toml("cluster_rules") if "cluster_rules" in self.files else {}

    @cached_property
    def parks(self) -> list[dict]:
        return self._csv("parks")

    @cached_property
    def specializations(self) -> list[dict]:
        return self._csv("specializations")

    # ---------------------------------------------------------------- targets
    @cached_property
    def targets_file(self) -> dict:
        return self._toml("targets")

    @property
    def targets(self) -> list[dict]:
        band = self.targets_file.get("status", {}).get("yellow_band", 0.03)
        return [{"yellow_band": band, **t} for t in self.targets_file.get("target", [])]

    @property
    def yellow_band(self) -> float:
        return float(self.targets_file.get("status", {}).get("yellow_band", 0.03))

    @cached_property
    def calibration(self) -> dict:
        return self._toml("calibration")

    @cached_property
    def modernization(self) -> dict:
        """Fixed weights and goalposts of the modernization index (unsourced; empty when absent)."""
        return self._toml("modernization") if "modernization" in self.files else {}


def pack_path(name: str | None = None) -> Path:
    """A pack by name (bundled) or by folder path."""
    name = name or DEFAULT_PACK
    p = Path(name)
    if (p / "pack.toml").exists():
        return p
    return package_dir() / "packs" / name


def load_pack(name: str | None = None) -> Pack:
    return Pack(pack_path(name))
