"""`jixiao lint` at scale (issue 17 item 7): one filing of 20,000 indicators, and 10,000 filings
in one JSON Lines file.

    .venv/bin/python benchmarks/bench_lint.py [--runs 3] [--indicators 20000] [--filings 10000]

Inputs are synthetic filings (benchmarks/synth.py, the shipped vocabulary): the 20,000-indicator
filing joins the indicators of as many synthetic filings as it takes (real names, their
spellings and qualifiers, all nine 二级 categories); the JSON Lines file holds --filings synthetic
filings (about 15 indicators each).  Each figure is a whole `jixiao lint FILE` process, the
median of --runs, with its peak RSS.  The issue's goal: each under 10 s.  Also timed: the
duplicate check alone (engine.near_duplicates) on the 20,000 names, and on hostile tables of
20,000 names that defeat blocking (numbered, sharing half their text, all near each other).

Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import synth                                     # noqa: E402
from measure import bench_env, jixiao_cmd, machine, run, shown  # noqa: E402


def one_big_filing(n: int) -> dict:
    inds: list[dict] = []
    first = None
    for f in synth.filings(n // 10 + 10, seed=17):
        first = first or f
        inds.extend(f["indicators"])
        if len(inds) >= n:
            break
    return {**first, "name": f"{n} 个指标的大表", "indicators": inds[:n]}


def hostile(n: int) -> dict[str, list[str]]:
    rnd = random.Random(3)
    return {
        "numbered": [f"受益人口数量{i:05d}" for i in range(n)],
        "same half": ["服务对象满意度调查" + "".join(rnd.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(9)) for _ in range(n)],
        "all near": ["项" * 30 + chr(0x4E00 + i) for i in range(n)],
        "long, same half": ["服务对象满意度调查问卷统计分析报告" + "".join(rnd.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(17))
                            for _ in range(n)],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--indicators", type=int, default=20_000)
    ap.add_argument("--filings", type=int, default=10_000)
    args = ap.parse_args()
    print(f"bench_lint ({machine()})")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big = one_big_filing(args.indicators)
        one = folder / "one.json"
        one.write_text(json.dumps(big, ensure_ascii=False), encoding="utf-8")
        many = folder / "many.jsonl"
        synth.write_jsonl(many, args.filings, seed=18)
        env = bench_env()
        for label, path in ((f"1 张表、{len(big['indicators'])} 个指标", one),
                            (f"{args.filings} 张表（JSON Lines）", many)):
            cmd = [*jixiao_cmd(), "lint", str(path)]
            figures = [run(cmd, env, check=False) for _ in range(args.runs)]
            secs = statistics.median(f[0] for f in figures)
            rss = max(f[1] for f in figures)
            print(f"  lint {label}: {secs:.2f} s (median of {args.runs}), peak RSS {rss:.0f} MB"
                  f"   [{shown(cmd[:-1])} FILE]")

        from jixiao.corpus.textkeys import unpunctuated_name
        from jixiao.engine.near_duplicates import earlier_duplicates

        tables = {"synthetic names": [unpunctuated_name(i["name"]) for i in big["indicators"]], **hostile(args.indicators)}
        for label, keys in tables.items():
            groups = [i % 5 for i in range(len(keys))]
            t = time.perf_counter()
            found = earlier_duplicates(keys, groups, 90)
            print(f"  duplicate check, {len(keys)} names ({label}): {time.perf_counter() - t:.2f} s, "
                  f"{sum(a is not None for a in found)} lines repeat an earlier one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
