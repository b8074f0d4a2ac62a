"""Concurrent use of one catalogue (issue 6), with real processes: three `ingest`s of different
corpora (text exports, JSON Lines, workbooks) and three `suggest` loops at once lose nothing —
every filing exactly once at the end, every process exits 0, and no "database is locked" (nor
any traceback) reaches a user.  Then `suggest`s racing to rebuild the stale index after an ingest
all answer, identically, and leave one whole index file.

tests/catalogue/test_ingest_concurrency.py covers parallel ingests of one corpus and SIGKILLed ingests;
here the processes are mixed and the corpora differ.
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jixiao.catalogue.fingerprint import filing_hash
from jixiao.corpus.parse import parse_file
from jixiao.corpus.readers.text_reader import parse_text
from jixiao.engine.index_query import load_indexes
from jixiao.engine.model import EngineModel, index_path_for

from .mutants import ROOT, SEED_FILES, write_xlsx

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes"), pytest.mark.slow]

QUERIES = [("政务服务热线运行维护", "12345热线接听、工单转办和回访", "120"),
           ("学前教育发展资金", "支持普惠性幼儿园建设，资助家庭经济困难幼儿入园", "5000"),
           ("城乡环境卫生整治", "垃圾清运、公厕保洁和市容巡查", "300")]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "jixiao.cli.main", *args], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _renamed(text: str, names: list[str], k: int) -> str:
    for name in names:
        text = text.replace(name, f"{name}（第{k}批）")
    return text


def make_corpora(root: Path) -> tuple[list[Path], set[str]]:
    """Three folders of renamed seed copies — .txt, .jsonl and .xlsx — and the content hashes a
    catalogue holding the seeds and all three must have."""
    expected = {filing_hash(f) for s in SEED_FILES for f in parse_file(s)}
    names = {s: [f.name for f in parse_file(s)] for s in SEED_FILES}
    folders = []
    for n, kind in enumerate(("txt", "jsonl", "xlsx")):
        folder = root / kind
        folder.mkdir(parents=True)
        for k in range(3 * n, 3 * n + 3):
            for s in SEED_FILES:
                text = _renamed(s.read_text(encoding="utf-8"), names[s], k)
                path = folder / f"{k:02d}-{s.stem[:3]}.{kind}"
                if kind == "txt":
                    path.write_text(text, encoding="utf-8")
                elif kind == "xlsx":
                    write_xlsx([t.rows for t in parse_text(text).tables], path)
                else:
                    tmp = folder / ".tmp.txt"
                    tmp.write_text(text, encoding="utf-8")
                    path.write_text("\n".join(json.dumps(f.model_dump(mode="json"), ensure_ascii=False)
                                              for f in parse_file(tmp)) + "\n", encoding="utf-8")
                    tmp.unlink()
                try:
                    expected |= {filing_hash(f) for f in parse_file(path)}
                except Exception:                # a copy without filings (an .xlsx of a notes page)
                    path.unlink()
        folders.append(folder)
    return folders, expected


def check_catalogue(db: Path) -> list[str]:
    """integrity_check ok, whole filings only; the content hash of every filing (repeats kept)."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute(
            "SELECT COUNT(*) FROM filings f WHERE f.n_indicators != "
            "(SELECT COUNT(*) FROM indicators i WHERE i.filing_id = f.id)").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM indicators i LEFT JOIN filings f ON f.id = i.filing_id "
                            "WHERE f.id IS NULL").fetchone()[0] == 0
        return [h for (h,) in conn.execute("SELECT content_hash FROM filings")]
    finally:
        conn.close()


def _clean(stderr: str) -> bool:
    low = stderr.lower()
    return "locked" not in low and "busy" not in low and "traceback" not in low and "error" not in low


def _suggest(db: Path, k: int) -> subprocess.Popen:
    name, desc, budget = QUERIES[k % len(QUERIES)]
    return _cli("suggest", name, "--desc", desc, "--budget", budget, "--year", "2025", "--db", str(db),
                "--format", "json")


def _check_draft(out: str, k: int) -> None:
    draft = json.loads(out)
    assert draft["project"]["name"] == QUERIES[k % len(QUERIES)][0]
    assert draft["indicators"]


def test_ingests_and_suggests_at_once_lose_nothing(tmp_path):
    folders, expected = make_corpora(tmp_path / "corpora")
    db = tmp_path / "db" / "catalogue.db"
    db.parent.mkdir()
    EngineModel.open(db).close()                       # a catalogue in use, its index fresh
    ingests = [_cli("ingest", str(folder), "--db", str(db), "--batch", "1") for folder in folders]
    running: list[tuple[int, subprocess.Popen]] = []
    done: list[tuple[int, subprocess.Popen]] = []
    during = 0                                          # suggests started while an ingest ran
    while any(p.poll() is None for p in ingests) or len(done) + len(running) < 9:
        done += [(j, p) for j, p in running if p.poll() is not None]
        running = [(j, p) for j, p in running if p.poll() is None]
        while len(running) < 3:                         # three suggest loops
            k = len(done) + len(running)
            running.append((k, _suggest(db, k)))
            during += any(p.poll() is None for p in ingests)
        time.sleep(0.05)
    for j, p in running:
        p.wait(timeout=120)
        done.append((j, p))
    for p in ingests:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert _clean(err), err
    for j, p in done:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert _clean(err), err
        _check_draft(out, j)
    hashes = check_catalogue(db)
    assert len(hashes) == len(set(hashes))              # no filing twice
    assert set(hashes) == expected                      # and none lost
    assert len(done) >= 9 and during >= 3
    print(f"{len(expected)} filings, {len(done)} suggests ({during} started during the ingests)")
    assert not [p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")]


def test_suggests_racing_to_rebuild_a_stale_index_agree(tmp_path):
    folders, _ = make_corpora(tmp_path / "corpora")
    db = tmp_path / "db" / "catalogue.db"
    db.parent.mkdir()
    EngineModel.open(db).close()
    rounds = 0
    for folder in folders:                              # each ingest makes the index stale
        ingest = _cli("ingest", str(folder), "--db", str(db))
        _, err = ingest.communicate(timeout=300)
        assert ingest.returncode == 0 and _clean(err), err
        procs = [_suggest(db, 0) for _ in range(4)]     # all find the index stale and rebuild it
        results = [p.communicate(timeout=180) for p in procs]
        for p, (out, err) in zip(procs, results):
            assert p.returncode == 0, err
            assert _clean(err), err
            _check_draft(out, 0)
        assert len({out for out, _ in results}) == 1    # one catalogue revision, one answer
        meta, indexes = load_indexes(index_path_for(db))
        conn = sqlite3.connect(db)
        revision = conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]
        conn.close()
        assert meta["revision"] == revision and {"filings", "names"} <= indexes.keys()
        rounds += 1
    assert rounds == 3
    assert not [p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")]


def test_suggest_while_an_ingest_commits(tmp_path):
    """Suggests started while an ingest of many small batches is committing answer from some
    whole revision, never a half-written one."""
    folders, expected = make_corpora(tmp_path / "corpora")
    db = tmp_path / "db" / "catalogue.db"
    db.parent.mkdir()
    EngineModel.open(db).close()
    ingest = _cli("ingest", *map(str, folders), "--db", str(db), "--batch", "1")
    answered = 0
    while ingest.poll() is None or answered < 3:
        p = _suggest(db, answered)
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0 and _clean(err), err
        _check_draft(out, answered)
        answered += 1
    _, err = ingest.communicate(timeout=300)
    assert ingest.returncode == 0 and _clean(err), err
    assert sorted(check_catalogue(db)) == sorted(expected)
