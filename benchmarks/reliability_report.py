"""Reliability campaign (issue 6) at a larger budget than tests/reliability, with a short report.

    .venv/bin/python benchmarks/reliability_report.py [--inputs 3000] [--values 10000] [--kills 20]
                                                      [--seed N] [--skip-limits] [--skip-kills]

1. Reader fuzzing: --inputs mutated files across every reader, made from the shipped seeds the
   way tests/reliability/test_fuzz_readers.py makes them (mutants.py): text exports with edited
   lines, damaged bytes and odd encodings; tables cut, column-swapped, padded with stray tabs and
   full-width spaces, given very long cells, then written as .txt/.csv/.xlsx/.docx; .xlsx/.docx
   with random bytes, cuts and hostile XML in their zip members; JSON/JSONL records with keys
   dropped and values of every type; random bytes.  Every file must parse into filings from it
   or be refused with one Chinese line naming it (mutants.check_parse).  A "fault" is one
   mutation applied.
2. Value grammar: --values mutated real values (and values that are not text) through
   parse_value, split_value, roll_years, split_fused and extract_quantities; none may raise.
3. Limits: each hostile input of tests/reliability/test_resources.py, plus a workbook just under
   the cell limit, through `python -m jixiao.cli.main parse` under a 1 GB address-space cap: outcome,
   wall time and peak memory.
4. Kill and resume: --kills SIGKILLs at random moments of `ingest` into a new catalogue (then
   the catalogue is checked — integrity_check, whole filings — and the ingest run again), of `batch` (then run
   again and compared byte for byte with an uninterrupted run) and of a piped `chat` session
   (whose session file must load and `--resume` to the same draft).  Filings lost must be 0.

Prints each section's figures, the totals, and the command line used.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from reliability import mutants as M  # noqa: E402  (tests/reliability is the campaign's toolbox)

MB = 1024 * 1024
MEMORY_MB = 1024


def env() -> dict:
    out = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    for name in ("JIXIAO_MAX_TEXT_MB", "JIXIAO_MAX_UNZIPPED_MB", "JIXIAO_MAX_CELLS"):
        out.pop(name, None)
    return out


# --- 1. reader fuzzing ----------------------------------------------------------------------

def _ops(rnd, names, most=4):
    return [rnd.choice(names) for _ in range(rnd.randint(1, most))]


def _make_input(kind: str, rnd: random.Random, folder: Path, office: dict) -> tuple[Path, int]:
    """One mutated input of the given kind; returns (path, faults injected)."""
    grids, records = M.seed_grids(), M.seed_records()
    if kind == "text-lines":
        ops = _ops(rnd, M.LINE_OPS, 6)
        path = folder / "t.txt"
        path.write_bytes(M.encode(M.mutate_lines(rnd.choice(M.seed_texts()), ops, rnd), rnd.choice(M.ENCODINGS)))
        return path, len(ops)
    if kind == "text-bytes":
        ops = _ops(rnd, M.BYTE_OPS)
        path = folder / "b.txt"
        path.write_bytes(M.mutate_bytes(M.encode(rnd.choice(M.seed_texts()), rnd.choice(M.ENCODINGS[:4])), ops, rnd))
        return path, len(ops)
    if kind in ("grid-txt", "grid-csv", "grid-xlsx", "grid-docx"):
        ops = _ops(rnd, M.GRID_OPS)
        count = 1 if kind in ("grid-txt", "grid-csv") else rnd.randint(1, 3)
        start = rnd.randrange(len(grids))
        tables = [M.mutate_grid(grids[(start + k) % len(grids)], ops, rnd) for k in range(count)]
        if kind == "grid-txt":
            return M.write_txt(tables[0], folder / "g.txt", style=rnd.choice(["tab", "tsv"]),
                               encoding=rnd.choice(M.ENCODINGS[:4])), len(ops)
        if kind == "grid-csv":
            path = M.write_csv(tables[0], folder / "g.csv", encoding=rnd.choice(M.ENCODINGS),
                               delimiter=rnd.choice([",", "\t", ";"]))
            if rnd.random() < 0.3:
                extra = _ops(rnd, M.BYTE_OPS, 2)
                path.write_bytes(M.mutate_bytes(path.read_bytes(), extra, rnd))
                return path, len(ops) + len(extra)
            return path, len(ops)
        if kind == "grid-xlsx":
            return M.write_xlsx(tables, folder / "g.xlsx", numbers=rnd.random() < 0.5,
                                merges=rnd.randint(0, 4), rnd=rnd), len(ops)
        return M.write_docx(tables, folder / "g.docx", merges=rnd.randint(0, 3), rnd=rnd), len(ops)
    if kind in ("zip-xlsx", "zip-docx"):
        ops = _ops(rnd, M.ZIP_OPS, 3)
        suffix = "." + kind[4:]
        path = folder / ("z" + (suffix if rnd.random() < 0.8 else {".xlsx": ".docx", ".docx": ".xlsx"}[suffix]))
        path.write_bytes(M.mutate_zip(office[suffix], ops, rnd))
        return path, len(ops)
    if kind == "json-records":
        ops = _ops(rnd, M.RECORD_OPS, 5)
        recs = [M.mutate_record(json.loads(rnd.choice(records)), ops, rnd) for _ in range(rnd.randint(1, 3))]
        enc = rnd.choice(M.ENCODINGS[:5])
        if rnd.random() < 0.5:
            return M.write_jsonl(recs, folder / "r.jsonl", encoding=enc), len(ops)
        return M.write_json(recs, folder / "r.json", encoding=enc), len(ops)
    if kind == "json-bytes":
        ops = _ops(rnd, M.BYTE_OPS)
        recs = [json.loads(r) for r in records]
        path = (M.write_jsonl(recs[rnd.randrange(22):], folder / "d.jsonl") if rnd.random() < 0.5
                else M.write_json([rnd.choice(recs)], folder / "d.json"))
        path.write_bytes(M.mutate_bytes(path.read_bytes(), ops, rnd))
        return path, len(ops)
    path = folder / ("x" + rnd.choice([".txt", ".csv", ".json", ".jsonl", ".xlsx", ".docx"]))
    path.write_bytes(rnd.randbytes(rnd.randint(0, 4096)))
    return path, 1


# how many of each kind, per 100 inputs (office files are slower to write and read)
MIX = {"text-lines": 14, "text-bytes": 10, "grid-txt": 10, "grid-csv": 10, "grid-xlsx": 10, "grid-docx": 6,
       "zip-xlsx": 10, "zip-docx": 10, "json-records": 12, "json-bytes": 4, "random": 4}


def fuzz(n: int, rnd: random.Random, folder: Path) -> dict:
    office = {".xlsx": M.write_xlsx(list(M.seed_grids()[:4]), folder / "base.xlsx", numbers=True).read_bytes(),
              ".docx": M.write_docx(list(M.seed_grids()[:4]), folder / "base.docx").read_bytes()}
    kinds = [k for k, w in MIX.items() for _ in range(w)]
    stats: dict[str, Counter] = defaultdict(Counter)
    failures = []
    start = time.monotonic()
    for i in range(n):
        kind = kinds[i % len(kinds)]
        state = rnd.getstate()
        path, faults = _make_input(kind, rnd, folder, office)
        stats[kind]["tried"] += 1
        stats[kind]["faults"] += faults
        try:
            stats[kind][M.check_parse(path)] += 1
        except BaseException as exc:          # an uncaught exception or a broken promise
            if isinstance(exc, KeyboardInterrupt):
                raise
            stats[kind]["failed"] += 1
            failures.append((kind, repr(exc)[:300], traceback.format_exc(limit=3)[-600:], state))
    return {"stats": stats, "failures": failures, "seconds": time.monotonic() - start}


# --- 2. value grammar -------------------------------------------------------------------------

def values(n: int, rnd: random.Random) -> dict:
    from reliability.test_fuzz_values import VALUES, _check_all, _mutate

    odd = [None, 0, -1, 10**30, 1.5, float("nan"), float("inf"), True, b"\xe4\xb8\x80", [1], {"a": 1}]
    failures, faults, longest = [], 0, 0
    start = time.monotonic()
    for i in range(n):
        if i % 20 == 0:
            text = rnd.choice(odd)
        else:
            ops = [rnd.choice(["stray", "cut", "splice", "fullwidth", "hostile", "digits", "repeat", "long", "swap"])
                   for _ in range(rnd.randint(0, 4))]
            faults += len(ops)
            text = _mutate(rnd.choice(VALUES), ops, rnd)
            longest = max(longest, len(text))
        try:
            _check_all(text)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append((repr(text)[:120], repr(exc)[:200]))
    return {"tried": n, "faults": faults, "failures": failures, "longest": longest,
            "seconds": time.monotonic() - start}


# --- 3. limits --------------------------------------------------------------------------------

_WRAP = """
import json, resource, subprocess, sys, time
limit = int(sys.argv[1]) * 1024 * 1024
t = time.monotonic()
try:
    p = subprocess.run(sys.argv[3:], capture_output=True, text=True, timeout=600,
                       preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    rc, err = p.returncode, p.stderr
except subprocess.TimeoutExpired:
    rc, err = "timeout", ""
json.dump({"rc": rc, "stderr": err, "seconds": time.monotonic() - t,
           "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}, open(sys.argv[2], "w"))
"""


def _probe(path: Path, folder: Path) -> dict:
    report = folder / "probe.json"
    subprocess.run([sys.executable, "-c", _WRAP, str(MEMORY_MB), str(report), sys.executable, "-m", "jixiao.cli.main",
                    "parse", str(path), "--format", "json"], cwd=ROOT, env=env(), check=True)
    out = json.loads(report.read_text())
    line = next((x for x in out["stderr"].splitlines() if str(path) in x), "")
    out["message"] = line.split("：", 2)[-1] if line else ""
    out["clean"] = out["rc"] in (0, 2) and "Traceback" not in out["stderr"]
    return out


def limits(folder: Path) -> list[tuple[str, dict]]:
    import zipfile
    import zlib

    from reliability.bombs import deflate_run, deflated, raw_zip, sparse_file, swap_member
    from reliability.test_resources import BOMB_SIZE, MAIN_PART, _document_xml, _grid_with_long_cell, _sheet_xml

    from jixiao.corpus.readers.textio import MAX_CELLS

    grid = M.seed_grids()[0]
    office = {".xlsx": M.write_xlsx([grid], folder / "form.xlsx"), ".docx": M.write_docx([grid], folder / "form.docx")}
    cases: list[tuple[str, Path]] = []
    for sfx in (".xlsx", ".docx"):
        part = MAIN_PART[sfx]
        cases.append((f"{sfx} zip bomb (3 GB member, sizes honest)",
                      swap_member(office[sfx], folder / f"bomb{sfx}", part, (part, deflate_run(BOMB_SIZE), 0, BOMB_SIZE))))
        cases.append((f"{sfx} zip bomb (3 GB member declared 100 KB)",
                      swap_member(office[sfx], folder / f"liar{sfx}", part,
                                  (part, deflate_run(BOMB_SIZE, b"<x/>"), zlib.crc32((b"<x/>" * 25_000)), 100_000))))
    with zipfile.ZipFile(office[".xlsx"]) as zf:
        keep = [deflated(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    cases.append((".xlsx with 201 MB of stored media", raw_zip(folder / "media.xlsx", keep + [
        ("xl/media/image1.png", None, 0, 201 * MB, 201 * MB)])))
    over = MAX_CELLS + 20_000
    cases.append((f".xlsx with {over:,} cells", swap_member(office[".xlsx"], folder / "cells.xlsx", MAIN_PART[".xlsx"],
                                                             deflated(MAIN_PART[".xlsx"], _sheet_xml(over)))))
    cases.append((f".docx with {over:,} cells", swap_member(office[".docx"], folder / "cells.docx", MAIN_PART[".docx"],
                                                             deflated(MAIN_PART[".docx"], _document_xml(over)))))
    under = MAX_CELLS - 20_000
    cases.append((f".xlsx with {under:,} cells (just under the limit)",
                  swap_member(office[".xlsx"], folder / "under.xlsx", MAIN_PART[".xlsx"],
                              deflated(MAIN_PART[".xlsx"], _sheet_xml(under)))))
    cases.append(("100 MB sparse .txt", sparse_file(folder / "huge.txt", 100 * MB)))
    runaway = folder / "runaway.txt"
    runaway.write_text(M.seed_texts()[0] + "\n\t备注\t" + "续行文字续行文字\n" * 700_000, encoding="utf-8")
    cases.append(("19 MB .txt, one cell of 700,000 lines", runaway))
    long_grid = _grid_with_long_cell()
    cases.append(("1,000,000-character cell in .txt", M.write_txt(long_grid, folder / "long.txt")))
    cases.append(("1,000,000-character cell in .xlsx", M.write_xlsx([long_grid], folder / "long.xlsx")))
    cases.append(("1,000,000-character cell in .docx", M.write_docx([long_grid], folder / "long.docx")))
    cases.append(("1,000,000-character cell in .csv", M.write_csv(long_grid, folder / "long.csv")))
    rec = json.loads(M.seed_records()[0])
    rec["description"] = "".join(c for c in M.long_text(random.Random(3), 1_200_000) if c not in "\t\r\n")[:1_000_000]
    (folder / "long.json").write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    cases.append(("1,000,000-character field in .json", folder / "long.json"))
    return [(label, _probe(path, folder)) for label, path in cases]


# --- 4. kill and resume -----------------------------------------------------------------------------

def _popen(*args, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "jixiao.cli.main", *args], cwd=ROOT, env=env(), **kw)


def _kill_after(proc: subprocess.Popen, delay: float) -> bool:
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return True


def kill_ingest(runs: int, rnd: random.Random, folder: Path) -> dict:
    """Each run: a new catalogue, an ingest of three corpora SIGKILLed at a random moment of an
    uninterrupted ingest's span (first build included), the catalogue checked, the ingest run again."""
    from reliability.test_concurrency import check_catalogue, make_corpora

    folders, expected = make_corpora(folder / "corpora")
    args = [*map(str, folders), "--batch", "2"]
    t = time.monotonic()
    subprocess.run([sys.executable, "-m", "jixiao.cli.main", "ingest", *args, "--db", str(folder / "ref.db")], cwd=ROOT,
                   env=env(), check=True, capture_output=True)
    span = time.monotonic() - t
    killed = checked = lost = twice = 0
    for run in range(runs):
        db = folder / f"ingest{run:02d}" / "catalogue.db"
        db.parent.mkdir()
        proc = _popen("ingest", *args, "--db", str(db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed += _kill_after(proc, rnd.uniform(0.05, 0.95 * span))
        proc.wait()
        if db.exists():                                   # killed before the first build: no file yet
            assert set(check_catalogue(db)) <= expected   # check_catalogue raises on a torn catalogue
            checked += 1
        done = _popen("ingest", *args, "--db", str(db), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        _, err = done.communicate(timeout=600)
        assert done.returncode == 0, err
        hashes = check_catalogue(db)
        lost += len(expected - set(hashes))
        twice += len(hashes) - len(set(hashes))
    return {"runs": runs, "killed": killed, "checked": checked, "resumed": runs, "filings": len(expected),
            "lost": lost, "twice": twice, "span": span}


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def kill_batch(runs: int, rnd: random.Random, folder: Path, db: Path) -> dict:
    inputs = folder / "batch-in"
    inputs.mkdir()
    for s in M.SEED_FILES:
        shutil.copy(s, inputs / s.name)
    ref = folder / "batch-ref"
    t = time.monotonic()
    subprocess.run([sys.executable, "-m", "jixiao.cli.main", "batch", str(inputs), "--year", "2025", "-o", str(ref),
                    "--db", str(db)], cwd=ROOT, env=env(), check=True, capture_output=True)
    span = time.monotonic() - t
    want = _tree(ref)
    killed = differing = 0
    for run in range(runs):
        out = folder / f"batch{run:02d}"
        proc = _popen("batch", str(inputs), "--year", "2025", "-o", str(out), "--db", str(db),
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed += _kill_after(proc, rnd.uniform(0.2, span))
        again = subprocess.run([sys.executable, "-m", "jixiao.cli.main", "batch", str(inputs), "--year", "2025", "-o", str(out),
                                "--db", str(db)], cwd=ROOT, env=env(), capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        got = {k: v for k, v in _tree(out).items() if not k.endswith(".tmp")}
        differing += sum(got.get(k) != v for k, v in want.items()) + len(set(got) - set(want))
    return {"runs": runs, "killed": killed, "outputs": len(want), "differing": differing, "seconds_per_batch": span}


CHAT = ["政务服务热线运行维护", "全年受理群众来电诉求约10000件，保障12345热线平稳运行，", "", "80", "2026", "市政务服务管理局",
        "删 1", "加 夜间值守覆盖时段 ≥8小时", "下一步", "改 1 ≥98%", "换 2", "下一步", "1 2", "上一步", "下一步",
        "下一步", "下一步", "满意度改成≥97%", "跳到 总表"]


def kill_chat(runs: int, rnd: random.Random, folder: Path, db: Path) -> dict:
    from jixiao.cli.chat import store

    sessions = store.sessions_dir(db)
    killed = with_file = restored = broken = 0
    chat_env = {**env(), "JIXIAO_DB": str(db)}
    for run in range(runs):
        before = set(sessions.glob("*.json")) if sessions.exists() else set()
        proc = subprocess.Popen([sys.executable, "-m", "jixiao.cli.main", "chat"], cwd=ROOT, env=chat_env, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                encoding="utf-8")
        proc.stdin.write("\n".join(CHAT) + "\n")
        proc.stdin.flush()
        killed += _kill_after(proc, rnd.uniform(0.2, 3.0))
        new = (set(sessions.glob("*.json")) if sessions.exists() else set()) - before
        if not new:
            continue
        (path,) = new
        with_file += 1
        try:
            state = store.load(path)
        except Exception:
            broken += 1
            continue
        if state.draft is None:
            continue
        out = folder / f"chat{run:02d}.json"
        r = subprocess.run([sys.executable, "-m", "jixiao.cli.main", "chat", "--resume", str(path)], cwd=folder,
                           env=chat_env, input=f"导出 {out}\n退出\n", capture_output=True, text=True)
        if r.returncode == 0 and json.loads(out.read_text(encoding="utf-8")) == state.draft.model_dump(mode="json"):
            restored += 1
        else:
            broken += 1
    return {"runs": runs, "killed": killed, "with_file": with_file, "restored": restored, "broken": broken}


# --- report ---------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inputs", type=int, default=3000, help="mutated files across the readers")
    ap.add_argument("--values", type=int, default=10000, help="mutated values through the value grammar")
    ap.add_argument("--kills", type=int, default=20, help="SIGKILLed runs each of ingest, batch and chat")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock, printed)")
    ap.add_argument("--skip-limits", action="store_true")
    ap.add_argument("--skip-kills", action="store_true")
    args = ap.parse_args()
    warnings.simplefilter("ignore")            # openpyxl/zipfile grumble about the damaged files, by design
    seed = args.seed if args.seed is not None else time.time_ns() % 1_000_000
    rnd = random.Random(seed)
    command = " ".join(["benchmarks/reliability_report.py", *sys.argv[1:]] + ([] if args.seed is not None
                                                                              else [f"(seed {seed})"]))
    total_tried = total_faults = total_failed = 0
    lost = 0
    with tempfile.TemporaryDirectory(prefix="jixiao-reliability-") as tmp:
        tmp = Path(tmp)
        print(f"# jixiao reliability report — python {sys.version.split()[0]}, {os.cpu_count()} cores, seed {seed}\n")

        (tmp / "fuzz").mkdir()
        f = fuzz(args.inputs, rnd, tmp / "fuzz")
        print(f"## 1. Reader fuzzing: {args.inputs} mutated inputs in {f['seconds']:.0f} s")
        print(f"{'kind':<14}{'tried':>7}{'faults':>8}{'parsed':>8}{'refused':>9}{'failed':>8}")
        for kind, c in sorted(f["stats"].items()):
            print(f"{kind:<14}{c['tried']:>7}{c['faults']:>8}{c['parsed']:>8}{c['refused']:>9}{c['failed']:>8}")
            total_tried += c["tried"]
            total_faults += c["faults"]
            total_failed += c["failed"]
        for kind, exc, tb, _ in f["failures"][:10]:
            print(f"  FAILED {kind}: {exc}\n{tb}")

        v = values(args.values, rnd)
        print(f"\n## 2. Value grammar: {v['tried']} values ({v['faults']} mutations, longest {v['longest']:,} "
              f"characters) in {v['seconds']:.0f} s — {len(v['failures'])} raised or broke a promise")
        for text, exc in v["failures"][:10]:
            print(f"  FAILED {text}: {exc}")
        total_tried += v["tried"]
        total_faults += v["faults"]
        total_failed += len(v["failures"])

        if not args.skip_limits:
            (tmp / "limits").mkdir()
            print(f"\n## 3. Limits: `parse` under a {MEMORY_MB} MB address-space cap")
            print(f"{'input':<48}{'exit':>5}{'s':>7}{'peak MB':>9}  outcome")
            for label, r in limits(tmp / "limits"):
                print(f"{label:<48}{r['rc']!s:>5}{r['seconds']:>7.1f}{r['peak_mb']:>9.0f}  "
                      f"{r['message'][:70] or ('read' if r['rc'] == 0 else '')}")
                total_tried += 1
                total_faults += 1
                total_failed += not r["clean"]

        if not args.skip_kills:
            from jixiao.engine.model import EngineModel

            db = tmp / "kills" / "catalogue.db"
            db.parent.mkdir()
            EngineModel.open(db).close()
            print(f"\n## 4. Kill and resume: {args.kills} SIGKILLed runs each")
            ki = kill_ingest(args.kills, rnd, tmp / "kills")
            print(f"ingest: {ki['runs']} runs, {ki['killed']} killed mid-run ({ki['span']:.1f} s per ingest), "
                  f"{ki['checked']} catalogues checked (integrity_check, whole filings), {ki['resumed']} run again: "
                  f"{ki['lost']} of {ki['filings']} filings lost, {ki['twice']} stored twice")
            kb = kill_batch(args.kills, rnd, tmp / "kills", db)
            print(f"batch:  {kb['runs']} runs, {kb['killed']} killed mid-run ({kb['seconds_per_batch']:.1f} s per batch), "
                  f"each run again: {kb['differing']} of {kb['outputs']}×{kb['runs']} outputs differ from an "
                  f"uninterrupted run")
            kc = kill_chat(args.kills, rnd, tmp / "kills", db)
            print(f"chat:   {kc['runs']} runs, {kc['killed']} killed mid-session, {kc['with_file']} left a session file, "
                  f"{kc['restored']} resumed to the same draft, {kc['broken']} broken")
            lost = ki["lost"] + ki["twice"]
            total_faults += ki["killed"] + kb["killed"] + kc["killed"]
            total_failed += kb["differing"] + kc["broken"]

        print(f"\n## Totals: {total_tried} inputs tried, {total_faults} faults injected, "
              f"{total_failed} unexpected outcomes, {lost} filings lost")
        print(f"command: .venv/bin/python {command}")
    return 1 if total_failed or lost else 0


if __name__ == "__main__":
    sys.exit(main())
