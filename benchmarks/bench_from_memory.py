"""Memory of `jixiao suggest --from` as the list grows (issue 17: drafts are streamed out, so the
peak RSS must not grow with the list; goal: 100,000 projects under 300 MB).

    .venv/bin/python benchmarks/bench_from_memory.py [--sizes 1000,10000,100000] [--jobs 2]

For each size, a list of that many synthetic projects (benchmarks/synth.py, the shipped
vocabulary) as .jsonl goes through one whole `jixiao suggest --from LIST --format jsonl` process
on the shipped default catalogue (built once beforehand in a temp folder); its drafts go to a
temp file.  Printed per size: wall time, time per project, and the peak RSS of the process and
its workers (os.wait4: the largest of the process and the children it waited for), then how
much the peak grew from the smallest list to the largest.  Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth                                     # noqa: E402
from measure import bench_env, jixiao_cmd, machine, run, shown  # noqa: E402


def write_list(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for f in synth.filings(n, seed=23):
            fh.write(json.dumps({k: f[k] for k in ("name", "description", "budget", "year", "department")},
                                ensure_ascii=False) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated list lengths")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (JIXIAO_JOBS)")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="jixiao-from-mem-") as tmp:
        tmp = Path(tmp)
        env = bench_env(JIXIAO_DB=str(tmp / "catalogue.db"), JIXIAO_JOBS=str(args.jobs))
        # build the shipped catalogue and its search index once, so no run below pays for them
        run(jixiao_cmd() + ["suggest", "政务服务热线运行维护", "--budget", "80", "--format", "json"], env)
        peaks = []
        for n in sizes:
            listing = tmp / f"projects-{n}.jsonl"
            write_list(listing, n)
            out = tmp / f"drafts-{n}.jsonl"
            cmd = jixiao_cmd() + ["suggest", "--from", str(listing), "--format", "jsonl", "-o", str(out)]
            seconds, peak_mb, _ = run(cmd, env)
            drafts = sum(1 for _ in out.open(encoding="utf-8"))
            peaks.append(peak_mb)
            print(f"{n:>7} projects: {seconds:7.1f} s, {seconds / n * 1000:5.2f} ms/project, "
                  f"peak RSS {peak_mb:6.0f} MB, {drafts} drafts written", flush=True)
            listing.unlink()
            out.unlink()
        if len(sizes) > 1:
            print(f"peak RSS from {sizes[0]} to {sizes[-1]} projects: {peaks[0]:.0f} → {peaks[-1]:.0f} MB "
                  f"({(peaks[-1] - peaks[0]) / (sizes[-1] - sizes[0]) * 1024:.2f} KB per project)")
        print(f"command: JIXIAO_JOBS={args.jobs} "
              f"{shown(jixiao_cmd() + ['suggest', '--from', 'LIST.jsonl', '--format', 'jsonl', '-o', 'OUT.jsonl'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
