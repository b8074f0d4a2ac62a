"""TF-IDF indexes: fitted with scikit-learn, persisted as plain numpy arrays, queried with numpy.

Build path (`fit_index`, `build_index`, `save_indexes`): scikit-learn's TfidfVectorizer with
`engine.tokenize.tokenize`, sublinear tf (1 + log tf: a word said twice is not twice the
topic — filing texts repeat the project name on purpose, and that still counts, just less),
smoothed idf and l2-normalised rows, so a dot product is the cosine similarity.

Query path (`load_indexes`, `TextIndex.load`, `TextIndex.query`): numpy only — this module
never imports scikit-learn or scipy at top level, and loading or querying never touches them.
The file is memory-mapped, not read.  A query is tokenised, weighted like scikit-learn's
`transform` (counts → 1 + log → × idf → l2, out-of-vocabulary tokens ignored) and scored
against the document matrix kept column-ordered (CSC), so only the columns of the query's own
terms are read (and paged in).

File: one .npz (no pickled objects) holding any number of named indexes plus a JSON `meta`
record: the index format, the tokenizer fingerprint (a vocabulary is only valid with the
tokenizer that made it) and whatever the caller adds (the catalogue revision).  Per index
`<name>.terms` (sorted vocabulary, unicode array — looked up with searchsorted, no dict to
build at load time), `.idf`, `.indptr`/`.indices`/`.data` (CSC, float64) and `.ids` (the
caller's id of each document row).  Written atomically (temp file + os.replace).
"""
from __future__ import annotations

import io
import json
import math
import mmap
import os
import struct
import zipfile
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .tokenize import fingerprint, tokenize

INDEX_FORMAT = 2
PARAMS = {"sublinear_tf": True, "norm": "l2", "use_idf": True, "smooth_idf": True}
_PARTS = ("terms", "idf", "indptr", "indices", "data", "ids")


class BadIndexFile(ValueError):
    """The file is missing, unreadable, corrupt, of another format or of another tokenizer."""


class TextIndex:
    """A fitted TF-IDF index: vocabulary, idf and the document matrix in CSC form."""

    __slots__ = ("terms", "idf", "indptr", "indices", "data", "ids")

    def __init__(self, terms, idf, indptr, indices, data, ids):
        self.terms = terms
        self.idf = idf
        self.indptr = indptr
        self.indices = indices
        self.data = data
        self.ids = ids

    @property
    def n_docs(self) -> int:
        return len(self.ids)

    # -- construction (build path) -------------------------------------------------------------
    @classmethod
    def from_fitted(cls, vectorizer, matrix, ids: Sequence[int] | None = None) -> "TextIndex":
        """From a fitted vectorizer (see `make_vectorizer`) and its document matrix."""
        csc = matrix.tocsc()
        csc.sort_indices()
        terms = np.asarray(vectorizer.get_feature_names_out(), dtype=str)
        n = matrix.shape[0]
        return cls(
            terms=terms,
            idf=np.asarray(vectorizer.idf_, dtype=np.float64),
            indptr=np.asarray(csc.indptr, dtype=np.int64),
            indices=np.asarray(csc.indices, dtype=np.int32),
            data=np.asarray(csc.data, dtype=np.float64),
            ids=np.asarray(range(n) if ids is None else ids, dtype=np.int64),
        )

    @classmethod
    def empty(cls, ids: Sequence[int]) -> "TextIndex":
        """No vocabulary (no documents, or nothing but stopwords): every query scores nothing."""
        return cls(np.array([], dtype="<U1"), np.zeros(0), np.zeros(1, dtype=np.int64),
                   np.zeros(0, dtype=np.int32), np.zeros(0), np.asarray(list(ids), dtype=np.int64))

    # -- persistence -----------------------------------------------------------------------------
    def arrays(self, name: str) -> dict[str, np.ndarray]:
        return {f"{name}.{part}": getattr(self, part) for part in _PARTS}

    @classmethod
    def from_arrays(cls, arrays, name: str) -> "TextIndex":
        try:
            idx = cls(*(arrays[f"{name}.{part}"] for part in _PARTS))
        except KeyError as e:
            raise BadIndexFile(f"missing array {e}") from None
        idx._check()
        return idx

    def _check(self) -> None:
        n_terms = len(self.terms)
        ok = (self.terms.ndim == 1 and self.terms.dtype.kind == "U"
              and self.idf.shape == (n_terms,) and self.indptr.shape == (n_terms + 1,)
              and self.indices.shape == self.data.shape and self.ids.ndim == 1
              and self.indptr.dtype.kind == "i" and self.indices.dtype.kind == "i"
              and self.ids.dtype.kind == "i" and self.data.dtype.kind == "f" and self.idf.dtype.kind == "f"
              and int(self.indptr[0]) == 0 and int(self.indptr[-1]) == len(self.indices)
              and bool(np.all(np.diff(self.indptr) >= 0)))
        if ok and len(self.indices):
            ok = 0 <= int(self.indices.min()) and int(self.indices.max()) < len(self.ids)
        if ok and n_terms > 1:
            ok = bool(np.all(self.terms[:-1] < self.terms[1:]))
        if not ok:
            raise BadIndexFile("inconsistent arrays")

    @classmethod
    def load(cls, path: str | Path, name: str = "main") -> "TextIndex":
        _, indexes = load_indexes(path)
        if name not in indexes:
            raise BadIndexFile(f"no index named {name}")
        return indexes[name]

    # -- query path (numpy only) -----------------------------------------------------------------
    def weights(self, tokens: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """(term columns, l2-normalised tf-idf weights) of a tokenised query, as `transform` does."""
        counts = Counter(tokens)
        if not counts or not len(self.terms):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        words = sorted(counts)
        q = np.array(words, dtype=str)
        pos = np.searchsorted(self.terms, q)
        pos[pos >= len(self.terms)] = 0
        known = self.terms[pos] == q
        cols = pos[known]
        tf = np.array([counts[w] for w, k in zip(words, known) if k], dtype=np.float64)
        if PARAMS["sublinear_tf"]:
            tf = 1.0 + np.log(tf)
        w = tf * self.idf[cols]
        norm = math.sqrt(float(w @ w))
        if norm > 0:
            w /= norm
        return cols, w

    def query(self, text: str, k: int) -> list[tuple[int, float]]:
        """The k documents most similar to the text: (row position, cosine), best first.

        Only documents sharing a term with the text are returned; ties go to the lower position.
        """
        return self.query_tokens(tokenize(text), k)

    def query_tokens(self, tokens: Iterable[str], k: int) -> list[tuple[int, float]]:
        cols, w = self.weights(tokens)
        if k <= 0 or not len(cols) or not self.n_docs:
            return []
        indptr, indices, data = self.indptr, self.indices, self.data
        spans = [(int(indptr[j]), int(indptr[j + 1])) for j in cols.tolist()]
        rows = np.concatenate([indices[a:b] for a, b in spans])
        vals = np.concatenate([data[a:b] * wj for (a, b), wj in zip(spans, w.tolist())])
        scores = np.bincount(rows, weights=vals, minlength=self.n_docs)
        rows = np.flatnonzero(scores > 0)
        s = scores[rows]
        if len(rows) > k:
            kth = np.partition(s, len(s) - k)[len(s) - k]
            keep = s >= kth
            rows, s = rows[keep], s[keep]
        order = np.lexsort((rows, -s))[:k]
        return [(int(rows[i]), float(s[i])) for i in order]


# -- building (imports scikit-learn) ------------------------------------------------------------
def make_vectorizer():
    """The TfidfVectorizer every index is fitted with."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None,
                           dtype=np.float64, **PARAMS)


def fit_index(texts: Sequence[str], ids: Sequence[int] | None = None) -> TextIndex:
    texts = list(texts)
    ids = list(range(len(texts))) if ids is None else list(ids)
    if len(ids) != len(texts):
        raise ValueError("ids and texts differ in length")
    if not texts:
        return TextIndex.empty(ids)
    vectorizer = make_vectorizer()
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # empty vocabulary: every text was stopwords or punctuation
        return TextIndex.empty(ids)
    return TextIndex.from_fitted(vectorizer, matrix, ids)


def save_indexes(path: str | Path, indexes: dict[str, TextIndex], meta: dict | None = None) -> None:
    """Write named indexes and a meta record into one .npz, atomically."""
    path = Path(path)
    record = {**(meta or {}), "format": INDEX_FORMAT, "tokenizer": fingerprint(), "indexes": sorted(indexes)}
    arrays = {"meta": np.array(json.dumps(record, ensure_ascii=False))}
    for name, idx in indexes.items():
        if "." in name or name == "meta":
            raise ValueError(f"bad index name {name!r}")
        arrays.update(idx.arrays(name))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _map_npz(path: str | Path) -> dict[str, np.ndarray]:
    """The arrays of an uncompressed .npz, memory-mapped read-only: nothing is read until used.

    np.load would read and CRC-check every array (≈0.3 s for a 100k-filing index); mapped, a
    query pages in only its terms' columns.  The file is opened once, so a concurrent
    os.replace cannot mix two versions.  Object (pickled) arrays are refused.
    """
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        infos = zipfile.ZipFile(f).infolist()
    arrays = {}
    for info in infos:
        if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
            raise ValueError(f"unexpected member {info.filename}")
        head = info.header_offset
        if mm[head:head + 4] != b"PK\x03\x04":
            raise ValueError("bad local header")
        name_len, extra_len = struct.unpack("<HH", mm[head + 26:head + 30])
        start = head + 30 + name_len + extra_len
        header = io.BytesIO(mm[start:start + min(info.file_size, 1 << 16)])
        version = np.lib.format.read_magic(header)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read_header(header)
        if dtype.hasobject:
            raise ValueError("object array")
        count = math.prod(shape)
        offset = start + header.tell()
        if offset + count * dtype.itemsize != start + info.file_size or start + info.file_size > len(mm):
            raise ValueError(f"{info.filename}: size mismatch")
        arrays[info.filename[:-4]] = np.frombuffer(mm, dtype=dtype, count=count, offset=offset).reshape(shape)
    return arrays


def load_indexes(path: str | Path) -> tuple[dict, dict[str, TextIndex]]:
    """(meta, {name: TextIndex}) from a file written by `save_indexes`; BadIndexFile otherwise."""
    try:
        arrays = _map_npz(path)
        meta = json.loads(str(arrays["meta"]))
    except Exception as e:  # missing, empty, truncated, not a zip, bad JSON, pickled content …
        raise BadIndexFile(f"{path}: {type(e).__name__}: {e}") from None
    if not isinstance(meta, dict) or meta.get("format") != INDEX_FORMAT:
        raise BadIndexFile(f"{path}: index format {meta.get('format') if isinstance(meta, dict) else '?'}")
    if meta.get("tokenizer") != fingerprint():
        raise BadIndexFile(f"{path}: built with another tokenizer")
    names = meta.get("indexes")
    if not isinstance(names, list):
        raise BadIndexFile(f"{path}: no index list")
    return meta, {name: TextIndex.from_arrays(arrays, name) for name in names}


def build_index(texts: Sequence[str], path: str | Path, *, ids: Sequence[int] | None = None,
                name: str = "main", meta: dict | None = None) -> TextIndex:
    """Fit one index over the texts and persist it alone in `path`; returns it."""
    idx = fit_index(texts, ids)
    save_indexes(path, {name: idx}, meta)
    return idx
