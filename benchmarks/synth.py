"""Deterministic synthetic filings built from a catalogue's own vocabulary, any number of them.

    .venv/bin/python benchmarks/synth.py N OUT.jsonl [--seed 8] [--db CATALOGUE]
    .venv/bin/python benchmarks/synth.py N OUTDIR/ --files      (one .json filing per file)
    .venv/bin/python benchmarks/synth.py N OUTDIR/ --shard 5000 (JSON-lines files of 5,000 filings)

Material comes from the catalogue (default: the shipped one, built in a temp folder from the
seeds and the common-indicator library, so the figures do not depend on the user's own data):
past filings' names, departments, description sentences and indicators (一级/二级/三级, value,
basis) grouped by project type, plus the library's indicators per type.  Each synthetic filing:

  - a project type drawn with the catalogue's own type frequencies;
  - a project name = a made-up unit name (2–3 characters seen in the corpus + 县/区/局 …) and a
    name stem of a past filing of that type, so the vocabulary grows with the corpus as a real
    province's does; a department made the same way;
  - year 2019–2025, budget log-uniform 1–2,000 万元, period of that year, a description of one to
    three sentences from filings of that type with the years moved to the filing's year;
  - 8–22 indicators (about 15 on average, ≈ 1.5 M at 100,000 filings): one of each required
    二级 category first, then others, from the type's pool (its filings and its library
    entries) with a fifth from any type; numbers scaled, cost values tied to the budget,
    library placeholders ({N}) filled; every fourth name gets a unit-specific qualifier, so
    canonical merging sees new spellings as it would in real data.

The same (N, seed, catalogue) always gives the same bytes.  The output is our filing JSON (the
fields of `jixiao parse --format json`), which `jixiao ingest` and `jixiao batch` read.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import sqlite3
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REQUIRED = ("数量指标", "质量指标", "时效指标", "成本指标", "社会效益指标", "服务对象满意度指标")
OTHER = ("经济效益指标", "生态效益指标", "可持续影响指标")
_SENTENCE = re.compile(r"[。；;！!？?\n]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUM = re.compile(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?)")
_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2})(?=\s*年)")
_UNIT_SUFFIX = ("县", "区", "市", "镇", "局", "中心", "街道")
_QUALIFIER = ("全年", "本级", "辖区", "年度", "重点", "线上", "窗口", "基层")


class Material:
    """What the generator draws from, read from one catalogue."""

    def __init__(self, db_path: Path):
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = con.execute(
                "SELECT id, name, department, description, COALESCE(primary_tag, '综合业务') "
                "FROM filings WHERE kind = 'project' ORDER BY id").fetchall()
            self.types: list[str] = []
            self.stems: dict[str, list[str]] = defaultdict(list)
            self.sentences: dict[str, list[str]] = defaultdict(list)
            self.departments: list[str] = []
            chars: set[str] = set()
            tag_of: dict[int, str] = {}
            for fid, name, dept, desc, tag in rows:
                tag_of[fid] = tag
                self.types.append(tag)
                self.stems[tag].append(name)
                for s in _SENTENCE.split(desc or ""):
                    s = s.strip(" ,，、")
                    if len(s) >= 6:
                        self.sentences[tag].append(s)
                if dept:
                    self.departments.append(dept.split("、")[0])
                chars.update(_CJK.findall(name + (dept or "")))
            self.chars = sorted(chars)
            self.pool: dict[tuple[str, str], list[tuple]] = defaultdict(list)
            self.any_pool: dict[str, list[tuple]] = defaultdict(list)
            for fid, l1, l2, name, value, basis in con.execute(
                    "SELECT filing_id, level1, level2, name, value, basis FROM indicators ORDER BY id"):
                if fid in tag_of and l2:
                    item = (l1, l2, name, value or "", basis or "")
                    self.pool[(tag_of[fid], l2)].append(item)
                    self.any_pool[l2].append(item)
            for typ, l1, l2, name, value, basis in con.execute(
                    "SELECT type, level1, level2, name, value, basis FROM library ORDER BY id"):
                item = (l1, l2, name, value or "", basis or "")
                self.pool[(typ, l2)].append(item)
                self.any_pool[l2].append(item)
        finally:
            con.close()
        if not self.types:
            raise SystemExit(f"{db_path}: 指标库里没有项目申报表，无法生成合成数据")
        self.types.sort()


def shipped_material() -> Material:
    """Material from the shipped catalogue, built in a temp folder (removed afterwards)."""
    from jixiao.catalogue.ready import ensure_ready

    with tempfile.TemporaryDirectory(prefix="jixiao-synth-") as tmp:
        path = Path(tmp) / "catalogue.db"
        ensure_ready(path)
        return Material(path)


def _scale(value: str, factor: float) -> str:
    """The first number of a value scaled (rates stay within 100, 12345 stays a hotline)."""
    if "%" in value or "12345" in value or "年" in value or "月" in value:
        return value
    m = _NUM.search(value)
    if not m:
        return value
    n = float(m.group(1))
    new = f"{round(n * factor, 2):g}" if "." in m.group(1) else str(max(1, round(n * factor)))
    return value[:m.start(1)] + new + value[m.end(1):]


def _fill(value: str, rng: random.Random, budget: float, year: int, l2: str) -> str:
    """Library placeholders and cost values made concrete for this filing."""
    if "{N}" in value:
        value = value.replace("{N}", str(rng.choice((1, 2, 3, 4, 5, 6, 8, 10, 12, 20, 50, 100))))
    value = value.replace("{budget}", f"{budget:g}").replace("{year}", str(year))
    if l2 == "成本指标" and "万元" in value:
        share = rng.choice((1.0, 1.0, 0.5, 0.3, 0.2))
        return f"≤{round(budget * share, 2):g}万元"
    return value


def _move_years(text: str, year: int) -> str:
    return _YEAR.sub(lambda m: str(year if abs(int(m.group(1)) - year) > 1 else int(m.group(1))), text)


def filings(n: int, seed: int = 8, material: Material | None = None) -> Iterator[dict]:
    """n synthetic filings (dicts in our filing JSON), the same for the same arguments."""
    m = material or shipped_material()
    rng = random.Random(seed)
    for i in range(n):
        tag = rng.choice(m.types)
        unit = "".join(rng.choice(m.chars) for _ in range(rng.choice((2, 2, 3)))) + rng.choice(_UNIT_SUFFIX)
        stem = rng.choice(m.stems[tag])
        year = rng.randint(2019, 2025)
        budget = round(math.exp(rng.uniform(0.0, math.log(2000.0))), 2)
        factor = rng.uniform(0.6, 1.6)
        sentences = m.sentences.get(tag) or [s for v in m.sentences.values() for s in v] or [stem]
        description = "。".join(rng.sample(sentences, min(len(sentences), rng.choice((1, 2, 3))))) + "。"
        wanted = list(REQUIRED) + [rng.choice(REQUIRED[:4] + OTHER) for _ in range(rng.randint(2, 18))]
        indicators, seen = [], set()
        for l2 in wanted:
            pool = m.pool.get((tag, l2)) if rng.random() > 0.2 else None
            pool = pool or m.any_pool.get(l2)
            if not pool:
                continue
            l1, l2, name, value, basis = rng.choice(pool)
            if rng.random() < 0.25:
                name = rng.choice(_QUALIFIER) + name if rng.random() < 0.5 else unit[:2] + name
            if (l2, name) in seen:
                continue
            seen.add((l2, name))
            value = _fill(_move_years(_scale(value, factor), year), rng, budget, year, l2)
            indicators.append({"level1": l1, "level2": l2, "name": name, "value": value,
                               "basis": basis or None})
        yield {
            "name": f"{unit}{stem}",
            "department": f"{unit}{rng.choice(m.departments)}" if m.departments else f"{unit}财政局",
            "year": year,
            "budget": budget,
            "period": f"{year}.01.01-{year}.12.31",
            "description": _move_years(description, year),
            "kind": "project",
            "indicators": indicators,
        }


def write_jsonl(path: Path, n: int, seed: int = 8, material: Material | None = None) -> int:
    """n filings as JSON lines in `path`; returns the number of indicators written."""
    total = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for f in filings(n, seed, material):
            total += len(f["indicators"])
            fh.write(json.dumps(f, ensure_ascii=False) + "\n")
    return total


def write_shards(folder: Path, n: int, per_file: int = 5000, seed: int = 8,
                 material: Material | None = None) -> int:
    """n filings as JSON-lines files of at most per_file filings (part-0000.jsonl …) in `folder`,
    the way a province collects its counties' exports; returns the number of indicators."""
    folder.mkdir(parents=True, exist_ok=True)
    total, fh, part = 0, None, -1
    try:
        for i, f in enumerate(filings(n, seed, material)):
            if i % per_file == 0:
                if fh:
                    fh.close()
                part += 1
                fh = (folder / f"part-{part:04d}.jsonl").open("w", encoding="utf-8")
            total += len(f["indicators"])
            fh.write(json.dumps(f, ensure_ascii=False) + "\n")
    finally:
        if fh:
            fh.close()
    return total


def write_files(folder: Path, n: int, seed: int = 8, material: Material | None = None) -> list[dict]:
    """n filings, one .json file each (0000.json …) in `folder`; returns the filings."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, f in enumerate(filings(n, seed, material)):
        (folder / f"{i:06d}.json").write_text(json.dumps(f, ensure_ascii=False), encoding="utf-8")
        out.append(f)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--db", type=Path, help="take the vocabulary from this catalogue (default: the shipped one)")
    ap.add_argument("--files", action="store_true", help="one .json file per filing in the folder OUT")
    ap.add_argument("--shard", type=int, metavar="K", help="JSON-lines files of K filings each in the folder OUT")
    args = ap.parse_args()
    material = Material(args.db) if args.db else shipped_material()
    if args.files:
        made = write_files(args.out, args.n, args.seed, material)
        print(f"{len(made)} filings, {sum(len(f['indicators']) for f in made)} indicators → {args.out}/")
    elif args.shard:
        total = write_shards(args.out, args.n, args.shard, args.seed, material)
        print(f"{args.n} filings, {total} indicators → {args.out}/part-*.jsonl")
    else:
        total = write_jsonl(args.out, args.n, args.seed, material)
        print(f"{args.n} filings, {total} indicators → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
