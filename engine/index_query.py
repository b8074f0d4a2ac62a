"""TF-IDF indexes as the query path reads them: never scikit-learn or scipy, numpy only for
large indexes.

`load_indexes` opens an index file (engine.index_format: memory-mapped, not read) and checks
each index's arrays.  A query is tokenised, weighted like scikit-learn's `transform` (counts →
1 + log → × idf → l2, out-of-vocabulary tokens ignored; the weighting PARAMS are the build's,
engine.index_build) and scored against the document matrix kept column-ordered (CSC), so only
the columns of the query's own terms are read (and paged in).

Two ways to score, with the same arithmetic in the same order, so they give the same floats:
an index of at most SMALL_NNZ stored values (a unit's own catalogue, the shipped one) is read
through typed memoryviews and scored in plain Python — a one-shot `jixiao suggest` then never
imports numpy (≈0.1 s of start-up); a larger one is scored with numpy (`bincount` over the
query's columns).  The query weights are computed in Python either way (a sequential sum for
the norm, not a BLAS dot product), and each document's score is the sum of its
`value × weight` products in column order, as `bincount` adds them.
"""
from __future__ import annotations

import math
import os
from bisect import bisect_left
from collections import Counter
from pathlib import Path
from typing import Iterable

from .index_format import MV_FORMAT, PARTS, BadIndexFile, MappedArray, read_index_file
from .tokenize import tokenize

# One BLAS thread: the fitting is sparse (scipy.sparse, scikit-learn's TfidfTransformer) and gains
# nothing from BLAS threads, while OpenBLAS starting one thread per core reserves memory for each —
# under an address-space limit (ulimit -v) its start-up then spins for ever instead of failing.
# Set before numpy is first imported (lazily: a large index's query, or a build, which imports
# this module); an officer's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

PARAMS = {"sublinear_tf": True, "norm": "l2", "use_idf": True, "smooth_idf": True}
# Up to this many stored values an index is read and scored in plain Python (no numpy import);
# a query then touches at most this many postings (a few ms in the worst case).
SMALL_NNZ = 60_000
_KIND = {"terms": "U", "idf": "f", "indptr": "i", "indices": "i", "data": "f", "ids": "i"}


class TextIndex:
    """A fitted TF-IDF index: vocabulary, idf and the document matrix in CSC form.

    The six parts are numpy arrays as attributes (`terms`, `idf`, `indptr`, `indices`, `data`,
    `ids`; a loaded index makes them, importing numpy, only when asked); queries read them
    through `_py` (small index) or `_np` (large index).
    """

    __slots__ = ("_src", "_np", "_py", "small", "n_terms", "nnz", "n_docs")

    def __init__(self, terms, idf, indptr, indices, data, ids):
        """From numpy arrays (fitted, engine.index_build) or `MappedArray`s (loaded)."""
        self._src = dict(zip(PARTS, (terms, idf, indptr, indices, data, ids)))
        self._np: dict = {}
        self._py: dict = {}
        self.n_terms, self.nnz, self.n_docs = len(terms), len(data), len(ids)
        mapped = all(isinstance(a, MappedArray) for a in self._src.values())
        self.small = self.nnz <= SMALL_NNZ and (not mapped or all(
            a.kind == "U" or a.descr in MV_FORMAT for a in self._src.values()))

    # -- the parts, two ways -------------------------------------------------------------------
    def _array(self, part: str):
        got = self._np.get(part)
        if got is None:
            src = self._src[part]
            got = self._np[part] = src.numpy() if isinstance(src, MappedArray) else src
        return got

    def _part(self, part: str):
        """The part as Python reads it: a list of str (terms) or an indexable sequence of numbers."""
        got = self._py.get(part)
        if got is None:
            src = self._src[part]
            if isinstance(src, MappedArray):
                got = src.python()
            else:
                got = src.tolist() if part == "terms" else memoryview(src)
            self._py[part] = got
        return got

    terms = property(lambda self: self._array("terms"))
    idf = property(lambda self: self._array("idf"))
    indptr = property(lambda self: self._array("indptr"))
    indices = property(lambda self: self._array("indices"))
    data = property(lambda self: self._array("data"))
    ids = property(lambda self: self._array("ids"))

    def doc_id(self, pos: int) -> int:
        """The caller's id of document row `pos`."""
        return int(self._part("ids")[pos])

    # -- persistence -----------------------------------------------------------------------------
    def arrays(self, name: str) -> dict:
        """The parts as the index file names them (engine.index_format.save_indexes)."""
        return {f"{name}.{part}": self._array(part) for part in PARTS}

    @classmethod
    def from_arrays(cls, arrays, name: str) -> "TextIndex":
        try:
            idx = cls(*(arrays[f"{name}.{part}"] for part in PARTS))
        except KeyError as e:
            raise BadIndexFile(f"missing array {e}") from None
        idx._check()
        return idx

    def _check(self) -> None:
        """Shapes, kinds, a proper CSC structure, row numbers in range and sorted terms.

        A small index is checked in Python (so loading it never imports numpy), a large one
        with numpy."""
        src = self._src
        shapes = {p: getattr(a, "shape", None) for p, a in src.items()}
        kinds = {p: (a.kind if isinstance(a, MappedArray) else a.dtype.kind) for p, a in src.items()}
        n_terms = self.n_terms
        ok = (all(kinds[p] == k for p, k in _KIND.items()) and shapes["terms"] == (n_terms,)
              and shapes["idf"] == (n_terms,) and shapes["indptr"] == (n_terms + 1,)
              and shapes["indices"] == shapes["data"] == (self.nnz,) and shapes["ids"] == (self.n_docs,))
        if ok and self.small:
            indptr, indices, terms = self._part("indptr"), self._part("indices"), self._part("terms")
            ok = (indptr[0] == 0 and indptr[-1] == self.nnz and all(a <= b for a, b in zip(indptr, indptr[1:]))
                  and (not self.nnz or (0 <= min(indices) and max(indices) < self.n_docs))
                  and all(a < b for a, b in zip(terms, terms[1:])))
        elif ok:
            import numpy as np

            indptr, indices, terms = self.indptr, self.indices, self.terms
            ok = (int(indptr[0]) == 0 and int(indptr[-1]) == len(indices) and bool(np.all(np.diff(indptr) >= 0))
                  and (not len(indices) or (0 <= int(indices.min()) and int(indices.max()) < self.n_docs))
                  and (n_terms < 2 or bool(np.all(terms[:-1] < terms[1:]))))
        if not ok:
            raise BadIndexFile("inconsistent arrays")

    # -- query path ------------------------------------------------------------------------------
    def _columns(self, words: list[str]) -> list[int | None]:
        """The term column of each (sorted, distinct) word, None when out of vocabulary."""
        if self.small:
            terms = self._part("terms")
            pos = [bisect_left(terms, w) for w in words]
            return [p if p < self.n_terms and terms[p] == w else None for p, w in zip(pos, words)]
        import numpy as np

        terms = self.terms
        q = np.array(words, dtype=str)
        pos = np.searchsorted(terms, q)
        pos[pos >= len(terms)] = 0
        known = (terms[pos] == q).tolist()
        return [p if k else None for p, k in zip(pos.tolist(), known)]

    def weights(self, tokens: Iterable[str]) -> tuple[list[int], list[float]]:
        """(term columns, l2-normalised tf-idf weights) of a tokenised query, as `transform` does."""
        counts = Counter(tokens)
        if not counts or not self.n_terms:
            return [], []
        words = sorted(counts)
        idf = self._part("idf") if self.small else self.idf
        cols, w = [], []
        for word, col in zip(words, self._columns(words)):
            if col is None:
                continue
            tf = float(counts[word])
            if PARAMS["sublinear_tf"]:
                tf = 1.0 + math.log(tf)
            cols.append(col)
            w.append(tf * float(idf[col]))
        norm = math.sqrt(sum(x * x for x in w))
        if norm > 0:
            w = [x / norm for x in w]
        return cols, w

    def query(self, text: str, k: int) -> list[tuple[int, float]]:
        """The k documents most similar to the text: (row position, cosine), best first.

        Only documents sharing a term with the text are returned; ties go to the lower position.
        """
        return self.query_tokens(tokenize(text), k)

    def query_tokens(self, tokens: Iterable[str], k: int) -> list[tuple[int, float]]:
        cols, w = self.weights(tokens)
        if k <= 0 or not cols or not self.n_docs:
            return []
        if self.small:
            return self._score_python(cols, w, k)
        return self._score_numpy(cols, w, k)

    def _score_python(self, cols: list[int], w: list[float], k: int) -> list[tuple[int, float]]:
        """A small index: the postings read through memoryviews, added up in a dict."""
        indptr, indices, data = self._part("indptr"), self._part("indices"), self._part("data")
        scores: dict[int, float] = {}
        get = scores.get
        for j, wj in zip(cols, w):
            a, b = indptr[j], indptr[j + 1]
            for row, value in zip(indices[a:b], data[a:b]):
                scores[row] = get(row, 0.0) + value * wj
        hits = sorted(((r, s) for r, s in scores.items() if s > 0), key=lambda h: (-h[1], h[0]))
        return hits[:k]

    def _score_numpy(self, cols: list[int], w: list[float], k: int) -> list[tuple[int, float]]:
        """A large index: the query's columns concatenated and added up per row by bincount."""
        import numpy as np

        indptr, indices, data = self.indptr, self.indices, self.data
        spans = [(int(indptr[j]), int(indptr[j + 1])) for j in cols]
        rows = np.concatenate([indices[a:b] for a, b in spans])
        vals = np.concatenate([data[a:b] * wj for (a, b), wj in zip(spans, w)])
        scores = np.bincount(rows, weights=vals, minlength=self.n_docs)
        rows = np.flatnonzero(scores > 0)
        s = scores[rows]
        if len(rows) > k:
            kth = np.partition(s, len(s) - k)[len(s) - k]
            keep = s >= kth
            rows, s = rows[keep], s[keep]
        order = np.lexsort((rows, -s))[:k]
        return [(int(rows[i]), float(s[i])) for i in order]


def load_indexes(path: str | Path) -> tuple[dict, dict[str, TextIndex]]:
    """(meta, {name: TextIndex}) from a file written by `save_indexes`; BadIndexFile otherwise."""
    meta, names, arrays = read_index_file(path)
    try:
        return meta, {name: TextIndex.from_arrays(arrays, name) for name in names}
    except BadIndexFile as e:
        raise BadIndexFile(f"{path}: {e}") from None
    except Exception as e:  # undecodable terms and the like
        raise BadIndexFile(f"{path}: {type(e).__name__}: {e}") from None
