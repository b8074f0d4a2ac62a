"""Seeded fuzz campaign over whole commands (issue 17): every input through a real `jixiao`
process, with its exit code, wall time, peak memory and any traceback recorded.

    .venv/bin/python benchmarks/fuzz_campaign.py [--inputs 10000] [--seed 17] [--jobs N]
                                                 [--out records.jsonl] [--keep DIR]

Input i is made from random.Random(f"{seed}:{i}") alone, so a campaign is deterministic and any
input can be made again (`--only i`).  Families (share of the inputs):

  mutants         the reader fuzzing of benchmarks/reliability_report.py (tests/reliability/
                  mutants.py): text exports with edited lines, damaged bytes and odd encodings,
                  cut / padded / column-swapped tables as .txt/.csv/.xlsx/.docx, damaged zips,
                  JSON records with keys dropped and values of every type, random bytes
  merges-spans    .xlsx merges far beyond the data (A30:XFD1048576, A1:Z200000), thousands of
                  stacked merges, malformed refs, range hyperlinks and conditional formats;
                  .docx gridSpan / gridBefore / gridAfter of up to 10^12, negative, not a number;
                  now and then a .docx run of 10 MB
  json-numbers    filings as .json/.jsonl with lone surrogates in any text field, years and
                  positions of 2^63, budgets of NaN / Infinity / 1e400 / 60 digits, deep
                  nesting, floods of small values — mixed with good records
  shared-strings  .xlsx shared-string tables of up to 800,000 entries, one long string shown in
                  up to 40,000 cells
  big-lists       one filing of up to 20,000 indicators (real, numbered, identical or near-
                  identical names), or up to 4,000 filings in one .jsonl (20,000 indicators:
                  the issue's acceptance scale; larger lists are timed by bench_lint.py)
  project-lists   `suggest --from` lists (.jsonl/.json/.csv/.xlsx, up to 2,000 projects) with odd
                  rows: surrogates, NaN, giant numbers, years of 99999, empty names
  odd-names       seed filings under names with a line break, undecodable bytes, a leading
                  dash, 80 characters
  catalogues      the catalogue itself damaged: pages overwritten, header garbage, cut short,
                  another application's SQLite file, a meta value that is not a number, empty

Commands: files go through one of `parse`, `parse --format json`, `lint`, `ingest` (into a
catalogue of the worker's own) and `batch` (into a fresh folder; not for files of thousands of
filings, a long job rather than a hostile input); lists through `suggest --from`; damaged catalogues through `suggest`, `ingest`, `catalogue stats` or `batch`.  Each
process runs with a 4 GB address-space cap (protecting the machine; anything near it would show
as over 1 GB anyway) and is killed after 90 s.  Peak RSS is the process's own (os.wait4 in a
small launcher process, so the campaign's own memory is not counted; see `launcher`).

Prints per family and command: inputs, exit codes, slowest and largest run; then the totals the
issue asks for — tracebacks, runs over 30 s, runs over 1 GB — and the command line used.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
CAP_MB = 4096
KILL_AFTER_S = 90
SLOW_S = 30
BIG_MB = 1024


# --- runs ------------------------------------------------------------------------------------------------

def _limits():
    import resource

    cap = CAP_MB * MB
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    os.setsid()


def run_one(cmd: list[str], env: dict, cwd: Path | str) -> dict:
    """One process: exit code, wall seconds, peak RSS (MB) and stderr; killed after KILL_AFTER_S."""
    with tempfile.TemporaryFile(dir=cwd) as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=err, preexec_fn=_limits)
        killed = False
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > KILL_AFTER_S and not killed:
                os.killpg(p.pid, signal.SIGKILL)
                killed = True
            time.sleep(0.01)
        seconds = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return {"rc": p.returncode, "seconds": round(seconds, 3), "peak_mb": round(usage.ru_maxrss / 1024, 1),
            "killed": killed, "traceback": "Traceback (most recent call last)" in text,
            "stderr": text[-600:]}


def launcher() -> None:
    """Run the commands read from stdin (one JSON request a line) and answer each with its
    run_one record.  The campaign starts one launcher per worker while it is still small: a
    child's ru_maxrss starts at the RSS of the process that forked it, so children of the
    campaign itself (which holds inputs of many MB) would show its memory as theirs."""
    for line in sys.stdin:
        req = json.loads(line)
        print(json.dumps(run_one(req["cmd"], req["env"], req["cwd"]), ensure_ascii=False), flush=True)


if __name__ == "__main__" and sys.argv[1:2] == ["--launcher"]:
    launcher()
    sys.exit(0)

sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from reliability import hostile as H          # noqa: E402  (tests/reliability builds the inputs)
from reliability import mutants as M          # noqa: E402

FAMILIES = {"mutants": 30, "merges-spans": 12, "json-numbers": 15, "shared-strings": 4, "big-lists": 6,
            "project-lists": 15, "odd-names": 8, "catalogues": 10}
FILE_COMMANDS = ["parse", "parse-json", "lint", "ingest", "batch"]


# --- inputs --------------------------------------------------------------------------------------------

def _mutant(rnd: random.Random, folder: Path, office: dict) -> tuple[str, Path]:
    from reliability_report import MIX, _make_input

    kinds = [k for k, w in MIX.items() for _ in range(w)]
    kind = rnd.choice(kinds)
    path, _ = _make_input(kind, rnd, folder, office)
    return kind, path


def _merges_spans(rnd: random.Random, folder: Path) -> tuple[str, Path]:
    grid = rnd.randrange(20)
    pick = rnd.random()
    if pick < 0.55:
        choices = ["A30:XFD1048576", "A1:Z200000", "A1:XFD1048576", "B2:XFD1048576", "A1000000:A1048576",
                   "ZZ1:XFD1", "A1:A1", "C3:B2", "bad", "A0:B0", "XFE1:XFE2", "A1:XFD1048577", "$A$1:$C$3"]
        refs = [rnd.choice(choices) for _ in range(rnd.randint(1, 4))]
        variant = "merge " + refs[0]
        if rnd.random() < 0.25:
            refs = refs * rnd.choice([100, 1000, 5000])
            variant = f"{len(refs)} stacked merges"
        return variant, H.xlsx_with(folder / "m.xlsx", H.merge_refs(refs), grid)
    if pick < 0.7:
        ref = rnd.choice(["A1:XFD1048576", "A1:Z200000", "B2:C3"])
        edit = rnd.choice([(H.hyperlink_ref, "hyperlink"), (H.formatting_ref, "conditional format")])
        return f"{edit[1]} {ref}", H.xlsx_with(folder / "h.xlsx", edit[0](ref), grid)
    if pick < 0.97:
        where = rnd.choice(["gridSpan", "gridBefore", "gridAfter"])
        value = rnd.choice(["100000000", "1000000000000", "500001", "64", "-3", "abc", "0", "2", "1e9", ""])
        return f"{where}={value}", H.docx_with(folder / "s.docx", H.grid_span(value, where), grid)
    chars = rnd.choice([3_500_000, 2_000_000])
    return f"text run of {chars} characters", H.docx_with(folder / "r.docx", H.long_run(chars, rnd), grid)


_ODD_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", str(2 ** 63), str(-(2 ** 63) - 1), "9" * 60,
                "1" + "0" * 5000, "0.5", "-5", "1800", "99999", "2024.5", '"2024"', '"二〇二四"', "true", "null", "[]", "{}"]
_ODD_TEXT = ['"\\ud800"', '"名称\\udfff"', '"\\ud83d"', '"\\udc00\\ud800"', '"\\u0000控制"', '""', "12345", "null",
             '["列表"]', '{"嵌套": {"更深": [1, 2]}}']


def _json_numbers(rnd: random.Random, folder: Path) -> tuple[str, Path]:
    records, notes = [], []
    for _ in range(rnd.randint(1, 6)):
        rec = H.seed_record(rnd)
        raw = {}
        for _ in range(rnd.randint(0, 3)):
            where = rnd.choice(["year", "budget", "name", "description", "department", "period", "source-row",
                                "source-table", "ind-name", "ind-value", "ind-basis", "kind"])
            key = f"@@{len(raw)}@@"
            value = rnd.choice(_ODD_NUMBERS if where in ("year", "budget", "source-row", "source-table") else
                               _ODD_TEXT + _ODD_NUMBERS[:6])
            raw[key] = value
            notes.append(f"{where}={value[:12]}")
            if where.startswith("source-"):
                rec["source"] = {**(rec.get("source") or {"file": "x"}), where[7:]: key}
            elif where.startswith("ind-") and rec["indicators"]:
                rnd.choice(rec["indicators"])[where[4:]] = key
            else:
                rec[where] = key
        records.append(H.raw_json(rec, **raw))
    if rnd.random() < 0.05:
        depth = rnd.choice([50, 70, 500, 5000, 100_000])
        records.append('{"name": "深", "x": ' + "[" * depth + "]" * depth + "}")
        notes.append(f"nesting {depth}")
    if rnd.random() < 0.04:
        n = rnd.choice([500_000, 3_000_000])
        records.append('{"name": "多", "x": [' + ",".join(["1"] * n) + "]}")
        notes.append(f"{n} values")
    if rnd.random() < 0.5:
        path = folder / "n.jsonl"
        path.write_text("\n".join(records) + "\n", encoding="utf-8")
    else:
        path = folder / "n.json"
        path.write_text(records[0] if len(records) == 1 else "[" + ",".join(records) + "]", encoding="utf-8")
    return "; ".join(notes[:4]) or "good records", path


def _shared_strings(rnd: random.Random, folder: Path) -> tuple[str, Path]:
    if rnd.random() < 0.6:
        n = rnd.choice([1_000, 50_000, 400_000, 500_001, 800_000])
        return f"{n} shared strings", H.shared_strings_xlsx(folder / "ss.xlsx", n, cells=rnd.randint(1, 50))
    chars, cells = rnd.choice([(20_000, 40_000), (100_000, 20_000), (1_000_000, 200), (9_000, 4_000)])
    return f"{chars} characters in {cells} cells", H.shared_strings_xlsx(
        folder / "long.xlsx", 1, text=lambda i: "长" * chars, cells=cells)


def _big_lists(rnd: random.Random, folder: Path) -> tuple[str, Path]:
    """Lists up to the issue's own scale: 20,000 indicators in one filing or in one file."""
    style = rnd.choice(["real", "numbered", "identical", "near"])
    names = {"real": H.NAMES, "numbered": [f"受益人口数量{i:05d}" for i in range(20_000)],
             "identical": ["完全相同的指标名称"], "near": ["项" * 30 + chr(0x4E00 + i) for i in range(20_000)]}[style]
    if rnd.random() < 0.6:
        n = int(10 ** rnd.uniform(2, 4.301))                 # 100 … 20,000 indicators
        path = folder / "big.json"
        path.write_text(json.dumps(H.big_filing(n, rnd, names), ensure_ascii=False), encoding="utf-8")
        return f"1 filing, {n} indicators ({style})", path
    n, per = rnd.choice([(200, 100), (1_000, 20), (2_000, 10), (4_000, 5)])
    return f"{n} filings × {per} indicators", H.filings_jsonl(folder / "many.jsonl", n, per, rnd)


def _project_list(rnd: random.Random, folder: Path) -> tuple[str, Path]:
    n = int(10 ** rnd.uniform(0, 3.3))                        # 1 … 2,000 projects
    hostile = rnd.choice([0.0, 0.05, 0.3, 1.0])
    rows = H.project_rows(n, rnd, hostile)
    if rnd.random() < 0.1:
        rows.insert(rnd.randrange(len(rows) + 1), rnd.choice(["{不是 JSON", "[]", '"字符串"', "", '{"name": ""}']))
    suffix = rnd.choice([".jsonl", ".jsonl", ".json", ".csv", ".xlsx"])
    return f"{n} projects, {hostile:.0%} odd, {suffix}", H.write_projects(rows, folder / f"list{suffix}")


def _odd_name(rnd: random.Random, folder: Path) -> tuple[str, Path]:
    seed = rnd.choice(M.SEED_FILES)
    name = H.odd_name(rnd, seed.suffix if rnd.random() < 0.7 else ".json")
    path = folder / name
    if path.suffix == ".json":
        rec = H.seed_record(rnd)
        rec.pop("source", None)
        path.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    else:
        shutil.copy(seed, path)
    return repr(name)[:40], path


def _catalogue(rnd: random.Random, folder: Path, base: Path) -> tuple[str, Path]:
    db = folder / "damaged.db"
    kind = rnd.choice(["pages", "header", "cut", "foreign", "meta", "empty", "index"])
    if kind == "foreign":
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE notes (x)")
        return kind, db
    shutil.copy(base, db)
    if kind == "index":
        index = base.with_name(base.name + ".index.npz").read_bytes()
        cut = rnd.randrange(len(index))
        db.with_name(db.name + ".index.npz").write_bytes(index[:cut] + os.urandom(rnd.randint(0, 64)))
        return kind, db
    size = db.stat().st_size
    with open(db, "r+b") as fh:
        if kind == "pages":
            fh.seek(rnd.randrange(4096, size - 4096))
            fh.write(os.urandom(rnd.randint(100, 20_000)))
        elif kind == "header":
            fh.write(os.urandom(16))
        elif kind == "cut":
            fh.truncate(rnd.randrange(100, size))
        elif kind == "empty":
            fh.truncate(0)
    if kind == "meta":
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = ?", (rnd.choice(["abc", "", "1e9", "9" * 30]),
                                                                     rnd.choice(["schema", "changes", "revision"])))
    return kind, db


class Worker:
    """One worker's folder: a catalogue to ingest into, one (with its index) to read from."""

    def __init__(self, folder: Path, base: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.base = base
        self.read_db = folder / "read" / "catalogue.db"
        self.write_db = folder / "write" / "catalogue.db"
        for db in (self.read_db, self.write_db):
            self.reset(db)
        self.runs = 0

    def reset(self, db: Path) -> None:
        if db.parent.exists():
            shutil.rmtree(db.parent)
        db.parent.mkdir(parents=True)
        shutil.copy(self.base, db)
        shutil.copy(self.base.with_name(self.base.name + ".index.npz"), db.with_name(db.name + ".index.npz"))


def make_input(i: int, seed: int, folder: Path, office: dict, base: Path) -> tuple[str, str, Path, str]:
    """(family, variant, path, command) of input i."""
    rnd = random.Random(f"{seed}:{i}")
    families = [f for f, w in FAMILIES.items() for _ in range(w)]
    family = rnd.choice(families)
    makers = {"mutants": lambda: _mutant(rnd, folder, office), "merges-spans": lambda: _merges_spans(rnd, folder),
              "json-numbers": lambda: _json_numbers(rnd, folder),
              "shared-strings": lambda: _shared_strings(rnd, folder), "big-lists": lambda: _big_lists(rnd, folder),
              "project-lists": lambda: _project_list(rnd, folder), "odd-names": lambda: _odd_name(rnd, folder)}
    variant, path = makers.get(family, lambda: _catalogue(rnd, folder, base))()
    if family == "project-lists":
        command = "suggest-from"
    elif family == "catalogues":
        command = rnd.choice(["suggest", "ingest", "stats", "batch"])
    elif family == "big-lists" and "filings" in variant:
        # a batch of thousands of filings is a long job, not a hostile input (bench_batch.py times it)
        command = rnd.choice([c for c in FILE_COMMANDS if c != "batch"])
    else:
        command = rnd.choice(FILE_COMMANDS)
    return family, variant, path, command


def command_line(command: str, path: Path, worker: Worker, out: Path) -> list[str]:
    base = [sys.executable, "-m", "jixiao.cli.main"]
    seeds = str(ROOT / "corpus" / "seeds")
    if command == "parse":
        return [*base, "parse", str(path)]
    if command == "parse-json":
        return [*base, "parse", str(path), "--format", "json"]
    if command == "lint":
        return [*base, "lint", str(path)]
    if command == "ingest":
        return [*base, "ingest", str(path), "--db", str(worker.write_db)]
    if command == "batch":
        return [*base, "batch", str(path), "--year", "2026", "-o", str(out), "--db", str(worker.read_db)]
    if command == "suggest-from":
        return [*base, "suggest", "--from", str(path), "--format", "jsonl", "--db", str(worker.read_db)]
    if command == "suggest":                     # path is a damaged catalogue
        return [*base, "suggest", "政务服务热线运行维护", "--budget", "80", "--year", "2026", "--db", str(path)]
    if command == "stats":
        return [*base, "catalogue", "stats", "--db", str(path)]
    if command == "ingest-into":
        return [*base, "ingest", seeds, "--db", str(path)]
    return [*base, "batch", seeds, "--year", "2026", "-o", str(out), "--db", str(path)]


def campaign(indices: list[int], seed: int, jobs: int, keep: Path | None, base: Path, office: dict,
             root: Path, progress) -> list[dict]:
    records: list[dict] = []
    lock = threading.Lock()
    pending = list(indices)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", "JIXIAO_JOBS": "1"}
    for name in ("JIXIAO_MAX_TEXT_MB", "JIXIAO_MAX_JSON_MB", "JIXIAO_MAX_UNZIPPED_MB", "JIXIAO_MAX_CELLS",
                 "JIXIAO_DB"):
        env.pop(name, None)

    def work(k: int, launch: subprocess.Popen) -> None:
        worker = Worker(root / f"w{k}", base)

        def measured(cmd: list[str]) -> dict:
            launch.stdin.write(json.dumps({"cmd": cmd, "env": env, "cwd": str(worker.folder)}) + "\n")
            launch.stdin.flush()
            return json.loads(launch.stdout.readline())

        while True:
            with lock:
                if not pending:
                    return
                i = pending.pop(0)
            folder = worker.folder / "input"
            out = worker.folder / "out"
            for d in (folder, out):
                shutil.rmtree(d, ignore_errors=True)
            folder.mkdir()
            try:
                family, variant, path, command = make_input(i, seed, folder, office, base)
            except Exception as exc:                  # a builder's own failure is not the program's
                with lock:
                    records.append({"i": i, "family": "?", "variant": f"input not made: {exc!r}"[:200],
                                    "command": "-", "rc": None, "seconds": 0, "peak_mb": 0, "killed": False,
                                    "traceback": False, "stderr": ""})
                continue
            if command == "ingest" and family == "catalogues":
                command = "ingest-into"
            result = measured(command_line(command, path, worker, out))
            record = {"i": i, "family": family, "variant": variant, "command": command, **result}
            bad = result["traceback"] or result["seconds"] > SLOW_S or result["peak_mb"] > BIG_MB or \
                result["rc"] not in (0, 1, 2)
            if bad and keep is not None:
                dest = keep / f"{i:05d}-{family}"
                shutil.copytree(folder, dest, dirs_exist_ok=True)
            if family == "catalogues" or command == "ingest":
                worker.runs += 1
                if worker.runs % 200 == 0:
                    worker.reset(worker.write_db)
            with lock:
                records.append(record)
                progress(len(records))

    launchers = [subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--launcher"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, encoding="utf-8") for _ in range(jobs)]
    threads = [threading.Thread(target=work, args=(k, launchers[k]), daemon=True) for k in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for launch in launchers:
        launch.stdin.close()
        launch.wait()
    return sorted(records, key=lambda r: r["i"])


def report(records: list[dict], seconds: float, args) -> None:
    by: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in records:
        by[(r["family"], r["command"])].append(r)
    print(f"\n{'family':15} {'command':13} {'inputs':>6} {'rc 0/1/2/other':>16} {'max s':>7} {'max MB':>7}")
    for (family, command), rs in sorted(by.items()):
        rc = Counter(r["rc"] if r["rc"] in (0, 1, 2) else "x" for r in rs)
        print(f"{family:15} {command:13} {len(rs):6} {rc[0]:>4}/{rc[1]}/{rc[2]}/{rc['x']:<4}"
              f" {max(r['seconds'] for r in rs):7.1f} {max(r['peak_mb'] for r in rs):7.0f}")
    tracebacks = [r for r in records if r["traceback"]]
    slow = [r for r in records if r["seconds"] > SLOW_S]
    big = [r for r in records if r["peak_mb"] > BIG_MB]
    other = [r for r in records if r["rc"] not in (0, 1, 2)]
    print(f"\n{len(records)} inputs in {seconds / 60:.1f} min ({args.jobs} at a time): "
          f"{len(tracebacks)} tracebacks, {len(slow)} runs over {SLOW_S} s, {len(big)} over {BIG_MB} MB, "
          f"{len(other)} other exit codes")
    times = sorted(r["seconds"] for r in records)
    if times:
        print(f"wall time: median {times[len(times) // 2]:.2f} s, 99th percentile {times[int(len(times) * 0.99)]:.1f} s, "
              f"max {times[-1]:.1f} s; peak RSS max {max(r['peak_mb'] for r in records):.0f} MB")
    for label, rs in (("slowest", sorted(records, key=lambda r: -r["seconds"])[:5]),
                      ("largest", sorted(records, key=lambda r: -r["peak_mb"])[:5])):
        print(f"{label}:")
        for r in rs:
            print(f"  #{r['i']} {r['family']} / {r['command']} / {r['variant'][:60]}: {r['seconds']:.1f} s, "
                  f"{r['peak_mb']:.0f} MB, rc {r['rc']}")
    for r in (tracebacks + slow + big + other)[:20]:
        print(f"\nPROBLEM #{r['i']} {r['family']} / {r['command']} / {r['variant']}\n{r['stderr'][-400:]}")
    print(f"\ncommand: python benchmarks/fuzz_campaign.py --inputs {args.inputs} --seed {args.seed} --jobs {args.jobs}")


def _base_catalogue(folder: Path) -> Path:
    db = folder / "base" / "catalogue.db"
    db.parent.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("JIXIAO_DB", None)
    subprocess.run([sys.executable, "-c", "import sys; from jixiao.engine.model import EngineModel; "
                    "EngineModel.open(sys.argv[1]).close()", str(db)], cwd=ROOT, env=env, check=True)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--inputs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, help="write one JSON record per input here")
    ap.add_argument("--keep", type=Path, help="copy the inputs of problem runs into this folder")
    ap.add_argument("--only", type=int, nargs="*", help="run only these input numbers")
    args = ap.parse_args()
    indices = args.only if args.only else list(range(args.inputs))
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="jixiao-fuzz-") as tmp:
        root = Path(tmp)
        base = _base_catalogue(root)
        office = {".xlsx": M.write_xlsx(list(M.seed_grids()[:4]), root / "base.xlsx", numbers=True).read_bytes(),
                  ".docx": M.write_docx(list(M.seed_grids()[:4]), root / "base.docx").read_bytes()}
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)

        def progress(done: int) -> None:
            if done % 100 == 0 or done == len(indices):
                rate = done / max(time.monotonic() - start, 1e-9)
                print(f"\r{done}/{len(indices)} inputs, {rate:.1f}/s", end="", file=sys.stderr, flush=True)

        records = campaign(indices, args.seed, args.jobs, args.keep, base, office, root, progress)
    print(file=sys.stderr)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    report(records, time.monotonic() - start, args)
    bad = sum(1 for r in records if r["traceback"] or r["seconds"] > SLOW_S or r["peak_mb"] > BIG_MB
              or r["rc"] not in (0, 1, 2))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
