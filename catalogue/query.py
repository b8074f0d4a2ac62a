"""Read-only queries over a catalogue file: what the engine asks at suggestion time.

This is the catalogue's query path.  It uses plain sqlite3 only (no sqlite-utils, no numpy),
so a one-shot `jixiao suggest` stays fast; the write path lives in `catalogue.store`.

Every method takes and returns plain data (ids, lists and the named rows of catalogue.records).
Text reaches SQLite only as parameters.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Iterable, Iterator

from .records import CanonicalFacts, FilingFacts, IndicatorFacts, LibraryEntry, PopularIndicator

# Feedback actions recorded by `chat` and how much each moves an indicator's score.
FEEDBACK_WEIGHT = {"keep": 1.0, "add": 1.0, "change": 0.5, "reject": -1.0}


def _in(ids: Iterable) -> tuple[str, list]:
    ids = list(dict.fromkeys(int(i) for i in ids))
    return ",".join("?" * len(ids)), ids


class CatalogueReader:
    """A read-only connection to one catalogue file."""

    def __init__(self, db_path: str | Path):
        self.db_path = Path(db_path)
        self.conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA busy_timeout = 30000")
        self._max_usage: int | None = None

    def close(self) -> None:
        self.conn.close()

    # -- freshness ---------------------------------------------------------------------------
    def revision(self) -> str:
        """Changes whenever filings, canonical indicators or the library change."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return str(row[0]) if row else "0"

    # -- texts the engine indexes -----------------------------------------------------------
    def filing_texts(self) -> Iterator[tuple[int, str]]:
        """(id, text) of every project filing, by id, as the cursor reads them: name twice,
        description, indicator names in form order (joined in SQLite: a province's 1.5 M names
        never become Python rows).  How many: count_filing_texts()."""
        for fid, name, description, names in self.conn.execute(
                "SELECT f.id, f.name, f.description, (SELECT group_concat(name, ' ') FROM "
                "(SELECT i.name FROM indicators i WHERE i.filing_id = f.id ORDER BY i.position)) "
                "FROM filings f WHERE f.kind = 'project' ORDER BY f.id"):
            yield fid, f"{name} {name} {description or ''} {names or ''}"

    def count_filing_texts(self) -> int:
        return self.conn.execute("SELECT count(*) FROM filings WHERE kind = 'project'").fetchone()[0]

    def canonical_texts(self) -> tuple[list[int], list[str]]:
        """(ids, names) of canonical indicators."""
        ids, names = [], []
        for row in self.conn.execute("SELECT id, name FROM canonical ORDER BY id"):
            ids.append(row["id"])
            names.append(row["name"])
        return ids, names

    # -- lookups -----------------------------------------------------------------------------
    def filings(self, ids) -> dict[int, FilingFacts]:
        """id → the filing's facts (tags: its sectors, primary first)."""
        marks, ids = _in(ids)
        if not ids:
            return {}
        rows = self.conn.execute(
            f"SELECT id, name, year, budget, department, description, kind, src_file, "
            f"(SELECT group_concat(tag, '|') FROM (SELECT tag FROM filing_tags t WHERE t.filing_id = f.id "
            f"ORDER BY rank)) AS tags FROM filings f WHERE id IN ({marks})", ids)
        out = {}
        for r in rows:
            out[r["id"]] = FilingFacts(*r[:-1], tuple(r["tags"].split("|")) if r["tags"] else ())
        return out

    def indicators_of(self, ids) -> list[IndicatorFacts]:
        """Indicators of these filings, filing by filing, in form order."""
        marks, ids = _in(ids)
        if not ids:
            return []
        rows = self.conn.execute(
            f"SELECT filing_id, canonical_id, level2, name, value, basis FROM indicators "
            f"WHERE filing_id IN ({marks}) ORDER BY filing_id, position", ids)
        return [IndicatorFacts(*r) for r in rows]

    def canonicals(self, ids) -> dict[int, CanonicalFacts]:
        """id → the canonical indicator's facts (tags: a list)."""
        marks, ids = _in(ids)
        if not ids:
            return {}
        out = {}
        for r in self.conn.execute(
                f"SELECT id, code, level2, name, usage, typical_value, tags FROM canonical WHERE id IN ({marks})", ids):
            try:
                tags = json.loads(r["tags"] or "[]")
            except ValueError:
                tags = []
            out[r["id"]] = CanonicalFacts(*r[:-1], tags)
        return out

    def canonicals_only_in(self, ids, filings: set[int]) -> set[int]:
        """Canonical ids used by no filing outside `filings` (for leave-one-out evaluation).

        canonical.usage counts the distinct filings using each canonical indicator, so one is
        used only inside `filings` when those filings account for all of its usage (reading the
        few excluded filings' rows instead of every row of popular indicators)."""
        marks, ids = _in(ids)
        fmarks, fids = _in(filings)
        if not ids or not fids:
            return set()
        inside = dict(self.conn.execute(
            f"SELECT canonical_id, COUNT(DISTINCT filing_id) FROM indicators "
            f"WHERE filing_id IN ({fmarks}) AND canonical_id IN ({marks}) GROUP BY canonical_id", fids + ids))
        if not inside:
            return set()
        cmarks, cids = _in(inside)
        return {cid for cid, usage in self.conn.execute(
            f"SELECT id, usage FROM canonical WHERE id IN ({cmarks})", cids) if usage <= inside[cid]}

    def library(self, types: Iterable[str] | None) -> list[LibraryEntry]:
        """Common-library entries (共性指标) for these project types plus the generic ones (every
        entry when types is None)."""
        rows = self.conn.execute("SELECT type, level2, name, value, basis, code, unit, direction, requires "
                                 "FROM library ORDER BY id")
        if types is None:
            return [LibraryEntry(*r) for r in rows]
        types = set(types)
        return [LibraryEntry(*r) for r in rows if r["type"] in types or r["type"] in ("通用", "共性")]

    def feedback(self) -> dict[str, float]:
        """Indicator name → summed weight of what officers kept (+) and rejected (−)."""
        weights: dict[str, float] = {}
        try:
            rows = self.conn.execute("SELECT name, action FROM feedback")
        except sqlite3.OperationalError:
            return weights
        for r in rows:
            weights[r["name"]] = weights.get(r["name"], 0.0) + FEEDBACK_WEIGHT.get(r["action"], 0.0)
        return weights

    def max_usage(self) -> int:
        if self._max_usage is None:
            row = self.conn.execute("SELECT MAX(usage) FROM canonical").fetchone()
            self._max_usage = int(row[0] or 0)
        return self._max_usage

    def popular(self, level2: str, n: int, exclude: set[int] = frozenset()) -> list[PopularIndicator]:
        """The n canonical indicators of a 二级 used by the most filings (outside `exclude`).

        Ranked by canonical.usage (distinct filings) less the excluded filings' use; the first
        n + (indicators the excluded filings touch) by usage always contain the answer."""
        fmarks, fids = _in(exclude)
        minus: dict[int, int] = {}
        if fids:
            minus = dict(self.conn.execute(   # an indicator's 二级 is its canonical indicator's
                f"SELECT canonical_id, COUNT(DISTINCT filing_id) FROM indicators "
                f"WHERE filing_id IN ({fmarks}) AND level2 = ? GROUP BY canonical_id", [*fids, level2]))
        rows = self.conn.execute(
            "SELECT id, name, typical_value, usage FROM canonical WHERE level2 = ? "
            "ORDER BY usage DESC, id LIMIT ?", (level2, max(0, n) + len(minus)))
        ranked = [PopularIndicator(r["id"], r["name"], r["typical_value"], r["usage"] - minus.get(r["id"], 0))
                  for r in rows]
        ranked = [r for r in ranked if r.n > 0]
        ranked.sort(key=lambda r: (-r.n, r.id))
        return ranked[:max(0, n)]

    def filing_owners(self) -> Iterator[tuple[int, str, str | None, str | None]]:
        """(id, name, department, src_file) of every project filing: whose each filing is."""
        yield from self.conn.execute(
            "SELECT id, name, department, src_file FROM filings WHERE kind = 'project' ORDER BY id")

    def project_filings(self) -> list[tuple[int, dict]]:
        return [(r["id"], dict(r)) for r in self.conn.execute(
            "SELECT id, name, year, budget, department, description FROM filings "
            "WHERE kind = 'project' ORDER BY id")]
