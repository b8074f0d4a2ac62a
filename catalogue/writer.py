"""Writing a batch of filings into an open write transaction: the bulk ingest path.

    prepare(filing) -> Prepared      hash, tags and merge keys (done before taking the lock)
    BatchWriter(conn).write(items)   inside BEGIN IMMEDIATE: dedupe by content hash, assign ids,
                                     attach indicators to canonical ones (or create them), insert
                                     with executemany, add up usage / value / tag counts and mark
                                     the canonical indicators touched as dirty
    refresh_statistics(conn)         typical value, name, tags, range … of the dirty ones (once
                                     per ingest run, in its last transaction)

Each call writes whole filings only; the caller commits (or rolls back) the transaction.
"""
from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple
from datetime import datetime, timezone

from jixiao.corpus.models import Filing
from jixiao.corpus.textkeys import nfkc_squashed

from .canonical import CanonicalIndex, level2_code, name_key
from .fingerprint import filing_hash
from .schema import FTS_TABLE
from .tags import fallback_tag, tag_code, tag_project


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class FilingRow(NamedTuple):
    """The columns of a filings row the filing itself gives (in table order)."""
    kind: str
    name: str
    department: str | None
    year: int | None
    budget: float | None
    period: str | None
    description: str | None
    src_file: str | None
    src_table: int | None
    src_row: int | None


class IndicatorRow(NamedTuple):
    """The columns of an indicators row the indicator itself gives (in table order); src_file
    only when it is not the filing's."""
    level1: str
    level2: str
    level1_raw: str | None
    level2_raw: str | None
    name: str
    value: str
    basis: str | None
    kind: str | None
    op: str | None
    number: float | None
    unit: str | None
    year: int | None
    src_file: str | None
    src_table: int | None
    src_row: int | None


# A prepared filing's indicators are plain tuples in IndicatorRow's field order: ingest sends
# 1.5 million of them from reading workers, and named tuples pickle about three times slower.
# The writer reads the fields it needs by name through this getter.
_CANONICAL_FIELDS = itemgetter(*map(IndicatorRow._fields.index,
                                     ("level1", "level2", "name", "value", "number", "unit")))


class Prepared(NamedTuple):
    """A filing reduced to what the writer stores (cheap to send from a reading worker process):
    content hash, tags, filing columns, indicator columns (IndicatorRow order) and merge keys."""
    hash: str
    tags: list[tuple[str, float]]
    row: FilingRow
    indicators: list[tuple]
    keys: list[str]
    file_sha: str | None = None


def prepare(filing: Filing, file_sha: str | None = None) -> Prepared:
    f = filing
    src = f.source
    src_file = src.file if src else None
    indicators = []
    for i in f.indicators:
        pv, isrc = i.parsed, i.source
        indicators.append((i.level1, i.level2, i.level1_raw, i.level2_raw, i.name, i.value, i.basis,
                           pv.kind, pv.op, pv.number, pv.unit, pv.year,
                           isrc.file if isrc and isrc.file != src_file else None,
                           isrc.table if isrc else None, isrc.row if isrc else None))
    return Prepared(filing_hash(f), tag_project(f.name, f.description, f.department or ""),
                    FilingRow(f.kind, f.name, f.department, f.year, f.budget, f.period, f.description,
                              src_file, src.table if src else None, src.row if src else None),
                    indicators, [name_key(i.name) for i in f.indicators], file_sha)


@dataclass
class BatchResult:
    added: int = 0
    duplicates: int = 0
    indicators: int = 0
    canonical_added: int = 0


def _code_type(indicator_name: str, filing_tag: str) -> str:
    """The type in a new canonical code: what the indicator name itself says (热线接通率 → 热线),
    else the primary tag of the filing it first came from."""
    tag = tag_project(indicator_name)[0][0]
    return filing_tag if tag == fallback_tag() else tag


def _max_id(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]


class BatchWriter:
    """Keeps the canonical index in memory across the batches of one ingest run."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.index = CanonicalIndex()

    def existing_hashes(self, hashes: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(hashes), 500):
            part = hashes[i:i + 500]
            marks = ",".join("?" * len(part))
            found.update(h for (h,) in self.conn.execute(
                f"SELECT content_hash FROM filings WHERE content_hash IN ({marks})", part))
        return found

    def write(self, items: list[Prepared], sources: list[tuple[str, str, int]] = ()) -> BatchResult:
        """Write these filings (skipping ones already stored) and record the source files."""
        try:
            return self._write(items, sources)
        except BaseException:          # the transaction rolls back: forget keys it never stored
            self.index = CanonicalIndex()
            raise

    def _write(self, items: list[Prepared], sources) -> BatchResult:
        conn, res = self.conn, BatchResult()
        stamp = now()
        if sources:
            conn.executemany("INSERT OR IGNORE INTO sources (sha256, path, filings, ingested_at) "
                             "VALUES (?, ?, ?, ?)", [(s, p, n, stamp) for s, p, n in sources])
        known = self.existing_hashes([p.hash for p in items])
        fresh, seen = [], set()
        for p in items:
            if p.hash in known or p.hash in seen:
                res.duplicates += 1
            else:
                seen.add(p.hash)
                fresh.append(p)
        if not fresh:
            return res
        self.index.refresh(conn)
        fid, iid = _max_id(conn, "filings"), _max_id(conn, "indicators")
        cid_next, vid = _max_id(conn, "canonical"), _max_id(conn, "canonical_names")
        seqs = dict(conn.execute("SELECT prefix, last FROM code_seq"))
        seq_touched: set[str] = set()

        index = self.index
        by_key, variants = index.by_key, index.variants
        filing_rows, tag_rows, ind_rows, canon_rows, new_names = [], [], [], [], []
        name_counts: dict[int, int] = {}                  # variant id -> indicators
        value_counts: dict[tuple, int] = {}               # (cid, value, number, unit) -> indicators
        tag_counts: Counter = Counter()                   # (cid, tag) -> filings
        usage: Counter = Counter()                        # cid -> filings
        for p in fresh:
            fid += 1
            primary = p.tags[0][0]
            filing_rows.append((fid, p.hash, *p.row, len(p.indicators), primary, p.file_sha, stamp))
            tag_rows.extend((fid, t, s, r) for r, (t, s) in enumerate(p.tags))
            used: set[int] = set()
            for pos, (ind, key) in enumerate(zip(p.indicators, p.keys)):
                level1, level2, name, value, number, unit = _CANONICAL_FIELDS(ind)
                cid = by_key.get((level2, key))
                if cid is None:                            # a new spelling: near-identical, or new
                    cid = index.find(level2, key)
                    if cid is None:
                        cid_next += 1
                        cid = cid_next
                        prefix = f"{tag_code(_code_type(name, primary))}-{level2_code(level2)}"
                        seqs[prefix] = seqs.get(prefix, 0) + 1
                        seq_touched.add(prefix)
                        canon_rows.append((cid, f"{prefix}-{seqs[prefix]:04d}", key, level1, level2,
                                           name, stamp))
                        res.canonical_added += 1
                    index.add_key(level2, key, cid)
                variant = variants.get((cid, name))
                if variant is None:
                    vid += 1
                    variant = variants[(cid, name)] = vid
                    new_names.append([vid, cid, level2, name, key, nfkc_squashed(name), 0])
                name_counts[variant] = name_counts.get(variant, 0) + 1
                if value:
                    vk = (cid, value, number, unit)
                    value_counts[vk] = value_counts.get(vk, 0) + 1
                used.add(cid)
                iid += 1
                ind_rows.append((iid, fid, pos, *ind, cid))
            for cid in used:
                usage[cid] += 1
                for t, _ in p.tags:
                    tag_counts[(cid, t)] += 1
        index.last_variant_id = vid

        conn.executemany(
            "INSERT INTO filings (id, content_hash, kind, name, department, year, budget, period, "
            "description, src_file, src_table, src_row, n_indicators, primary_tag, file_sha, ingested_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", filing_rows)
        conn.executemany("INSERT INTO filing_tags (filing_id, tag, score, rank) VALUES (?,?,?,?)", tag_rows)
        conn.executemany(
            "INSERT INTO canonical (id, code, key, level1, level2, name, created_at) VALUES (?,?,?,?,?,?,?)",
            canon_rows)
        for row in new_names:
            row[6] = name_counts.pop(row[0])
        conn.executemany("INSERT INTO canonical_names (id, canonical_id, level2, name, key, norm, n) "
                         "VALUES (?,?,?,?,?,?,?)", new_names)
        conn.executemany(f"INSERT INTO {FTS_TABLE} (rowid, norm) VALUES (?, ?)",
                         [(row[0], row[5]) for row in new_names])
        conn.executemany("UPDATE canonical_names SET n = n + ? WHERE id = ?",
                         [(n, v) for v, n in name_counts.items()])
        conn.executemany(
            "INSERT INTO indicators (id, filing_id, position, level1, level2, level1_raw, level2_raw, "
            "name, value, basis, kind, op, number, unit, year, src_file, src_table, src_row, canonical_id) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", ind_rows)
        conn.executemany(
            "INSERT INTO canonical_values (canonical_id, value, n, number, unit) VALUES (?,?,?,?,?) "
            "ON CONFLICT (canonical_id, value) DO UPDATE SET n = n + excluded.n",
            [(c, v, n, num, unit) for (c, v, num, unit), n in value_counts.items()])
        conn.executemany(
            "INSERT INTO canonical_tags (canonical_id, tag, n) VALUES (?,?,?) "
            "ON CONFLICT (canonical_id, tag) DO UPDATE SET n = n + excluded.n",
            [(c, t, n) for (c, t), n in tag_counts.items()])
        conn.executemany("UPDATE canonical SET usage = usage + ? WHERE id = ?",
                         [(n, c) for c, n in usage.items()])
        conn.executemany("INSERT INTO code_seq (prefix, last) VALUES (?, ?) "
                         "ON CONFLICT (prefix) DO UPDATE SET last = excluded.last",
                         [(p, seqs[p]) for p in seq_touched])
        conn.executemany("INSERT OR IGNORE INTO dirty_canonical (id) VALUES (?)", [(c,) for c in usage])
        res.added = len(fresh)
        res.indicators = len(ind_rows)
        return res


_STATS_SQL = [
    """UPDATE canonical SET
         name = COALESCE((SELECT v.name FROM canonical_names v WHERE v.canonical_id = canonical.id
                          ORDER BY v.n DESC, v.id LIMIT 1), name),
         typical_value = (SELECT cv.value FROM canonical_values cv WHERE cv.canonical_id = canonical.id
                          ORDER BY cv.n DESC, cv.value LIMIT 1),
         unit = (SELECT cv.unit FROM canonical_values cv
                 WHERE cv.canonical_id = canonical.id AND cv.number IS NOT NULL
                 GROUP BY cv.unit ORDER BY SUM(cv.n) DESC, cv.unit LIMIT 1),
         tags = COALESCE((SELECT json_group_array(tag) FROM (
                    SELECT ct.tag FROM canonical_tags ct WHERE ct.canonical_id = canonical.id
                    ORDER BY ct.n DESC, ct.tag)), '[]'),
         top_values = COALESCE((SELECT json_group_array(json_array(value, n)) FROM (
                    SELECT cv.value, cv.n FROM canonical_values cv WHERE cv.canonical_id = canonical.id
                    ORDER BY cv.n DESC, cv.value LIMIT 10)), '[]')
       WHERE id IN (SELECT id FROM temp.touched)""",
    """UPDATE canonical SET
         num_min = (SELECT MIN(cv.number) FROM canonical_values cv WHERE cv.canonical_id = canonical.id
                    AND cv.number IS NOT NULL AND cv.unit IS canonical.unit),
         num_max = (SELECT MAX(cv.number) FROM canonical_values cv WHERE cv.canonical_id = canonical.id
                    AND cv.number IS NOT NULL AND cv.unit IS canonical.unit)
       WHERE id IN (SELECT id FROM temp.touched)""",
]


def refresh_statistics(conn: sqlite3.Connection, everything: bool = False) -> int:
    """Recompute name, typical value, unit, range, tags and top values of the canonical
    indicators marked dirty (all of them with `everything`) from canonical_names /
    canonical_values / canonical_tags, inside the caller's transaction.  Returns how many."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS touched (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.touched")
    source = "canonical" if everything else "dirty_canonical"
    n = conn.execute(f"INSERT INTO temp.touched SELECT id FROM {source}").rowcount
    for sql in _STATS_SQL:
        conn.execute(sql)
    conn.execute("DELETE FROM dirty_canonical")
    conn.execute("DELETE FROM temp.touched")
    return n
