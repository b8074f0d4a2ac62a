"""The engine's view of a catalogue: persisted TF-IDF indexes over a `CatalogueReader`.

Plain lookups go through `model.cat` (catalogue.query); this module owns the indexes and the
facts `suggest` reads for every project — past filings, their indicators, canonical indicators,
library entries — kept in memory once read, until the catalogue's revision changes (`sync`), so
a warm `suggest --from` asks SQLite almost nothing per project.

One file beside the catalogue `X.db`, `X.db.index.npz` (engine.index_format), holds everything the
matcher needs, so a matrix can never be paired with another build's id map: the catalogue
revision it was built from, the index of past filings (name, description, indicator names) and
the index of canonical indicator names, each with its id list.  It is rebuilt (with
scikit-learn) only when the catalogue's revision differs or the file is missing, corrupt, of an
old format or of another tokenizer; it is written atomically, so a concurrent rebuild by another
process is harmless (the last complete file wins).  When the catalogue's folder is not writable
the indexes are built in memory and used all the same.  The query path uses plain sqlite3 and
numpy (large indexes only, see engine.index_query); it never imports scikit-learn, scipy,
sqlite-utils or prompt_toolkit.
"""
from __future__ import annotations

from pathlib import Path

from jixiao.catalogue.paths import default_db_path
from jixiao.catalogue.query import CatalogueReader
from jixiao.catalogue.records import CanonicalFacts, FilingFacts, LibraryEntry
from jixiao.catalogue.ready import connect_read_only, ensure_ready, read_only_uri
from jixiao.corpus.textkeys import bare_name

from .candidate_key import CandidateKey, KeyKind
from .index_format import BadIndexFile, save_indexes
from .index_query import TextIndex, load_indexes


# cached facts of at most this many filings (or canonical indicators) are kept; then forgotten
CACHE_MAX = 50_000


def _frozen_tags(info: CanonicalFacts) -> CanonicalFacts:
    return info._replace(tags=frozenset(info.tags))


def _catalogue_error(path: Path, exc):
    # the write path (sqlite-utils) is imported only when something is wrong
    from jixiao.catalogue.store import CatalogueError, database_problem

    return CatalogueError(path, database_problem(exc))


def index_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".index.npz")


class EngineModel:
    def __init__(self, db_path: Path):
        self.db_path = Path(db_path)
        self.cat = CatalogueReader(self.db_path)
        if read_only_uri(self.db_path).endswith("immutable=1"):
            # a catalogue in a folder nobody may write to, without its -shm: SQLite can read it
            # only as immutable (catalogue.ready)
            import sqlite3

            self.cat.conn.close()
            self.cat.conn = connect_read_only(self.db_path)
            self.cat.conn.row_factory = sqlite3.Row
        self._feedback = None
        self.revision_indexed: str | None = None
        self.filing_index: TextIndex | None = None
        self.names_index: TextIndex | None = None
        self._facts_revision: str | None = None
        self._filings: dict[int, dict | None] = {}
        self._rows: dict[int, tuple] = {}
        self._canon: dict[int, dict | None] = {}
        self._library: list[dict] | None = None
        self._owners: tuple[dict, dict, dict] | None = None

    # -- opening and index freshness --------------------------------------------------------
    @classmethod
    def open(cls, db_path: str | Path | None = None, *, rebuild: bool = False) -> "EngineModel":
        """The model of a catalogue (default: $JIXIAO_DB or the user's data folder).  Anything
        wrong with the file — missing folder, damage, another application's database — raises
        CatalogueError naming the file (an InputError: one line for the officer)."""
        import sqlite3

        path = Path(db_path) if db_path else default_db_path()
        ensure_ready(path)       # first use builds it; shipped library/tag updates reach it
        try:
            model = cls(path)
        except sqlite3.Error as exc:
            raise _catalogue_error(path, exc) from None
        try:
            model._load_indexes(rebuild)
        except sqlite3.Error as exc:
            model.close()
            raise _catalogue_error(path, exc) from None
        except (MemoryError, ImportError) as exc:   # fitting the index needs scikit-learn's memory
            model.close()
            from jixiao.catalogue.store import CatalogueError

            raise CatalogueError(path, f"内存不足，无法为指标库建立检索索引（{type(exc).__name__}）") from None
        except BaseException:
            model.close()
            raise
        return model

    @property
    def index_path(self) -> Path:
        return index_path_for(self.db_path)

    def revision(self) -> str:
        return self.cat.revision()

    def _load_indexes(self, rebuild: bool) -> None:
        if rebuild or not self._load_fresh():
            self.build_indexes()

    def _load_fresh(self) -> bool:
        """Use the index file if it is whole and of the catalogue's current revision.

        A stale file's arrays are released on return, before a rebuild replaces the file.
        """
        try:
            meta, indexes = load_indexes(self.index_path)
        except BadIndexFile:
            return False
        if meta.get("revision") != self.revision() or not {"filings", "names"} <= indexes.keys():
            return False
        self._use(meta["revision"], indexes)
        return True

    def _use(self, revision: str, indexes: dict[str, TextIndex]) -> None:
        self.revision_indexed = revision
        self.filing_index = indexes["filings"]
        self.names_index = indexes["names"]

    def build_indexes(self) -> dict:
        """Fit both indexes from the catalogue (scikit-learn is imported here only) and save them.

        The revision and the texts are read in one read transaction, so the file never labels
        texts with a revision they do not belong to.  Returns the meta record.
        """
        from .index_build import fit_indexes      # the build path: a query never imports it

        conn = self.cat.conn
        own_tx = not conn.in_transaction
        if own_tx:
            conn.execute("BEGIN")
        try:
            revision = self.revision()
            cids, names = self.cat.canonical_texts()
            # the filing texts are read from the cursor while their blocks are being cut
            indexes = fit_indexes({"filings": self.cat.filing_texts(), "names": zip(cids, names)},
                                  self.cat.count_filing_texts() + len(cids))
        finally:
            if own_tx:
                conn.rollback()
        meta = {"revision": revision}
        try:
            save_indexes(self.index_path, indexes, meta)
        except OSError:  # read-only catalogue or folder: keep the indexes in memory
            pass
        self._use(revision, indexes)
        return meta

    # -- what suggest asks ----------------------------------------------------------------------
    def similar_filings(self, text: str, k: int) -> list[tuple[int, float]]:
        """(filing id, cosine) of the k past filings most similar to the text, best first."""
        idx = self.filing_index
        return [(idx.doc_id(pos), s) for pos, s in idx.query(text, k)]

    def similar_names(self, text: str, k: int) -> list[tuple[int, float]]:
        """(canonical indicator id, cosine) of the k indicator names most similar to the text."""
        idx = self.names_index
        return [(idx.doc_id(pos), s) for pos, s in idx.query(text, k)]

    # -- catalogue facts, cached per revision ----------------------------------------------------
    def sync(self) -> None:
        """Forget the cached facts if the catalogue changed since they were read."""
        revision = self.cat.revision()
        if revision != self._facts_revision:
            self._facts_revision = revision
            self._filings.clear()
            self._rows.clear()
            self._canon.clear()
            self._library = None
            self._owners = None

    @staticmethod
    def _missing(cache: dict, ids) -> list[int]:
        if len(cache) > CACHE_MAX:
            cache.clear()
        return [i for i in dict.fromkeys(int(i) for i in ids) if i not in cache]

    def _facts(self, cache: dict, ids, fetch, adapt=None) -> dict[int, dict]:
        """id → record for the ids that exist, asking `fetch(missing ids)` only for those not in
        `cache` (absent ones are remembered as None); `adapt` turns a fetched record into the
        cached one."""
        ids = [int(i) for i in ids]
        missing = self._missing(cache, ids)
        if missing:
            got = fetch(missing)
            for i in missing:
                info = got.get(i)
                cache[i] = adapt(info) if adapt is not None and info is not None else info
        return {i: cache[i] for i in ids if cache.get(i) is not None}

    def filing_facts(self, ids) -> dict[int, FilingFacts]:
        """id → the facts of the filings that exist."""
        return self._facts(self._filings, ids, self.cat.filings)

    def filing_rows(self, ids) -> list[tuple[int, tuple]]:
        """(filing id, its indicators) in filing id order, for the filings that have any; each
        indicator (candidate key, level2, name, canonical id, value) in form order."""
        wanted = sorted(set(int(i) for i in ids))
        missing = self._missing(self._rows, wanted)
        if missing:
            grouped: dict[int, list] = {i: [] for i in missing}
            for row in self.cat.indicators_of(missing):
                cid, level2, name = row.canonical_id, row.level2, row.name
                key = (CandidateKey(KeyKind.CANONICAL, str(cid)) if cid is not None
                       else CandidateKey(KeyKind.PAST_NAME, f"{level2}:{bare_name(name)}"))
                grouped[row.filing_id].append((key, level2, name, cid, row.value or ""))
            for i, rows in grouped.items():
                self._rows[i] = tuple(rows)
        return [(i, self._rows[i]) for i in wanted if self._rows.get(i)]

    def canonical_facts(self, ids) -> dict[int, CanonicalFacts]:
        """id → the facts (tags a frozenset) of the canonical indicators that exist."""
        return self._facts(self._canon, ids, self.cat.canonicals, _frozen_tags)

    def library_entries(self, sectors) -> list[LibraryEntry]:
        """Sector library entries (行业指标库) of these sectors plus the 通用 ones, in library order."""
        from jixiao.catalogue.tags import fallback_tag

        if self._library is None:
            self._library = self.cat.library(None)
        wanted = set(sectors) | {fallback_tag()}
        return [r for r in self._library if r.type in wanted]

    def sector_beneficiaries(self) -> dict[str, tuple[str, ...]]:
        """Sector → its typical beneficiaries (most typical first), from the shipped sector files."""
        from jixiao.catalogue.sectors import sector_data

        return {s.name: s.beneficiaries for s in sector_data().sectors}

    def own_filings(self, name: str, unit: str) -> list[int]:
        """Ids of the past filings of the same project (same name) or the same unit — a
        department key, or "file:<path>" for filings whose form names none — however little
        their text resembles the new project's (the caller still decides what they count for)."""
        from .suggest import unit_matches

        if self._owners is None:
            by_name: dict[str, list[int]] = {}
            by_dept: dict[str, list[int]] = {}
            by_file: dict[str, list[int]] = {}
            for fid, fname, dept, src in self.cat.filing_owners():
                by_name.setdefault(bare_name(fname or ""), []).append(fid)
                if dept and bare_name(dept):
                    by_dept.setdefault(bare_name(dept), []).append(fid)
                elif src:
                    by_file.setdefault(f"file:{src}", []).append(fid)
            self._owners = (by_name, by_dept, by_file)
        by_name, by_dept, by_file = self._owners
        ids = list(by_name.get(bare_name(name), []) if bare_name(name) else [])
        if unit:
            if unit.startswith("file:"):
                ids += by_file.get(unit, [])
            else:
                for dept, fids in by_dept.items():
                    if unit_matches(unit, dept):
                        ids += fids
        return sorted(set(ids))

    def feedback(self) -> dict[str, float]:
        """Recorded keep/reject weights keyed by normalised indicator name."""
        if self._feedback is None:
            weights: dict[str, float] = {}
            for name, w in self.cat.feedback().items():
                k = bare_name(name)
                weights[k] = weights.get(k, 0.0) + w
            self._feedback = weights
        return self._feedback

    def tag(self, name: str, description: str = "", department: str = "") -> list[str]:
        """The project's sectors, best first (the department's when the text names none; 通用
        when nothing fits)."""
        from jixiao.catalogue.tags import tag_project

        return [t for t, _ in tag_project(name, description, department)]

    def close(self) -> None:
        self.cat.close()

    def __enter__(self) -> "EngineModel":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
