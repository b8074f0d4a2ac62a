"""The catalogue's write path: opening (and building on first use), ingesting, feedback.

    open_catalogue(path, bootstrap=True) -> sqlite_utils.Database
    ingest_files(db_path, paths, ...) -> IngestReport
    ingest_filings(db_path, filings, ...) -> IngestReport
    record_feedback(db_path, rows) -> int
    write_transaction(db)                      BEGIN IMMEDIATE … COMMIT, bumping meta 'revision'

One SQLite file in WAL mode, so readers (catalogue.query) go on while one writer works.  Every
write is a BEGIN IMMEDIATE transaction (waiting for other writers, never failing with "database
is locked") that bumps meta 'revision' when it changes what the engine reads.  A new catalogue
is built in a temporary file in the same folder and published with os.link, so exactly one of
several processes starting at once publishes it and nobody sees a half-built file.
"""
from __future__ import annotations

import glob
import os
import random
import secrets
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import sqlite_utils

from corpus.errors import InputError
from corpus.models import Filing

from .library import library_rows, library_version
from .schema import SCHEMA_VERSION, create_schema
from .tags import rules_version, tag_project
from .writer import BatchWriter, Prepared, now, prepare, refresh_statistics

BUSY_TIMEOUT_MS = 20_000
LOCK_WAIT_SECONDS = 600          # how long a writer waits for another writer before giving up
DEFAULT_BATCH = 2000             # filings per write transaction


class CatalogueError(InputError):
    """The catalogue file cannot be used; str(e) is one Chinese line naming the file."""


@dataclass
class IngestReport:
    db_path: str = ""
    files: int = 0                  # files looked at
    files_skipped: int = 0          # files whose exact bytes were read before
    failed: list[tuple[str, str]] = field(default_factory=list)   # (file, one-line message)
    filings_read: int = 0
    added: int = 0
    duplicates: int = 0
    indicators_added: int = 0
    canonical_added: int = 0
    catalogue_filings: int = 0      # filings in the catalogue afterwards
    seconds: float = 0.0


# -- connections and transactions -----------------------------------------------------------------
def connect(path: str | Path) -> sqlite_utils.Database:
    """A connection in autocommit mode (transactions are explicit), WAL, with a busy timeout."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _retry_busy(lambda: conn.execute("PRAGMA journal_mode = WAL"))
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -65536")
    return sqlite_utils.Database(conn, execute_plugins=False)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _retry_busy(action: Callable):
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02 + random.random() * 0.08)


class _Tx:
    changed = True


@contextmanager
def write_transaction(db: sqlite_utils.Database):
    """BEGIN IMMEDIATE (waiting for other writers) … COMMIT; bumps the revision if tx.changed."""
    conn = db.conn
    _retry_busy(lambda: conn.execute("BEGIN IMMEDIATE"))
    tx = _Tx()
    try:
        yield tx
        if tx.changed:
            _bump_revision(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta"))


def _set_meta(conn: sqlite3.Connection, **values) -> None:
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     [(k, str(v)) for k, v in values.items()])


def _bump_revision(conn: sqlite3.Connection) -> None:
    meta = _meta(conn)
    changes = int(meta.get("changes", "0")) + 1
    _set_meta(conn, changes=changes, revision=f"{changes}-{meta.get('catalogue_id', '')[:8]}",
              updated_at=now())


# -- opening and first-use build -------------------------------------------------------------------
def open_catalogue(path: str | Path, bootstrap: bool = True) -> sqlite_utils.Database:
    """Open a catalogue, creating it when the file is missing or empty.

    A new catalogue gets the schema and the common-indicator library, and with `bootstrap` the
    filings the package ships (corpus.parse.shipped_seed_files()).  An existing one is brought
    up to date with the shipped library and tag rules.  Raises CatalogueError for a file that
    is not a jixiao catalogue.
    """
    path = Path(path)
    if path.is_dir():
        raise CatalogueError(path, "这是一个文件夹，不是指标库文件")
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _build_and_publish(path, bootstrap)
        db = connect(path)
    except sqlite3.DatabaseError as exc:
        raise CatalogueError(path, f"无法打开指标库（{exc}）") from None
    except OSError as exc:
        raise CatalogueError(path, f"无法建立指标库（{exc.strerror or exc}）") from None
    try:
        _bring_up_to_date(db, path, bootstrap)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise CatalogueError(path, f"不是可用的 jixiao 指标库（{exc}）") from None
    except BaseException:
        db.close()
        raise
    return db


STALE_BUILD_SECONDS = 3600       # a temporary build this old was left by a killed process


def _remove_stale_builds(path: Path) -> None:
    cutoff = time.time() - STALE_BUILD_SECONDS
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp*"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            pass


def _build_and_publish(path: Path, bootstrap: bool) -> None:
    _remove_stale_builds(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        db = connect(tmp)
        try:
            with write_transaction(db):
                _initialise(db, bootstrap)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)              # exactly one builder wins; the others use its file
        except FileExistsError:
            pass
        except OSError:                      # no hard links here: replace unless someone won
            if not path.exists():
                os.replace(tmp, path)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            try:
                leftover.unlink()
            except FileNotFoundError:
                pass


def _initialise(db: sqlite_utils.Database, bootstrap: bool) -> None:
    """Schema, identity, library, tag-rules version and (bootstrap) the shipped filings."""
    create_schema(db)
    conn = db.conn
    _set_meta(conn, schema=SCHEMA_VERSION, catalogue_id=secrets.token_hex(8), created_at=now(),
              changes=0, revision="0")
    _load_library(db)
    _set_meta(conn, tags_version=rules_version())
    if bootstrap:
        from corpus.parse import parse_file, shipped_seed_files

        from .fingerprint import file_sha256

        writer = BatchWriter(conn)
        for seed in shipped_seed_files():
            sha = file_sha256(seed)
            filings = parse_file(seed)
            writer.write([prepare(f, sha) for f in filings], [(sha, str(seed), len(filings))])
        refresh_statistics(conn)


def _bring_up_to_date(db: sqlite_utils.Database, path: Path, bootstrap: bool) -> None:
    conn = db.conn
    tables = set(db.table_names())
    if "meta" not in tables:
        if tables:
            raise CatalogueError(path, "不是 jixiao 指标库（SQLite 文件中没有 meta 表）")
        with write_transaction(db):          # an empty file: build it in place, one writer only
            if "meta" not in set(db.table_names()):
                _initialise(db, bootstrap)
    meta = _meta(conn)
    if int(meta.get("schema", "0")) > SCHEMA_VERSION:
        raise CatalogueError(path, "指标库由较新版本的 jixiao 建立，请升级 jixiao")
    if int(meta.get("schema", "0")) < SCHEMA_VERSION:
        with write_transaction(db):
            create_schema(db)
            _set_meta(conn, schema=SCHEMA_VERSION)
    if meta.get("library_version") != library_version():
        with write_transaction(db) as tx:
            tx.changed = _meta(conn).get("library_version") != library_version()
            if tx.changed:
                _load_library(db)
    if meta.get("tags_version") != rules_version():
        with write_transaction(db) as tx:
            tx.changed = _meta(conn).get("tags_version") != rules_version()
            if tx.changed:
                retag(db)


def _load_library(db: sqlite_utils.Database) -> None:
    db.execute("DELETE FROM library")
    db["library"].insert_all(library_rows(), alter=True)   # older catalogues gain the new columns
    _set_meta(db.conn, library_version=library_version())


def retag(db: sqlite_utils.Database) -> None:
    """Recompute every filing's tags and the canonical tag counts (inside a write transaction)."""
    conn = db.conn
    rows = conn.execute("SELECT id, name, description FROM filings").fetchall()
    tags = {fid: tag_project(name, description or "") for fid, name, description in rows}
    conn.execute("DELETE FROM filing_tags")
    conn.executemany("INSERT INTO filing_tags (filing_id, tag, score, rank) VALUES (?,?,?,?)",
                     [(fid, t, s, r) for fid, ts in tags.items() for r, (t, s) in enumerate(ts)])
    conn.executemany("UPDATE filings SET primary_tag = ? WHERE id = ?",
                     [(ts[0][0], fid) for fid, ts in tags.items()])
    conn.execute("DELETE FROM canonical_tags")
    conn.execute(
        "INSERT INTO canonical_tags (canonical_id, tag, n) "
        "SELECT i.canonical_id, ft.tag, COUNT(DISTINCT i.filing_id) FROM indicators i "
        "JOIN filing_tags ft ON ft.filing_id = i.filing_id WHERE i.canonical_id IS NOT NULL "
        "GROUP BY i.canonical_id, ft.tag")
    refresh_statistics(conn, everything=True)
    _set_meta(conn, tags_version=rules_version())


# -- ingest ------------------------------------------------------------------------------------------
class _Ingest:
    """Collects parsed filings and writes them in batches of whole filings."""

    def __init__(self, db: sqlite_utils.Database, report: IngestReport, batch_size: int,
                 progress: Callable[[IngestReport], None] | None):
        self.db, self.report = db, report
        self.batch_size = max(1, int(batch_size))
        self.progress = progress
        self.writer = BatchWriter(db.conn)
        self.pending: list = []
        self.sources: list[tuple[str, str, int]] = []

    def add(self, items: list[Prepared], source: tuple[str, str, int] | None = None) -> None:
        for item in items:
            self.pending.append(item)
            if len(self.pending) >= self.batch_size:
                self.flush()
        if source:
            self.sources.append(source)

    def flush(self, last: bool = False) -> None:
        """Write what is pending; the last flush of a run also refreshes the canonical
        statistics its batches (or an interrupted earlier run) left dirty."""
        if not self.pending and not self.sources and not last:
            return
        with write_transaction(self.db) as tx:
            res = self.writer.write(self.pending, self.sources)
            refreshed = refresh_statistics(self.db.conn) if last else 0
            tx.changed = res.added > 0 or refreshed > 0
        self.pending, self.sources = [], []
        r = self.report
        r.added += res.added
        r.duplicates += res.duplicates
        r.indicators_added += res.indicators
        r.canonical_added += res.canonical_added
        if self.progress:
            self.progress(r)


_KNOWN: frozenset = frozenset()       # sources already stored, as a reading worker was forked


def _read_one(path: Path, known) -> tuple:
    """(sha256 or None, its filings prepared for the writer or None, problem or None) for one
    input file; the file is not parsed when its exact bytes were stored before (sha in `known`)."""
    from corpus.errors import InputError
    from corpus.parse import parse_file

    from .fingerprint import file_sha256

    try:
        sha = file_sha256(path) if path.is_file() else None
        if sha in known:
            return sha, None, None
        return sha, [prepare(f, sha) for f in parse_file(path)], None
    except InputError as exc:
        return None, None, str(exc)
    except OSError as exc:
        return None, None, f"{path}：无法读取（{exc.strerror or exc}）"


def _read_in_worker(path: Path) -> tuple:
    return _read_one(path, _KNOWN)


def _read_ahead(files: list[Path], known: dict) -> Iterator[tuple[Path, tuple]]:
    """_read_one of every file, in order.  With several files and a second core, files are read
    by forked worker processes (all cores but the one writing), a few files ahead of the writer,
    so parsing and storing overlap; a worker that dies is replaced by reading here."""
    from corpus.parallel import fork_pool, jobs

    global _KNOWN
    _KNOWN = frozenset(known)              # the workers forked now see it
    workers = jobs() - 1
    pool = fork_pool(workers) if len(files) >= 2 else None
    if pool is None:
        _KNOWN = frozenset()
        for path in files:
            yield path, _read_one(path, known)
        return
    from collections import deque
    from concurrent.futures.process import BrokenProcessPool

    window: deque = deque()
    try:
        pending = iter(files)
        while True:
            while len(window) <= workers:             # keep each worker one file ahead
                path = next(pending, None)
                if path is None:
                    break
                try:
                    window.append((path, pool.submit(_read_in_worker, path)))
                except (BrokenProcessPool, RuntimeError):     # a worker died: read here
                    window.append((path, None))
            if not window:
                return
            path, future = window.popleft()
            try:
                got = future.result() if future is not None else _read_one(path, known)
            except BrokenProcessPool:
                got = _read_one(path, known)
            yield path, got
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _KNOWN = frozenset()


def ingest_files(db_path: str | Path, paths: Iterable[str | Path], *, bootstrap: bool = True,
                 batch_size: int = DEFAULT_BATCH,
                 progress: Callable[[IngestReport], None] | None = None) -> IngestReport:
    """Read files and folders of past filings (every format corpus.parse reads) into the catalogue.

    A file that cannot be read is listed in report.failed and the others still go in.  Filings
    go in whole, in transactions of up to `batch_size` filings; a filing already in the
    catalogue (same content hash) is counted in report.duplicates; a file whose exact bytes were
    read before is not parsed again.
    """
    from corpus.parse import iter_input_files

    start = time.perf_counter()
    report = IngestReport(db_path=str(db_path))
    db = open_catalogue(db_path, bootstrap=bootstrap)
    try:
        known = dict(db.conn.execute("SELECT sha256, filings FROM sources"))
        run = _Ingest(db, report, batch_size, progress)
        with closing(_read_ahead(list(iter_input_files(paths)), known)) as reads:
            for path, (sha, items, problem) in reads:
                report.files += 1
                if problem is not None:
                    report.failed.append((str(path), problem))
                    continue
                if sha in known:
                    report.files_skipped += 1
                    report.filings_read += known[sha]
                    report.duplicates += known[sha]
                    continue
                report.filings_read += len(items)
                if sha is not None:
                    known[sha] = len(items)
                run.add(items, (sha, str(path), len(items)) if sha else None)
        run.flush(last=True)
        report.catalogue_filings = db.conn.execute("SELECT COUNT(*) FROM filings").fetchone()[0]
    finally:
        db.close()
    report.seconds = time.perf_counter() - start
    return report


def ingest_filings(db_path: str | Path, filings: Iterable[Filing], *, bootstrap: bool = True,
                   batch_size: int = DEFAULT_BATCH,
                   progress: Callable[[IngestReport], None] | None = None) -> IngestReport:
    """Store filings already in memory (same rules as ingest_files, no source files)."""
    start = time.perf_counter()
    report = IngestReport(db_path=str(db_path))
    db = open_catalogue(db_path, bootstrap=bootstrap)
    try:
        run = _Ingest(db, report, batch_size, progress)
        for f in filings:
            report.filings_read += 1
            run.add([prepare(f)])
        run.flush(last=True)
        report.catalogue_filings = db.conn.execute("SELECT COUNT(*) FROM filings").fetchone()[0]
    finally:
        db.close()
    report.seconds = time.perf_counter() - start
    return report


# -- feedback ------------------------------------------------------------------------------------------
def record_feedback(db_path: str | Path, rows: Iterable[tuple[str, str, str, str]]) -> int:
    """Record what an officer did with suggested indicators: (name, level2, action, project).

    action is one of keep / add / change / reject.  Feedback is read live by the engine and does
    not change the TF-IDF indexes, so it does not bump the revision.  Returns rows recorded.
    """
    from .canonical import level2_name
    from .query import FEEDBACK_WEIGHT

    clean = []
    for name, level2, action, project in rows:
        if action not in FEEDBACK_WEIGHT:
            raise ValueError(f"unknown feedback action {action!r}")
        if not (name or "").strip():
            raise ValueError("feedback needs an indicator name")
        clean.append((name.strip(), level2_name(level2) or (level2 or ""), action,
                      project or "", now()))
    if not clean:
        return 0
    db = open_catalogue(db_path, bootstrap=True)
    try:
        with write_transaction(db) as tx:
            tx.changed = False
            db.conn.executemany("INSERT INTO feedback (name, level2, action, project, created_at) "
                                "VALUES (?,?,?,?,?)", clean)
    finally:
        db.close()
    return len(clean)
