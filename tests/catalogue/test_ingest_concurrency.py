"""Ingest under stress, with real processes: SIGKILL after chosen progress events, parallel ingests into one
catalogue, several processes building the default catalogue at once.

The corpus is made from the seeds: copies with every project renamed (…（第k批）) under varied
file names and folders, so each copy holds new filings.
"""
from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from jixiao.catalogue.fingerprint import filing_hash
from jixiao.catalogue.query import CatalogueReader
from conftest import ROOT, SEEDS
from jixiao.corpus.parse import parse_file

pytestmark = [pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals"), pytest.mark.slow]


def _env(**extra) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **extra}


def _ingest(*args: str, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "jixiao.cli.main", "ingest", *args], cwd=ROOT,
                            env=_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def make_corpus(folder, copies: int):
    """Seed copies with renamed projects; returns the content hashes of every filing a
    catalogue built from the seeds plus this folder must hold."""
    expected = {filing_hash(f) for s in SEEDS for f in parse_file(s)}
    names = {s: [f.name for f in parse_file(s)] for s in SEEDS}
    for k in range(copies):
        sub = folder / (f"{2019 + k % 6}年" if k % 2 else "汇总") / f"批次{k:02d}"
        sub.mkdir(parents=True)
        for s in SEEDS:
            text = s.read_text(encoding="utf-8")
            for name in names[s]:
                text = text.replace(name, f"{name}（第{k}批）")
            path = sub / f"{k:02d}-{s.stem[4:12]}-{'副本' if k % 3 else '终稿'}.txt"
            path.write_text(text, encoding="utf-8")
            expected |= {filing_hash(f) for f in parse_file(path)}
    return expected


def check_consistent(db) -> set[str]:
    """A catalogue after any interruption: opens, passes integrity_check, whole filings only.
    Returns the content hashes it holds."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        broken = conn.execute(
            "SELECT f.name, f.n_indicators, (SELECT COUNT(*) FROM indicators i WHERE i.filing_id = f.id) "
            "FROM filings f WHERE f.n_indicators != (SELECT COUNT(*) FROM indicators i WHERE i.filing_id = f.id)"
        ).fetchall()
        assert broken == []
        assert conn.execute("SELECT COUNT(*) FROM indicators i LEFT JOIN filings f ON f.id = i.filing_id "
                            "WHERE f.id IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM indicators i LEFT JOIN canonical c ON c.id = i.canonical_id "
                            "WHERE c.id IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM filings f WHERE NOT EXISTS "
                            "(SELECT 1 FROM filing_tags t WHERE t.filing_id = f.id)").fetchone()[0] == 0
        assert conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]
        hashes = [h for (h,) in conn.execute("SELECT content_hash FROM filings")]
        assert len(hashes) == len(set(hashes))
        return set(hashes)
    finally:
        conn.close()


def _changes(db) -> int:
    """How many write transactions a catalogue has committed (0 while it does not exist)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'changes'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return 0
    return int(row[0]) if row else 0


# Kill moments are progress events of the ingest, never wall-clock delays: -1 = at once (Python
# still starting), 0 = the first file in the catalogue's folder (the first build under way),
# k >= 1 = the catalogue has committed k write transactions (meta 'changes').  The corpus below
# takes about 46 transactions; the spread stops at 40 so every kill leaves work still to do.
KILL_EVENTS = [-1, 0, *range(1, 37, 2), 38, 40]


def _kill_at(proc, db, event: int) -> bool:
    """SIGKILL the ingest right after progress event `event` (see KILL_EVENTS); False if it ended
    before the event."""
    if event == 0:
        while proc.poll() is None and not (db.parent.exists() and any(db.parent.iterdir())):
            time.sleep(0.002)
    elif event > 0:
        while proc.poll() is None and _changes(db) < event:
            time.sleep(0.002)
    if proc.poll() is not None:
        return False
    proc.send_signal(signal.SIGKILL)
    return True


def test_killed_ingest_leaves_a_consistent_catalogue_and_resumes(tmp_path):
    """22 ingests into new catalogues, each SIGKILLed right after one progress event (start-up,
    building the catalogue, after k committed transactions for k spread over the run); then some
    run again to the end."""
    expected = make_corpus(tmp_path / "corpus", copies=6)
    killed = []
    for run, event in enumerate(KILL_EVENTS):
        db = tmp_path / f"run{run:02d}" / "catalogue.db"
        db.parent.mkdir()
        proc = _ingest(str(tmp_path / "corpus"), "--db", str(db), "--batch", "3")
        if _kill_at(proc, db, event):
            killed.append(db)
        proc.communicate()
        if db.exists():                            # killed before the first build was published: no file
            assert check_consistent(db) <= expected, f"killed after event {event}, run {run}"
        else:
            assert db in killed
    assert len(killed) >= 20, f"only {len(killed)} of {len(KILL_EVENTS)} runs were killed before they ended"
    for db in killed[:2] + killed[-2:]:
        proc = _ingest(str(tmp_path / "corpus"), "--db", str(db))
        _, errors = proc.communicate(timeout=120)
        assert proc.returncode == 0, errors
        assert check_consistent(db) == expected, db.parent.name
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT COUNT(*) FROM dirty_canonical").fetchone()[0] == 0
        assert conn.execute("SELECT SUM(usage) FROM canonical").fetchone()[0] == conn.execute(
            "SELECT COUNT(*) FROM (SELECT DISTINCT filing_id, canonical_id FROM indicators)").fetchone()[0]
        conn.close()


def test_parallel_ingests_store_every_filing_exactly_once(tmp_path):
    expected = make_corpus(tmp_path / "corpus", copies=4)
    files = sorted((tmp_path / "corpus").rglob("*.txt"))
    orders = [files, files[::-1], files[1::2] + files[::2]]
    db = tmp_path / "shared" / "catalogue.db"              # does not exist yet: built concurrently too
    procs = [_ingest(*map(str, order), "--db", str(db), "--batch", "2") for order in orders]
    reads = 0
    while any(p.poll() is None for p in procs):               # an engine reading meanwhile
        if db.exists():
            reader = CatalogueReader(db)
            ids = [fid for fid, _ in reader.filing_texts()]
            assert ids == sorted(set(ids))                  # one text per filing, by id, mid-write
            reader.revision()
            reader.close()
            reads += 1
        time.sleep(0.05)
    results = [p.communicate() for p in procs]
    for p, (out, errors) in zip(procs, results):
        assert p.returncode == 0, errors
        assert "locked" not in errors.lower()
    assert check_consistent(db) == expected
    added = sum(int(re.search(r"新增申报表 (\d+) 张", out).group(1)) for out, _ in results)
    assert added == len(expected) - 22                       # the 22 seed filings came with the build
    assert [p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_processes_building_the_default_catalogue_at_once_agree(tmp_path):
    for attempt in range(2):
        home = tmp_path / f"home{attempt}"
        home.mkdir()
        procs = [subprocess.Popen([sys.executable, "-m", "jixiao.cli.main", "catalogue", "stats", "--format", "json"],
                                  cwd=ROOT, env=_env(XDG_DATA_HOME=str(home), JIXIAO_DB=""),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
        results = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), [e for _, e in results]
        stats = [json.loads(out) for out, _ in results]
        assert all(s == stats[0] for s in stats)
        assert stats[0]["filings"] == 22 and stats[0]["project_filings"] == 20
        assert sorted(p.name for p in (home / "jixiao").iterdir()) == ["catalogue.db"]
        check_consistent(home / "jixiao" / "catalogue.db")
