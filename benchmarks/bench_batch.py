"""Throughput of `jixiao batch` on 1,000 filings, as .json drafts and as .xlsx drafts.

    .venv/bin/python benchmarks/bench_batch.py [--n 1000] [--runs 3] [--formats json,xlsx] [--profile]

The 1,000 input filings are generated deterministically by benchmarks/synth.py (the shipped
catalogue's vocabulary, years 2019–2025), one filing JSON file each.  A budgets table names
every project (a few with a slightly different spelling, a few missing).  Each timed run is a real
`python -m jixiao.cli.main batch … --force` process on a catalogue built beforehand (so start-up,
reading, carrying, suggestions for empty categories, writing and the summary are all counted);
the figure is the median of the runs.  Issue 8's targets: ≥200 filings/s json, ≥50/s xlsx; the
machine factor (benchmarks/calibrate.py, measured before and after the runs) scales them to this
machine.
--profile also runs one json batch in-process under cProfile and prints where the time goes.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

def generate(folder: Path, n: int, seed: int = 8) -> list[tuple[str, float]]:
    """n filing .json files in `folder` (benchmarks/synth.py); returns (name, next year's budget)
    for the budgets table."""
    import synth

    rng = random.Random(seed)
    return [(f["name"], round(f["budget"] * rng.uniform(0.9, 1.2), 2))
            for f in synth.write_files(folder, n, seed)]


def write_budgets(path: Path, budgets: list[tuple[str, float]]) -> None:
    rng = random.Random(9)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["项目名称", "预算金额"])
        for name, amount in budgets:
            r = rng.random()
            if r < 0.03:
                continue                                  # missing from the table
            if r < 0.08:
                name = name.replace("经费", "费")          # spelled a little differently
            w.writerow([name, amount])


def run_batch(inputs: Path, out: Path, budgets: Path, fmt: str, env: dict) -> tuple[float, list[str]]:
    cmd = [sys.executable, "-m", "jixiao.cli.main", "batch", str(inputs), "--year", "2025", "-o", str(out),
           "--budgets", str(budgets), "--format", fmt, "--force"]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"batch failed ({r.returncode}):\n{r.stderr[-2000:]}")
    return elapsed, cmd


def profile_once(inputs: Path, out: Path, budgets: Path) -> None:
    import cProfile
    import io
    import pstats

    from jixiao.cli.main import main

    prof = cProfile.Profile()
    prof.enable()
    main(["batch", str(inputs), "--year", "2025", "-o", str(out), "--budgets", str(budgets),
          "--format", "json", "--force"])
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(30)
    print(buf.getvalue())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--formats", default="json,xlsx")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temp folder)")
    args = ap.parse_args()

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        inputs = work / "filings"
        shutil.rmtree(inputs, ignore_errors=True)
        budgets = work / "budgets.csv"
        write_budgets(budgets, generate(inputs, args.n))
        import calibrate
        from measure import bench_env

        env = bench_env(JIXIAO_DB=str(work / "catalogue.db"))
        f_before = calibrate.factor()
        run_batch(inputs, work / "warmup", budgets, "json", env)     # builds catalogue + indexes
        print(f"jixiao batch: {args.n} synthetic filings (benchmarks/synth.py), median of {args.runs} runs "
              f"(python {sys.version.split()[0]}, {os.cpu_count()} cores)")
        rates = {}
        for fmt in args.formats.split(","):
            times = []
            for k in range(args.runs):
                elapsed, cmd = run_batch(inputs, work / f"out-{fmt}", budgets, fmt, env)
                times.append(elapsed)
            med = statistics.median(times)
            rates[fmt] = args.n / med
            shown = " ".join(c if " " not in c else f"'{c}'" for c in cmd[1:])
            print(f"  {fmt:5s} {args.n / med:7.1f} filings/s  (median {med:.2f} s; runs "
                  f"{', '.join(f'{t:.2f}' for t in times)} s)\n        command: python {shown}")
        f = (f_before + calibrate.factor()) / 2
        print(f"  machine factor {f:.2f} (benchmarks/calibrate.py, before and after): issue 8's targets "
              f"scaled to this machine")
        for fmt, target in (("json", 200), ("xlsx", 50)):
            if fmt in rates:
                print(f"    {fmt:5s} ≥ {target} / {f:.2f} = {target / f:.0f} filings/s here; "
                      f"measured {rates[fmt]:.0f} ({rates[fmt] * f:.0f} on the issue's machine)")
        if args.profile:
            profile_once(inputs, work / "out-profile", budgets)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
