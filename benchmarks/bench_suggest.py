"""Answer times on the shipped catalogue: `jixiao --help`, a cold `jixiao suggest`, warm per project.

    .venv/bin/python benchmarks/bench_suggest.py [--runs 11] [--projects 1000]

All figures are whole processes of the installed `jixiao` command on the shipped default
catalogue (built once beforehand in a temp folder, with its index), medians of --runs:

  --help    `jixiao --help`, alternately with `python -c pass` (issue 8 target ≤ 0.1 s);
  cold      `jixiao suggest 政务服务热线运行维护 --format json`, alternately with the reference
            `python -c "import jieba, numpy; jieba.lcut('政务服务热线运行维护')"`, and their
            ratio (target ≤ 0.5);
  warm      `jixiao suggest --from P.jsonl --format jsonl` on --projects synthetic projects
            (benchmarks/synth.py) and on the first of them alone; warm time per project =
            (T(n) − T(1)) / (n − 1), the median over --runs of that difference (target ≤ 5 ms).

Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth                                     # noqa: E402
from measure import alternate, bench_env, jixiao_cmd, machine, median_ms, run, shown  # noqa: E402

QUERY = "政务服务热线运行维护"
REFERENCE = f"import jieba, numpy; jieba.lcut('{QUERY}')"


def write_projects(path: Path, filings: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for f in filings:
            fh.write(json.dumps({k: f[k] for k in ("name", "description", "budget", "year", "department")},
                                ensure_ascii=False) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--projects", type=int, default=1000)
    ap.add_argument("--skip", default="", help="comma-separated: help,cold,warm")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    work = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    try:
        env = bench_env(JIXIAO_DB=str(work / "catalogue.db"))
        jx = jixiao_cmd()
        run(jx + ["suggest", QUERY, "--format", "json"], env)        # builds catalogue and index
        print(f"jixiao on the shipped catalogue ({machine()}), medians of {args.runs} runs")

        if "help" not in skip:
            cmds = [jx + ["--help"], [sys.executable, "-c", "pass"]]
            t_help, t_pass = alternate(cmds, args.runs, env)
            print(f"  --help   {median_ms(t_help):7.0f} ms   (python -c pass {median_ms(t_pass):.0f} ms; "
                  f"target ≤ 100 ms)\n           command: {shown(cmds[0])}")

        if "cold" not in skip:
            cmds = [jx + ["suggest", QUERY, "--format", "json"], [sys.executable, "-c", REFERENCE]]
            t_ours, t_ref = alternate(cmds, args.runs, env)
            ratios = [a / b for a, b in zip(t_ours, t_ref)]
            print(f"  cold     {median_ms(t_ours):7.0f} ms   reference {median_ms(t_ref):.0f} ms, ratio "
                  f"{statistics.median(ratios):.2f} (median of paired ratios; target ≤ 0.50)\n"
                  f"           command: {shown(cmds[0])}\n"
                  f"           reference: python -c \"{REFERENCE}\"")
            _, rss, _ = run(cmds[0], env)
            print(f"           peak RSS {rss:.0f} MB")

        if "warm" not in skip:
            filings = list(synth.filings(args.projects, seed=11))
            many, one = work / "projects.jsonl", work / "one.jsonl"
            write_projects(many, filings)
            write_projects(one, filings[:1])
            cmds = [jx + ["suggest", "--from", str(p), "--format", "jsonl", "-o", str(work / f"{p.stem}.out.jsonl")]
                    for p in (many, one)]
            t_many, t_one = alternate(cmds, args.runs, env)
            per = [(a - b) / (args.projects - 1) * 1000 for a, b in zip(t_many, t_one)]
            _, rss, _ = run(cmds[0], env)
            print(f"  warm     {statistics.median(per):7.2f} ms per project over {args.projects} projects "
                  f"(T(n) {median_ms(t_many) / 1000:.2f} s − T(1) {median_ms(t_one) / 1000:.2f} s; target ≤ 5 ms)\n"
                  f"           command: {shown(cmds[0]).replace(str(work), '$TMP')}\n"
                  f"           peak RSS {rss:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
