"""How fast this machine is next to the one issue 8's targets were measured on.

    .venv/bin/python benchmarks/calibrate.py [--runs 5]

Issue 8 gives its own figures for a few whole-process commands on "this kind of machine"
(2 cores, medians): `python -c pass` 12 ms, `import numpy` 106 ms, `import scipy.sparse` 262 ms,
`import prompt_toolkit` 136 ms, `import sqlite_utils` 167 ms, `import sqlite3` 19 ms,
`import sklearn.feature_extraction.text` ≈ 1.0 s, and jieba's first `lcut` ≈ 0.9 s.  This script
runs the same commands here, interleaved (A B C … A B C …) so a slow patch of the machine hits
them alike, and prints each median, its ratio to the issue's figure, and the machine factor: the
median of the ratios of the figures of 100 ms or more (the two start-ups of 12 and 19 ms are
shown but not counted — at that size process start-up dominates, and their ratios run highest).
A factor of 2 means this machine needs twice as long for the same Python work, so a target of
30 s there corresponds to 60 s here.

The other benchmark scripts call `factor()` before and after their runs and print each absolute
target both as the issue wrote it and scaled by the factor; nothing is asserted.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import bench_env, run  # noqa: E402

# (label, python -c code, the issue's figure in ms); the jieba line prints its own in-process time
_LCUT = ("import time, jieba; t = time.perf_counter(); jieba.lcut('政务服务热线运行维护'); "
         "print(time.perf_counter() - t)")
REFERENCES = (
    ("python -c pass", "pass", 12.0),
    ("import numpy", "import numpy", 106.0),
    ("import scipy.sparse", "import scipy.sparse", 262.0),
    ("import prompt_toolkit", "import prompt_toolkit", 136.0),
    ("import sqlite_utils", "import sqlite_utils", 167.0),
    ("import sqlite3", "import sqlite3", 19.0),
    ("import sklearn.feature_extraction.text", "import sklearn.feature_extraction.text", 1000.0),
    ("jieba first lcut (in process)", _LCUT, 900.0),
)


def measure(runs: int = 5) -> list[tuple[str, float, float]]:
    """(label, median ms here, the issue's ms) for every reference command."""
    env = bench_env()
    times: list[list[float]] = [[] for _ in REFERENCES]
    for _ in range(runs):
        for k, (_, code, _) in enumerate(REFERENCES):
            wall, _, out = run([sys.executable, "-c", code], env)
            times[k].append(float(out.strip()) if code is _LCUT else wall)
    return [(label, statistics.median(t) * 1000.0, ms) for (label, _, ms), t in zip(REFERENCES, times)]


COUNTED_MS = 100.0         # reference figures at least this long make the factor


def machine_factor(rows: list[tuple[str, float, float]]) -> float:
    return statistics.median(here / issue for _, here, issue in rows if issue >= COUNTED_MS)


def factor(runs: int = 3) -> float:
    """The machine factor: median ratio (here / the issue's figure) of the longer reference commands."""
    return machine_factor(measure(runs))


def scaled(target: float, f: float) -> str:
    """'30 × 2.60 = 78': a time target and what it is on a machine with factor f."""
    return f"{target:g} × {f:.2f} = {target * f:.3g}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rows = measure(args.runs)
    print(f"reference commands, median of {args.runs} interleaved runs (python {sys.version.split()[0]})")
    for label, here, issue in rows:
        counted = "" if issue >= COUNTED_MS else "   (not counted)"
        print(f"  {label:40s} {here:8.0f} ms   issue 8: {issue:6.0f} ms   ratio {here / issue:5.2f}{counted}")
    print(f"machine factor (median of the counted ratios): {machine_factor(rows):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
