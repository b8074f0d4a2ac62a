"""The engine's view of a catalogue: two persisted TF-IDF indexes plus read-only SQL.

Files beside the catalogue `X.db`:
    X.db-index/filings.npz   TF-IDF of past filings (name, description, indicator names)
    X.db-index/names.npz     TF-IDF of canonical indicator names
    X.db-index/meta.json     catalogue revision the indexes were built from, and the id maps
They are rebuilt (with scikit-learn, in engine.index) only when the catalogue's revision
changes.  The query path uses plain sqlite3 and numpy; it never imports scikit-learn,
sqlite-utils or prompt_toolkit.
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from .draft import SourceRef
from .suggest import norm_key

INDEX_FORMAT = 1


def default_db_path() -> Path:
    env = os.environ.get("JIXIAO_DB")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "jixiao" / "catalogue.db"


def ensure_catalogue(db_path: Path) -> None:
    """Build the default catalogue from the shipped corpus on first use."""
    if db_path.exists() and db_path.stat().st_size > 0:
        return
    from catalogue.store import open_catalogue

    open_catalogue(db_path, bootstrap=True)


def _atomic_json(path: Path, data) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


class EngineModel:
    def __init__(self, db_path: Path):
        self.db_path = Path(db_path)
        self.conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA busy_timeout = 30000")
        self._feedback = None
        self._max_usage = None

    # -- opening and index freshness --------------------------------------------------------
    @classmethod
    def open(cls, db_path: str | Path | None = None, *, rebuild: bool = False) -> "EngineModel":
        path = Path(db_path) if db_path else default_db_path()
        ensure_catalogue(path)
        model = cls(path)
        model._load_indexes(rebuild)
        return model

    @property
    def index_dir(self) -> Path:
        return self.db_path.with_name(self.db_path.name + "-index")

    def revision(self) -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return str(row[0]) if row else "0"

    def _load_indexes(self, rebuild: bool) -> None:
        from .index import TextIndex

        meta_path = self.index_dir / "meta.json"
        meta = None
        if not rebuild and meta_path.exists():
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = None
        if not meta or meta.get("revision") != self.revision() or meta.get("format") != INDEX_FORMAT:
            meta = self.build_indexes()
        try:
            self.filing_index = TextIndex.load(self.index_dir / "filings.npz")
            self.names_index = TextIndex.load(self.index_dir / "names.npz")
        except (OSError, ValueError, KeyError):
            meta = self.build_indexes()
            self.filing_index = TextIndex.load(self.index_dir / "filings.npz")
            self.names_index = TextIndex.load(self.index_dir / "names.npz")
        self.filing_ids = meta["filing_ids"]
        self.canonical_ids = meta["canonical_ids"]

    def build_indexes(self) -> dict:
        """Fit both indexes from the catalogue (scikit-learn is imported here only)."""
        from .index import build_index

        self.index_dir.mkdir(parents=True, exist_ok=True)
        revision = self.revision()
        fids, texts = [], []
        names_by_filing: dict[int, list[str]] = {}
        for fid, name in self.conn.execute("SELECT filing_id, name FROM indicators ORDER BY filing_id, id"):
            names_by_filing.setdefault(fid, []).append(name)
        for row in self.conn.execute(
                "SELECT id, name, description FROM filings WHERE kind = 'project' ORDER BY id"):
            fids.append(row["id"])
            texts.append(f"{row['name']} {row['name']} {row['description'] or ''} "
                         + " ".join(names_by_filing.get(row["id"], [])))
        cids, names = [], []
        for row in self.conn.execute("SELECT id, name FROM canonical ORDER BY id"):
            cids.append(row["id"])
            names.append(row["name"])
        build_index(texts or [""], self.index_dir / "filings.npz", revision=revision)
        build_index(names or [""], self.index_dir / "names.npz", revision=revision)
        meta = {"format": INDEX_FORMAT, "revision": revision, "filing_ids": fids, "canonical_ids": cids}
        _atomic_json(self.index_dir / "meta.json", meta)
        return meta

    # -- what suggest asks ----------------------------------------------------------------------
    def similar_filings(self, text: str, k: int) -> list[tuple[int, float]]:
        if not self.filing_ids:
            return []
        return [(self.filing_ids[pos], float(s)) for pos, s in self.filing_index.query(text, k)
                if pos < len(self.filing_ids) and s > 0]

    def similar_names(self, text: str, k: int) -> list[tuple[int, float]]:
        if not self.canonical_ids:
            return []
        return [(self.canonical_ids[pos], float(s)) for pos, s in self.names_index.query(text, k)
                if pos < len(self.canonical_ids) and s > 0]

    def _in(self, ids) -> tuple[str, list]:
        ids = list(dict.fromkeys(int(i) for i in ids))
        return ",".join("?" * len(ids)), ids

    def filings(self, ids) -> dict[int, dict]:
        marks, ids = self._in(ids)
        if not ids:
            return {}
        rows = self.conn.execute(
            f"SELECT id, name, year, budget, department, description FROM filings WHERE id IN ({marks})", ids)
        return {r["id"]: dict(r) for r in rows}

    def indicators_of(self, ids) -> list[dict]:
        marks, ids = self._in(ids)
        if not ids:
            return []
        rows = self.conn.execute(
            f"SELECT filing_id, canonical_id, level2, name, value, basis FROM indicators "
            f"WHERE filing_id IN ({marks}) ORDER BY filing_id, position", ids)
        return [dict(r) for r in rows]

    def canonicals(self, ids) -> dict[int, dict]:
        marks, ids = self._in(ids)
        if not ids:
            return {}
        out = {}
        for r in self.conn.execute(
                f"SELECT id, code, level2, name, usage, typical_value, tags FROM canonical WHERE id IN ({marks})", ids):
            d = dict(r)
            try:
                d["tags"] = json.loads(d["tags"] or "[]")
            except ValueError:
                d["tags"] = []
            out[d["id"]] = d
        return out

    def canonicals_only_in(self, ids, filings: set[int]) -> set[int]:
        """Canonical ids used by no filing outside `filings` (for leave-one-out evaluation)."""
        marks, ids = self._in(ids)
        if not ids:
            return set()
        used = set()
        fmarks, fids = self._in(filings)
        q = (f"SELECT DISTINCT canonical_id FROM indicators WHERE canonical_id IN ({marks})"
             + (f" AND filing_id NOT IN ({fmarks})" if fids else ""))
        for (cid,) in self.conn.execute(q, ids + fids):
            used.add(cid)
        return set(ids) - used

    def library(self, types) -> list[dict]:
        rows = self.conn.execute("SELECT type, level2, name, value, basis, code FROM library ORDER BY id")
        types = set(types)
        return [dict(r) for r in rows if r["type"] in types or r["type"] in ("通用", "共性")]

    def feedback(self) -> dict[str, float]:
        if self._feedback is None:
            weights: dict[str, float] = {}
            try:
                rows = self.conn.execute("SELECT name, action FROM feedback")
                for r in rows:
                    delta = {"keep": 1.0, "add": 1.0, "change": 0.5, "reject": -1.0}.get(r["action"], 0.0)
                    k = norm_key(r["name"])
                    weights[k] = weights.get(k, 0.0) + delta
            except sqlite3.OperationalError:
                pass
            self._feedback = weights
        return self._feedback

    def max_usage(self) -> int:
        if self._max_usage is None:
            row = self.conn.execute("SELECT MAX(usage) FROM canonical").fetchone()
            self._max_usage = int(row[0] or 0)
        return self._max_usage

    def popular(self, level2: str, n: int, exclude: set[int] = frozenset()) -> list[dict]:
        """The n canonical indicators of a 二级 used by the most filings (outside `exclude`)."""
        fmarks, fids = self._in(exclude)
        q = ("SELECT c.id, c.name, c.typical_value, COUNT(DISTINCT i.filing_id) AS n "
             "FROM indicators i JOIN canonical c ON c.id = i.canonical_id WHERE c.level2 = ?"
             + (f" AND i.filing_id NOT IN ({fmarks})" if fids else "")
             + " GROUP BY c.id ORDER BY n DESC, c.id LIMIT ?")
        return [dict(r) for r in self.conn.execute(q, [level2, *fids, n])]

    def project_filings(self) -> list[tuple[int, dict]]:
        return [(r["id"], dict(r)) for r in self.conn.execute(
            "SELECT id, name, year, budget, department, description FROM filings "
            "WHERE kind = 'project' ORDER BY id")]

    def tag(self, name: str, description: str = "") -> list[str]:
        from catalogue.tags import tag_project

        return [t for t, _ in tag_project(name, description)]

    def similar_refs(self, text: str, exclude: set[int] = frozenset(), k: int = 5) -> list[SourceRef]:
        hits = [(f, s) for f, s in self.similar_filings(text, k + len(exclude)) if f not in exclude][:k]
        info = self.filings(f for f, _ in hits)
        return [SourceRef(kind="filing", name=info[f]["name"], year=info[f]["year"], similarity=round(s, 3))
                for f, s in hits if f in info]

    def close(self) -> None:
        self.conn.close()
