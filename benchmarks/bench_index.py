"""TF-IDF index build and query times at synthetic sizes, and the tokenizer's cold start.

    .venv/bin/python benchmarks/bench_index.py [--sizes 10000,100000] [--runs 3] [--queries 300]
                                               [--cold-runs 7] [--skip-cold]

Corpus: short filing texts generated deterministically (seeded) from the shipped seeds' own
vocabulary, shaped like `CatalogueReader.filing_texts()`: a project name (a unit name made of
seed characters + a seed project-name stem) written twice, one or two description sentences
and 6–15 indicator names, all taken from the seeds.  Unit names are mostly new words, so the
vocabulary grows with the corpus as a real one does.

Build: each run is a fresh process (empty memo, jieba from its cache) timing tokenize + fit
(scikit-learn) + atomic save of the .npz; peak RSS of that process is printed too.
Query: a fresh process loads the .npz (timed) and runs the query set (seed indicator names,
project names and descriptions) several rounds; per-query time is round time / queries,
median of rounds.  Cold start: whole processes, alternately, median of runs:
    ours        python -c "from jixiao.engine.tokenize import tokenize; tokenize('政务服务热线运行维护')"
    ours+numpy  the same after `import numpy` (what the engine's query path imports)
    reference   python -c "import jieba, numpy; jieba.lcut('政务服务热线运行维护')"
Figures are printed, never asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REFERENCE = "import jieba, numpy; jieba.lcut('政务服务热线运行维护')"
OURS = "from jixiao.engine.tokenize import tokenize; tokenize('政务服务热线运行维护')"
OURS_NUMPY = "import numpy; " + OURS
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE = re.compile(r"[。；;！!？?\n]|目标\s*\d+\s*[:：]")


def seed_material() -> dict[str, list[str]]:
    from jixiao.corpus.parse import parse_file, shipped_seed_files

    names, indicators, sentences, chars = [], [], [], set()
    for path in shipped_seed_files():
        for f in parse_file(path):
            names.append(f.name)
            indicators += [i.name for i in f.indicators]
            sentences += [s.strip(" ,，、") for s in _SENTENCE.split(f.description) if len(s.strip()) >= 4]
            chars.update(_CJK.findall(f.name + f.description))
    return {"names": sorted(set(names)), "indicators": sorted(set(indicators)),
            "sentences": sorted(set(sentences)), "chars": sorted(chars)}


def corpus(n: int, seed: int = 8) -> list[str]:
    m = seed_material()
    rng = random.Random(seed)
    suffixes = ["县", "区", "市", "镇", "局", "中心"]
    texts = []
    for _ in range(n):
        unit = "".join(rng.choice(m["chars"]) for _ in range(rng.choice((2, 2, 3)))) + rng.choice(suffixes)
        name = unit + rng.choice(m["names"])
        desc = "，".join(rng.sample(m["sentences"], rng.choice((1, 2))))
        inds = rng.sample(m["indicators"], rng.randint(6, 15))
        texts.append(f"{name} {name} {desc} " + " ".join(inds))
    return texts


def query_set(k: int, seed: int = 9) -> list[str]:
    m = seed_material()
    pool = m["names"] + m["indicators"] + m["sentences"]
    return random.Random(seed).sample(pool, min(k, len(pool)))


# -- child processes --------------------------------------------------------------------------------
def child_build(n: int, path: str) -> dict:
    import resource

    from jixiao.engine.index_build import fit_indexes
    from jixiao.engine.index_format import save_indexes
    from jixiao.engine.tokenize import segmenter

    texts = corpus(n)
    segmenter()  # jieba start-up is not index building
    t0 = time.perf_counter()
    idx = fit_indexes({"filings": enumerate(texts)}, len(texts))["filings"]
    save_indexes(path, {"filings": idx}, {"revision": "bench"})
    build = time.perf_counter() - t0
    return {"build_s": build, "terms": len(idx.terms), "nnz": len(idx.data),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_query(path: str, nq: int, rounds: int) -> dict:
    from jixiao.engine.index_query import load_indexes
    from jixiao.engine.tokenize import segmenter

    qs = query_set(nq)
    segmenter()
    t0 = time.perf_counter()
    _, indexes = load_indexes(path)
    load = time.perf_counter() - t0
    idx = indexes["filings"]
    for q in qs:  # first pass fills the tokenizer's memo, like a warm `suggest --from`
        idx.query(q, 30)
    per_query = []
    for _ in range(rounds):
        t = time.perf_counter()
        for q in qs:
            idx.query(q, 30)
        per_query.append((time.perf_counter() - t) / len(qs))
    sample = idx.query(qs[0], 3)
    return {"load_s": load, "query_ms": statistics.median(per_query) * 1000, "queries": len(qs),
            "sample": [(p, round(s, 3)) for p, s in sample]}


def run_child(*args: str) -> dict:
    r = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True,
                       cwd=ROOT, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def wall(code: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, stderr=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--cold-runs", type=int, default=7)
    ap.add_argument("--skip-cold", action="store_true")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        out = child_build(int(rest[0]), rest[1]) if kind == "build" else child_query(rest[0], int(rest[1]), int(rest[2]))
        print(json.dumps(out))
        return 0

    print(f"command: {Path(sys.executable).name} benchmarks/bench_index.py " + " ".join(sys.argv[1:]))
    from jixiao.engine.tokenize import segmenter

    segmenter()  # make sure the jieba cache exists before anything is timed
    if not args.skip_cold:
        codes = {"ours": OURS, "ours+numpy": OURS_NUMPY, "reference": REFERENCE}
        times: dict[str, list[float]] = {k: [] for k in codes}
        for code in codes.values():
            wall(code)
        for _ in range(args.cold_runs):
            for k, code in codes.items():
                times[k].append(wall(code))
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"cold tokenizer, whole process, median of {args.cold_runs} alternating runs:")
        for k, code in codes.items():
            ratio = f"  ({med[k] / med['reference']:.2f}× reference)" if k != "reference" else ""
            print(f"  {k:<11}{med[k] * 1000:6.0f} ms{ratio}   python -c \"{code}\"")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            path = os.path.join(tmp, f"bench-{n}.npz")
            builds = [run_child("build", str(n), path) for _ in range(args.runs)]
            b = builds[-1]
            size_mb = os.path.getsize(path) / 2 ** 20
            q = [run_child("query", path, str(args.queries), "5") for _ in range(args.runs)]
            print(f"{n:>7} docs: build {statistics.median(x['build_s'] for x in builds):6.2f} s "
                  f"(peak RSS {max(x['rss_mb'] for x in builds):.0f} MB) | {b['terms']} terms, {b['nnz']} nnz, "
                  f"{size_mb:.1f} MB .npz | load {statistics.median(x['load_s'] for x in q) * 1000:.0f} ms | "
                  f"query {statistics.median(x['query_ms'] for x in q):.2f} ms "
                  f"(top-30, median over {args.runs} processes × 5 rounds of {q[0]['queries']} queries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
