"""A province's history on one machine: ingest, index, suggest at 100,000 synthetic filings.

    .venv/bin/python benchmarks/bench_scale.py [--n 100000] [--runs 1] [--suggest-runs 5]
                                               [--projects 200] [--keep DIR]

The corpus is benchmarks/synth.py (seed 8) written as JSON-lines files of 5,000 filings each,
as a province collects its counties' exports.  Every step is a whole process of the installed
`jixiao` command (or one `python -c` for the index build), with its own wall time and peak RSS
(os.wait4 of that child):

  ingest   `jixiao ingest FOLDER --db X` into a new catalogue (the seeds and the library too)
  size     the catalogue file (+ WAL) and its index file on disk
  index    `EngineModel.open(X, rebuild=True)`: tokenize every filing and canonical name, fit
           TF-IDF with scikit-learn, save X.index.npz
  cold     `jixiao suggest 政务服务热线运行维护 --format json --db X`, median of --suggest-runs
  warm     `jixiao suggest --from P.jsonl` on --projects projects minus on one project, per project

Targets (issue 8): ingest ≤ 90 s, index ≤ 30 s, warm ≤ 20 ms, cold ≤ 1.0 s, peak RSS ≤ 1 GB.
Figures are printed, never asserted.  --runs repeats ingest and index build (median).  The
machine factor (benchmarks/calibrate.py, measured before and after) scales the targets to this
machine; the last lines print both.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import calibrate                                 # noqa: E402
import synth                                     # noqa: E402
from bench_suggest import QUERY, write_projects  # noqa: E402
from measure import alternate, bench_env, jixiao_cmd, machine, run, shown  # noqa: E402

BUILD = "import sys; from jixiao.engine.model import EngineModel; EngineModel.open(sys.argv[1], rebuild=True).close()"


def _mb(path: Path) -> float:
    return path.stat().st_size / 2**20 if path.exists() else 0.0


def _line(label: str, seconds: float, rss: float, target: str, cmd: str) -> None:
    print(f"  {label:8s} {seconds:8.2f} s   peak RSS {rss:5.0f} MB   ({target})\n           command: {cmd}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--suggest-runs", type=int, default=5)
    ap.add_argument("--projects", type=int, default=200)
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temp folder)")
    args = ap.parse_args()

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="jixiao-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus = work / "corpus"
        t0 = time.perf_counter()
        if not corpus.exists():
            indicators = synth.write_shards(corpus, args.n, per_file=5000)
            print(f"corpus: {args.n} synthetic filings, {indicators} indicators "
                  f"({time.perf_counter() - t0:.0f} s to generate)")
        print(f"at {args.n} filings ({machine()})")
        jx = jixiao_cmd()
        env = bench_env()
        db = work / "catalogue.db"
        f_before = calibrate.factor()
        figures = {}                                   # label: (seconds, target seconds)

        times, rss_all = [], []
        for _ in range(args.runs):
            for p in work.glob("catalogue.db*"):
                p.unlink()
            cmd = jx + ["ingest", str(corpus), "--db", str(db)]
            t, rss, _ = run(cmd, env)
            times.append(t)
            rss_all.append(rss)
        figures["ingest"] = (statistics.median(times), 90.0)
        _line("ingest", statistics.median(times), max(rss_all), "target ≤ 90 s",
              shown(cmd).replace(str(work), "$WORK"))
        wal = db.with_name(db.name + "-wal")
        print(f"  size     catalogue {_mb(db) + _mb(wal):.0f} MB")

        times, rss_all = [], []
        for _ in range(args.runs):
            cmd = [sys.executable, "-c", BUILD, str(db)]
            t, rss, _ = run(cmd, env)
            times.append(t)
            rss_all.append(rss)
        index = db.with_name(db.name + ".index.npz")
        figures["index"] = (statistics.median(times), 30.0)
        _line("index", statistics.median(times), max(rss_all), f"target ≤ 30 s; index file {_mb(index):.0f} MB",
              f"python -c \"{BUILD}\" $WORK/catalogue.db")

        cmd = jx + ["suggest", QUERY, "--format", "json", "--db", str(db)]
        (cold,) = alternate([cmd], args.suggest_runs, env)
        _, rss, _ = run(cmd, env)
        figures["cold"] = (statistics.median(cold), 1.0)
        _line("cold", statistics.median(cold), rss, f"median of {args.suggest_runs}; target ≤ 1.0 s",
              shown(cmd).replace(str(work), "$WORK"))

        filings = list(synth.filings(args.projects, seed=11))
        many, one = work / "projects.jsonl", work / "one.jsonl"
        write_projects(many, filings)
        write_projects(one, filings[:1])
        cmds = [jx + ["suggest", "--from", str(p), "--format", "jsonl", "--db", str(db),
                      "-o", str(work / f"{p.stem}.out.jsonl")] for p in (many, one)]
        t_many, t_one = alternate(cmds, args.suggest_runs, env)
        per = [(a - b) / (args.projects - 1) * 1000 for a, b in zip(t_many, t_one)]
        figures["warm"] = (statistics.median(per) / 1000, 0.020)
        _, rss, _ = run(cmds[0], env)
        print(f"  warm     {statistics.median(per):8.2f} ms per project over {args.projects} projects   "
              f"peak RSS {rss:5.0f} MB   (target ≤ 20 ms)\n"
              f"           command: {shown(cmds[0]).replace(str(work), '$WORK')}")
        f = (f_before + calibrate.factor()) / 2
        print(f"  machine factor {f:.2f} (benchmarks/calibrate.py, before and after): targets scaled to this machine")
        for label, (seconds, target) in figures.items():
            print(f"    {label:6s} ≤ {calibrate.scaled(target, f)} s here; measured {seconds:.3g} s "
                  f"({seconds / target / f:.2f} of the scaled target)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
