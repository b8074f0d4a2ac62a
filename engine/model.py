"""The engine's view of a catalogue: persisted TF-IDF indexes over a `CatalogueReader`.

Plain lookups go through `model.cat` (catalogue.query); this module owns the indexes.

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
from pathlib import Path

from catalogue.query import CatalogueReader

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
        self.cat = CatalogueReader(self.db_path)
        self._feedback = None

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
        return self.cat.revision()

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
        fids, texts = self.cat.filing_texts()
        cids, names = self.cat.canonical_texts()
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

    def feedback(self) -> dict[str, float]:
        """Recorded keep/reject weights keyed by normalised indicator name."""
        if self._feedback is None:
            weights: dict[str, float] = {}
            for name, w in self.cat.feedback().items():
                k = norm_key(name)
                weights[k] = weights.get(k, 0.0) + w
            self._feedback = weights
        return self._feedback

    def tag(self, name: str, description: str = "") -> list[str]:
        from catalogue.tags import tag_project

        return [t for t, _ in tag_project(name, description)]

    def similar_refs(self, text: str, exclude: set[int] = frozenset(), k: int = 5) -> list[SourceRef]:
        hits = [(f, s) for f, s in self.similar_filings(text, k + len(exclude)) if f not in exclude][:k]
        info = self.cat.filings(f for f, _ in hits)
        return [SourceRef(kind="filing", name=info[f]["name"], year=info[f]["year"], similarity=round(s, 3))
                for f, s in hits if f in info]

    def close(self) -> None:
        self.cat.close()
