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

from jixiao.corpus.errors import InputError
from jixiao.corpus.models import Filing
from jixiao.corpus.safe_text import clean_text

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


def _meta_int(meta: dict[str, str], key: str, path: Path | str = "") -> int:
    """A number kept in meta; a damaged value is named, not a traceback."""
    raw = meta.get(key, "0")
    try:
        return int(str(raw).strip())
    except ValueError:
        raise CatalogueError(path or "指标库", f"指标库的元数据已损坏（meta.{key} = {str(raw)[:30]!r}，应为整数）；"
                                               "请从备份恢复，或换一个文件名重新建立指标库") from None


def _bump_revision(conn: sqlite3.Connection) -> None:
    meta = _meta(conn)
    changes = _meta_int(meta, "changes") + 1
    _set_meta(conn, changes=changes, revision=f"{changes}-{meta.get('catalogue_id', '')[:8]}",
              updated_at=now())


# -- opening and first-use build -------------------------------------------------------------------
SQLITE_HEADER = b"SQLite format 3\x00"
READ_ONLY_PROBLEM = "指标库所在的文件夹不可写入（只读），无法加入申报表；查询和推荐照常可用"


def database_problem(exc: sqlite3.Error) -> str:
    """An SQLite error as the officer reads it (damage named as damage)."""
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError) \
            or "malformed" in text or "not a database" in text:
        return f"指标库文件已损坏（{text}）；请从备份恢复，或换一个文件名重新建立指标库"
    return f"无法使用指标库（{text}）"


def _check_existing(path: Path) -> None:
    """Refuse a file that is not a jixiao catalogue *before* anything is written to it: a
    connection of ours would switch another application's database to WAL for good."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise CatalogueError(path, f"无法读取指标库（{exc.strerror or exc}）") from None
    if not header:
        return                                   # an empty file: built in place
    if header != SQLITE_HEADER:
        raise CatalogueError(path, "不是 SQLite 文件，也不是 jixiao 指标库；未作任何改动")
    from .ready import connect_read_only

    try:
        conn = connect_read_only(path)
        try:
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            meta = dict(conn.execute("SELECT key, value FROM meta")) if "meta" in tables else {}
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            return                               # a writer holds it: it is ours, checked before
        raise CatalogueError(path, database_problem(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise CatalogueError(path, database_problem(exc)) from None
    if tables and ("meta" not in tables or "catalogue_id" not in meta):
        what = "SQLite 文件中没有 meta 表" if "meta" not in tables else "meta 表中没有指标库标识"
        raise CatalogueError(path, f"不是 jixiao 指标库（{what}），可能是其他软件的数据库；未作任何改动")


def open_catalogue(path: str | Path, bootstrap: bool = True) -> sqlite_utils.Database:
    """Open a catalogue, creating it when the file is missing or empty.

    A new catalogue gets the schema and the common-indicator library, and with `bootstrap` the
    filings the package ships (corpus.parse.shipped_seed_files()).  An existing one is brought
    up to date with the shipped library and tag rules.  Raises CatalogueError for a file that
    is not a jixiao catalogue (refused before anything is written to it), a damaged one, or one
    whose folder cannot be written.  Temporaries a killed run left beside it are removed first.
    """
    path = Path(path)
    if path.is_dir():
        raise CatalogueError(path, "这是一个文件夹，不是指标库文件")
    from .ready import cannot_write_beside, sweep_leftovers

    sweep_leftovers(path)
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _build_and_publish(path, bootstrap)
        else:
            _check_existing(path)
            if cannot_write_beside(path):
                return _open_read_only(path)
        db = connect(path)
    except sqlite3.Error as exc:
        raise CatalogueError(path, database_problem(exc)) from None
    except OSError as exc:
        raise CatalogueError(path, f"无法建立指标库（{exc.strerror or exc}）") from None
    try:
        _bring_up_to_date(db, path, bootstrap)
    except sqlite3.OperationalError as exc:
        db.close()
        raise CatalogueError(path, database_problem(exc)) from None
    except sqlite3.DatabaseError as exc:
        db.close()
        raise CatalogueError(path, database_problem(exc)) from None
    except BaseException:
        db.close()
        raise
    return db


def _open_read_only(path: Path) -> sqlite_utils.Database:
    """A catalogue in a folder nobody may write to (catalogue.ready): read as it is, immutable;
    is_read_only(db) is True and writers refuse it with a message."""
    from .ready import connect_read_only

    conn = connect_read_only(path)
    conn.execute("SELECT count(*) FROM meta").fetchone()
    db = sqlite_utils.Database(conn, execute_plugins=False)
    db._jixiao_read_only = True
    return db


def is_read_only(db: sqlite_utils.Database) -> bool:
    return bool(getattr(db, "_jixiao_read_only", False))


def _build_and_publish(path: Path, bootstrap: bool) -> None:
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
        from jixiao.corpus.parse import parse_file, shipped_seed_files

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
    schema = _meta_int(meta, "schema", path)
    _meta_int(meta, "changes", path)
    if schema > SCHEMA_VERSION:
        raise CatalogueError(path, "指标库由较新版本的 jixiao 建立，请升级 jixiao")
    if schema < SCHEMA_VERSION:
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
    rows = conn.execute("SELECT id, name, description, department FROM filings").fetchall()
    tags = {fid: tag_project(name, description or "", department or "") for fid, name, description, department in rows}
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
    input file; the file is not parsed when its exact bytes were stored before (sha in `known`).

    One bad file never costs the run: whatever goes wrong reading or preparing it becomes its
    problem line.  A JSON file with some unusable records gives its good filings *and* a problem
    (PartlyReadError): the good ones are stored, the bad ones listed."""
    from jixiao.corpus.errors import InputError, PartlyReadError
    from jixiao.corpus.parse import parse_file

    from .fingerprint import file_sha256

    sha = None
    try:
        sha = file_sha256(path) if path.is_file() else None
        if sha in known:
            return sha, None, None
        try:
            return sha, [prepare(f, sha) for f in parse_file(path)], None
        except PartlyReadError as exc:
            return sha, [prepare(f, sha) for f in exc.filings], str(exc)
    except InputError as exc:
        return None, None, str(exc)
    except OSError as exc:
        return None, None, str(InputError(path, f"无法读取（{exc.strerror or exc}）"))
    except (MemoryError, RecursionError):
        return None, None, str(InputError(path, "文件过大或结构过深，无法处理"))
    except Exception as exc:  # never one file's surprise for the whole run: name it, go on
        return None, None, str(InputError(path, f"无法读取（{type(exc).__name__}）：{str(exc)[:120]}"))


def _read_in_worker(path: Path) -> tuple:
    return _read_one(path, _KNOWN)


def _read_ahead(files: list[Path], known: dict) -> Iterator[tuple[Path, tuple]]:
    """_read_one of every file, in order.  With several files and a second core, files are read
    by forked worker processes (all cores but the one writing), a few files ahead of the writer,
    so parsing and storing overlap; a worker that dies is replaced by reading here."""
    from jixiao.corpus.parallel import jobs, map_in_order

    global _KNOWN
    _KNOWN = frozenset(known)              # the workers forked now see it
    workers = jobs() - 1 if len(files) >= 2 else 0
    results = map_in_order(_read_in_worker, files, workers, local=lambda path: _read_one(path, known),
                           chunksize=1, ahead=workers + 1)      # keep each worker one file ahead
    try:
        yield from zip(files, results)
    finally:
        results.close()
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
    from jixiao.corpus.parse import iter_input_files

    start = time.perf_counter()
    report = IngestReport(db_path=str(db_path))
    db = open_catalogue(db_path, bootstrap=bootstrap)
    if is_read_only(db):
        db.close()
        raise CatalogueError(db_path, READ_ONLY_PROBLEM)
    try:
        known = dict(db.conn.execute("SELECT sha256, filings FROM sources"))
        run = _Ingest(db, report, batch_size, progress)
        with closing(_read_ahead(list(iter_input_files(paths)), known)) as reads:
            for path, (sha, items, problem) in reads:
                report.files += 1
                if problem is not None:
                    report.failed.append((str(path), problem))
                    if items is None:
                        continue
                if sha in known:
                    report.files_skipped += 1
                    report.filings_read += known[sha]
                    report.duplicates += known[sha]
                    continue
                report.filings_read += len(items)
                if sha is not None:
                    known[sha] = len(items)
                run.add(items, (sha, clean_text(str(path)), len(items)) if sha else None)
        run.flush(last=True)
        report.catalogue_filings = db.conn.execute("SELECT COUNT(*) FROM filings").fetchone()[0]
        _check_integrity(db, Path(db_path))
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and not _damaged(exc):
            raise                        # disk full, read-only …: the command names the file
        raise CatalogueError(db_path, database_problem(exc)) from None
    finally:
        db.close()
    report.seconds = time.perf_counter() - start
    return report


def _damaged(exc: sqlite3.Error) -> bool:
    return "malformed" in str(exc) or "not a database" in str(exc)


def _check_integrity(db: sqlite_utils.Database, path: Path) -> None:
    """PRAGMA quick_check after an ingest run (every page of the file, ~0.2 s per 100 MB): a run
    that found every file already read must not report success on a damaged catalogue."""
    rows = [str(r[0]) for r in db.conn.execute("PRAGMA quick_check(3)")]
    if rows != ["ok"]:
        first = next((line for r in rows for line in r.splitlines() if line and not line.startswith("***")), "")
        raise CatalogueError(path, f"指标库文件已损坏（完整性检查未通过：{first[:80]}）；"
                                   "请从备份恢复，或换一个文件名重新建立指标库")


def ingest_filings(db_path: str | Path, filings: Iterable[Filing], *, bootstrap: bool = True,
                   batch_size: int = DEFAULT_BATCH,
                   progress: Callable[[IngestReport], None] | None = None) -> IngestReport:
    """Store filings already in memory (same rules as ingest_files, no source files)."""
    start = time.perf_counter()
    report = IngestReport(db_path=str(db_path))
    db = open_catalogue(db_path, bootstrap=bootstrap)
    if is_read_only(db):
        db.close()
        raise CatalogueError(db_path, READ_ONLY_PROBLEM)
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
FEEDBACK_ACTIONS = ("keep", "add", "change", "reject")


def _feedback_session_column(conn: sqlite3.Connection) -> None:
    """Catalogues made before feedback named its session: add the column (in a write transaction)."""
    cols = {r[1] for r in conn.execute("PRAGMA table_info(feedback)")}
    if "session" not in cols:
        conn.execute("ALTER TABLE feedback ADD COLUMN session TEXT")


def record_feedback(db_path: str | Path, rows: Iterable[tuple[str, str, str, str]], session: str = "") -> int:
    """Record what an officer did with suggested indicators: (name, level2, action, project).

    action is one of keep / add / change / reject; `session` names the chat session they come
    from (its file name without .json), so `jixiao feedback` can show and undo them by session.
    Feedback is read live by the engine and does not change the TF-IDF indexes, so it does not
    bump the revision.  Returns rows recorded.
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
                      project or "", now(), session or ""))
    if not clean:
        return 0
    with _feedback_writer(db_path) as conn:
        conn.executemany("INSERT INTO feedback (name, level2, action, project, created_at, session) "
                         "VALUES (?,?,?,?,?,?)", clean)
    return len(clean)


@contextmanager
def _feedback_writer(db_path: str | Path):
    """A connection inside one write transaction that changes no indicator (feedback only: the
    catalogue revision, and with it the search index, stays as it is)."""
    db = open_catalogue(db_path, bootstrap=True)
    try:
        with write_transaction(db) as tx:
            tx.changed = False
            _feedback_session_column(db.conn)
            yield db.conn
    finally:
        db.close()


def undo_feedback(db_path: str | Path, ref: str) -> int:
    """Take back what the catalogue learned: one record by its number (as `jixiao feedback list`
    shows it) or every record of one chat session (its name).  Returns the records removed."""
    ref = str(ref).strip()
    if not ref:
        return 0
    with _feedback_writer(db_path) as conn:
        if ref.isdigit():
            return conn.execute("DELETE FROM feedback WHERE id = ?", (int(ref),)).rowcount
        return conn.execute("DELETE FROM feedback WHERE session = ?", (ref,)).rowcount


def clear_feedback(db_path: str | Path) -> int:
    """Forget everything learned from chat choices.  Returns the records removed."""
    with _feedback_writer(db_path) as conn:
        return conn.execute("DELETE FROM feedback").rowcount
