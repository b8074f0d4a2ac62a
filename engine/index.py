"""TF-IDF indexes: fitted with scikit-learn, persisted as plain numpy arrays, queried without either.

Build path (`fit_index`, `build_index`, `save_indexes`): scikit-learn's TfidfVectorizer with
`engine.tokenize.tokenize`, sublinear tf (1 + log tf: a word said twice is not twice the
topic — filing texts repeat the project name on purpose, and that still counts, just less),
smoothed idf and l2-normalised rows, so a dot product is the cosine similarity.

Query path (`load_indexes`, `TextIndex.load`, `TextIndex.query`): never scikit-learn or scipy,
and numpy only for large indexes.  The file is memory-mapped, not read.  A query is tokenised,
weighted like scikit-learn's `transform` (counts → 1 + log → × idf → l2, out-of-vocabulary
tokens ignored) and scored against the document matrix kept column-ordered (CSC), so only the
columns of the query's own terms are read (and paged in).

Two ways to score, with the same arithmetic in the same order, so they give the same floats:
an index of at most SMALL_NNZ stored values (a unit's own catalogue, the shipped one) is read
through typed memoryviews and scored in plain Python — a one-shot `jixiao suggest` then never
imports numpy (≈0.1 s of start-up); a larger one is scored with numpy (`bincount` over the
query's columns).  The query weights are computed in Python either way (a sequential sum for
the norm, not a BLAS dot product), and each document's score is the sum of its
`value × weight` products in column order, as `bincount` adds them.

File: one .npz (no pickled objects) holding any number of named indexes plus a JSON `meta`
record: the index format, the tokenizer fingerprint (a vocabulary is only valid with the
tokenizer that made it) and whatever the caller adds (the catalogue revision).  Per index
`<name>.terms` (sorted vocabulary, unicode array — binary-searched, no dict to build at load
time), `.idf`, `.indptr`/`.indices`/`.data` (CSC, float64) and `.ids` (the caller's id of each
document row).  Written atomically (temp file + os.replace).
"""
from __future__ import annotations

import json
import math
import mmap
import os
import re
import struct
import sys
import zipfile
from array import array
from bisect import bisect_left
from collections import Counter
from itertools import islice
from pathlib import Path
from typing import Iterable, Sequence

from .tokenize import blocks, cut_block, fingerprint, tokenize

# One BLAS thread: the fitting is sparse (scipy.sparse, scikit-learn's TfidfTransformer) and gains
# nothing from BLAS threads, while OpenBLAS starting one thread per core reserves memory for each —
# under an address-space limit (ulimit -v) its start-up then spins for ever instead of failing.
# Set before numpy is first imported (lazily, below); an officer's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

INDEX_FORMAT = 2
PARAMS = {"sublinear_tf": True, "norm": "l2", "use_idf": True, "smooth_idf": True}
_PARTS = ("terms", "idf", "indptr", "indices", "data", "ids")
# Up to this many stored values an index is read and scored in plain Python (no numpy import);
# a query then touches at most this many postings (a few ms in the worst case).
SMALL_NNZ = 60_000
# numpy dtype descriptions the Python path reads through a memoryview (little-endian machines)
_MV_FORMAT = {"<f8": "d", "<i8": "q", "<i4": "i"} if sys.byteorder == "little" else {}
_KIND = {"terms": "U", "idf": "f", "indptr": "i", "indices": "i", "data": "f", "ids": "i"}
_HEADER = re.compile(r"\{'descr': '([^']*)', 'fortran_order': (?:True|False), 'shape': \(([0-9, ]*)\), \}")
_DESCR = re.compile(r"[<>|=]([a-zA-Z])([0-9]+)")


class BadIndexFile(ValueError):
    """The file is missing, unreadable, corrupt, of another format or of another tokenizer."""


class _Mapped:
    """One array of a memory-mapped .npz: its bytes, numpy dtype description and shape."""

    __slots__ = ("buf", "descr", "shape")

    def __init__(self, buf: memoryview, descr: str, shape: tuple[int, ...]):
        self.buf, self.descr, self.shape = buf, descr, shape

    @property
    def kind(self) -> str:
        return self.descr[1]

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 1

    def python(self):
        """A typed memoryview (numbers) or a list of str (unicode), without numpy."""
        if self.kind == "U":
            width = int(self.descr[2:])
            text = self.buf.tobytes().decode("utf-32-le")
            return [text[i:i + width].rstrip("\x00") for i in range(0, len(text), width)]
        return self.buf.cast(_MV_FORMAT[self.descr])

    def numpy(self):
        import numpy as np

        return np.frombuffer(self.buf, dtype=np.dtype(self.descr)).reshape(self.shape)


class TextIndex:
    """A fitted TF-IDF index: vocabulary, idf and the document matrix in CSC form.

    The six parts are numpy arrays as attributes (`terms`, `idf`, `indptr`, `indices`, `data`,
    `ids`; a loaded index makes them, importing numpy, only when asked); queries read them
    through `_py` (small index) or `_np` (large index).
    """

    __slots__ = ("_src", "_np", "_py", "small", "n_terms", "nnz", "n_docs")

    def __init__(self, terms, idf, indptr, indices, data, ids):
        """From numpy arrays (fitted) or `_Mapped` arrays (loaded)."""
        self._src = dict(zip(_PARTS, (terms, idf, indptr, indices, data, ids)))
        self._np: dict = {}
        self._py: dict = {}
        self.n_terms, self.nnz, self.n_docs = len(terms), len(data), len(ids)
        mapped = all(isinstance(a, _Mapped) for a in self._src.values())
        self.small = self.nnz <= SMALL_NNZ and (not mapped or all(
            a.kind == "U" or a.descr in _MV_FORMAT for a in self._src.values()))

    # -- the parts, two ways -------------------------------------------------------------------
    def _array(self, part: str):
        got = self._np.get(part)
        if got is None:
            src = self._src[part]
            got = self._np[part] = src.numpy() if isinstance(src, _Mapped) else src
        return got

    def _part(self, part: str):
        """The part as Python reads it: a list of str (terms) or an indexable sequence of numbers."""
        got = self._py.get(part)
        if got is None:
            src = self._src[part]
            if isinstance(src, _Mapped):
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

    # -- construction (build path) -------------------------------------------------------------
    @classmethod
    def from_fitted(cls, vectorizer, matrix, ids: Sequence[int] | None = None) -> "TextIndex":
        """From a fitted vectorizer (see `make_vectorizer`) and its document matrix."""
        return cls.from_matrix(vectorizer.get_feature_names_out(), vectorizer.idf_, matrix, ids)

    @classmethod
    def from_matrix(cls, terms, idf, matrix, ids: Sequence[int] | None = None) -> "TextIndex":
        """From sorted terms, their idf and the weighted document matrix (rows = documents)."""
        import numpy as np

        csc = matrix.tocsc()
        csc.sort_indices()
        n = matrix.shape[0]
        return cls(
            terms=np.asarray(terms, dtype=str),
            idf=np.asarray(idf, dtype=np.float64),
            indptr=np.asarray(csc.indptr, dtype=np.int64),
            indices=np.asarray(csc.indices, dtype=np.int32),
            data=np.asarray(csc.data, dtype=np.float64),
            ids=np.asarray(range(n) if ids is None else ids, dtype=np.int64),
        )

    @classmethod
    def empty(cls, ids: Sequence[int]) -> "TextIndex":
        """No vocabulary (no documents, or nothing but stopwords): every query scores nothing."""
        import numpy as np

        return cls(np.array([], dtype="<U1"), np.zeros(0), np.zeros(1, dtype=np.int64),
                   np.zeros(0, dtype=np.int32), np.zeros(0), np.asarray(list(ids), dtype=np.int64))

    # -- persistence -----------------------------------------------------------------------------
    def arrays(self, name: str) -> dict:
        return {f"{name}.{part}": self._array(part) for part in _PARTS}

    @classmethod
    def from_arrays(cls, arrays, name: str) -> "TextIndex":
        try:
            idx = cls(*(arrays[f"{name}.{part}"] for part in _PARTS))
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
        kinds = {p: (a.kind if isinstance(a, _Mapped) else a.dtype.kind) for p, a in src.items()}
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

    @classmethod
    def load(cls, path: str | Path, name: str = "main") -> "TextIndex":
        _, indexes = load_indexes(path)
        if name not in indexes:
            raise BadIndexFile(f"no index named {name}")
        return indexes[name]

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
            indptr, indices, data = self._part("indptr"), self._part("indices"), self._part("data")
            scores: dict[int, float] = {}
            get = scores.get
            for j, wj in zip(cols, w):
                a, b = indptr[j], indptr[j + 1]
                for row, value in zip(indices[a:b], data[a:b]):
                    scores[row] = get(row, 0.0) + value * wj
            hits = sorted(((r, s) for r, s in scores.items() if s > 0), key=lambda h: (-h[1], h[0]))
            return hits[:k]
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


# -- building (imports scikit-learn) ------------------------------------------------------------
def make_vectorizer():
    """The TfidfVectorizer every index is fitted with: documents are texts (tokenized here) or
    token lists already made by tokenize_many."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=_analyze, dtype=np.float64, **PARAMS)


def _analyze(doc) -> list[str]:
    return tokenize(doc) if isinstance(doc, str) else doc


# a build over this many texts or more cuts their blocks in worker processes, one per core (at most 4)
PARALLEL_MIN_TEXTS = 20_000
MEMO_PIECES = 1_000_000             # pieces of text whose blocks a build remembers


def _cut_chunk(chunk: list[str]) -> list[tuple[str, ...]]:
    return [cut_block(b) for b in chunk]


def tokenize_many(texts: Sequence[str]) -> list[list[str]]:
    """tokenize() of every text, in order; each distinct block is cut once (in worker processes
    for a large set, see _BlockCutter), the tokens are the same either way."""
    position: dict[str, int] = {}
    per_text = []
    with _BlockCutter(len(texts)) as cutter:
        for t in texts:
            per_text.append([position.setdefault(b, len(position)) for b in blocks(t)])
            cutter.feed(position)
        cuts = cutter.finish(position)
    return [[tok for i in numbers for tok in cuts[i]] for numbers in per_text]


def fit_index(texts: Sequence[str], ids: Sequence[int] | None = None) -> TextIndex:
    """TF-IDF over the texts: the same vocabulary, idf and weights as make_vectorizer()'s
    fit_transform (see fit_indexes)."""
    ids = range(len(texts)) if ids is None else ids
    if len(ids) != len(texts):
        raise ValueError("ids and texts differ in length")
    return fit_indexes({"main": zip(ids, texts)}, len(texts))["main"]


def fit_indexes(corpora: dict[str, Iterable[tuple[int, str]]], n_texts: int) -> dict[str, TextIndex]:
    """One index per named stream of (id, text), with the blocks of all texts cut once together.

    The streams are read as the blocks are cut (a catalogue cursor: reading the texts overlaps
    with cutting); n_texts, how many there are in all, decides whether worker processes cut.
    Term counts are made here, not by CountVectorizer: a text's counts are its blocks' token
    counts added up, i.e. the sparse product (text × block occurrences) · (block × term counts),
    exact integers; scikit-learn's TfidfTransformer then fits the idf and weights the rows.  The
    vocabulary, idf and document vectors are those of make_vectorizer().fit_transform(texts).
    """
    import numpy as np

    position: dict[str, int] = {}                  # distinct block → its number, in first-seen order
    memo: dict[str, tuple[int, ...]] = {}          # piece of text → its block numbers
    named = {}
    with _BlockCutter(n_texts) as cutter:
        for name, items in corpora.items():
            ids, used, sizes = [], array("q"), array("q")   # ids; block numbers of every text, how many
            for doc_id, t in items:
                ids.append(doc_id)
                start = len(used)
                # no block spans a space, so a text's blocks are its pieces' blocks; pieces (the
                # indicator names of thousands of filings) repeat, and are split once
                for piece in t.split(" "):
                    got = memo.get(piece)
                    if got is None:
                        if len(memo) >= MEMO_PIECES:
                            memo.clear()
                        got = memo[piece] = tuple([position.setdefault(b, len(position)) for b in blocks(piece)])
                    used.extend(got)
                sizes.append(len(used) - start)
                cutter.feed(position)
            named[name] = (np.frombuffer(used, dtype=np.int64), np.frombuffer(sizes, dtype=np.int64), ids)
        memo.clear()
        # imported while the workers are still cutting
        from scipy.sparse import csr_matrix
        from sklearn.feature_extraction.text import TfidfTransformer

        cuts = cutter.finish(position)
    out = {}
    for name, (used, sizes, ids) in named.items():
        seen = np.zeros(len(cuts), dtype=bool)
        seen[used] = True
        own = np.flatnonzero(seen)                 # this corpus's distinct blocks, in cut order
        vocab = sorted({tok for i in own.tolist() for tok in cuts[i]})
        if not vocab:                  # no documents, or nothing but stopwords and punctuation
            out[name] = TextIndex.empty(ids)
            continue
        column = {t: j for j, t in enumerate(vocab)}
        local = np.full(len(cuts), -1, dtype=np.int64)
        local[own] = np.arange(len(own))
        lengths = np.fromiter((len(cuts[i]) for i in own.tolist()), dtype=np.int64, count=len(own))
        n_tokens = int(lengths.sum())
        # CSR made directly (a row's repeated columns are added up by the product)
        block_terms = csr_matrix(
            (np.ones(n_tokens), np.fromiter((column[t] for i in own.tolist() for t in cuts[i]),
                                            dtype=np.int64, count=n_tokens), _indptr(lengths)),
            shape=(len(own), len(vocab)))
        text_blocks = csr_matrix((np.ones(len(used)), local[used], _indptr(sizes)), shape=(len(sizes), len(own)))
        counts = (text_blocks @ block_terms).tocsr()
        counts.sum_duplicates()
        tfidf = TfidfTransformer(**PARAMS)
        matrix = tfidf.fit_transform(counts)
        out[name] = TextIndex.from_matrix(np.asarray(vocab, dtype=str), tfidf.idf_, matrix, ids)
    return out


def _indptr(lengths):
    """CSR row pointers for rows of these lengths."""
    import numpy as np

    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    return indptr


class _BlockCutter:
    """Cuts the distinct blocks of a large build in forked worker processes while the texts are
    still being split: every CHUNK new blocks go to the workers at once.  With few texts, one
    job, or no safe fork (a fork copies the loaded jieba and imports nothing; with other threads
    running, or where fork does not exist, it stays in this process), everything is cut here at
    the end.  JIXIAO_JOBS=1 keeps it in this process.  Same tokens either way."""

    CHUNK = 8192

    def __init__(self, n_texts: int):
        self.n_texts, self.pool, self.sent, self.futures = n_texts, None, 0, []

    def __enter__(self) -> "_BlockCutter":
        from jixiao.corpus.parallel import fork_pool, workers_for

        n = workers_for(self.n_texts, PARALLEL_MIN_TEXTS)
        if n:
            tokenize("预热")           # load jieba once here, so the workers inherit it
            self.pool = fork_pool(n)
        return self

    def feed(self, position: dict[str, int]) -> None:
        if self.pool is not None and len(position) - self.sent >= self.CHUNK:
            self._send(position)

    def _send(self, position: dict[str, int]) -> None:
        from concurrent.futures.process import BrokenProcessPool

        chunk = list(islice(position, self.sent, None))
        try:
            future = self.pool.submit(_cut_chunk, chunk)
        except (RuntimeError, BrokenProcessPool):
            future = None
        self.futures.append((chunk, future))
        self.sent += len(chunk)

    def finish(self, position: dict[str, int]) -> list[tuple[str, ...]]:
        from concurrent.futures.process import BrokenProcessPool

        if self.pool is not None and len(position) > self.sent:
            self._send(position)
        cuts: list[tuple[str, ...]] = []
        for chunk, future in self.futures:
            try:
                cuts.extend(future.result() if future is not None else _cut_chunk(chunk))
            except (OSError, BrokenProcessPool):      # a worker died: cut its share here
                cuts.extend(_cut_chunk(chunk))
        cuts.extend(_cut_chunk(list(islice(position, len(cuts), None))))
        return cuts

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def save_indexes(path: str | Path, indexes: dict[str, TextIndex], meta: dict | None = None) -> None:
    """Write named indexes and a meta record into one .npz, atomically."""
    import numpy as np

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


def _npy_header(raw: bytes) -> tuple[str, tuple[int, ...], int]:
    """(dtype description, shape, header length) of a .npy member, read without numpy."""
    if raw[:6] != b"\x93NUMPY":
        raise ValueError("not a .npy member")
    major = raw[6]
    size_len = 2 if major == 1 else 4
    (hlen,) = struct.unpack("<H" if size_len == 2 else "<I", raw[8:8 + size_len])
    start = 8 + size_len
    text = raw[start:start + hlen].decode("latin-1" if major < 3 else "utf-8")
    m = _HEADER.match(text)
    if m:
        descr, shape_text = m.group(1), m.group(2)
        shape = tuple(int(x) for x in shape_text.replace(" ", "").split(",") if x)
    else:  # another writer's spelling of the same dictionary
        import ast

        d = ast.literal_eval(text)
        descr, shape = d["descr"], tuple(d["shape"])
    if not isinstance(descr, str) or not _DESCR.fullmatch(descr) or descr[1] == "O":
        raise ValueError(f"unsupported dtype {descr!r}")
    return descr, shape, start + hlen


def _map_npz(path: str | Path) -> dict[str, _Mapped]:
    """The arrays of an uncompressed .npz, memory-mapped read-only: nothing is read until used.

    np.load would read and CRC-check every array (≈0.3 s for a 100k-filing index); mapped, a
    query pages in only its terms' columns.  The file is opened once, so a concurrent
    os.replace cannot mix two versions.  Object (pickled) arrays are refused.
    """
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        infos = zipfile.ZipFile(f).infolist()
    view = memoryview(mm)
    arrays = {}
    for info in infos:
        if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
            raise ValueError(f"unexpected member {info.filename}")
        head = info.header_offset
        if mm[head:head + 4] != b"PK\x03\x04":
            raise ValueError("bad local header")
        name_len, extra_len = struct.unpack("<HH", mm[head + 26:head + 30])
        start = head + 30 + name_len + extra_len
        descr, shape, header_len = _npy_header(mm[start:start + min(info.file_size, 1 << 16)])
        m = _DESCR.fullmatch(descr)
        itemsize = int(m.group(2)) * (4 if m.group(1) == "U" else 1)
        offset = start + header_len
        end = offset + math.prod(shape) * itemsize
        if end != start + info.file_size or end > len(mm):
            raise ValueError(f"{info.filename}: size mismatch")
        arrays[info.filename[:-4]] = _Mapped(view[offset:end], descr, shape)
    return arrays


def load_indexes(path: str | Path) -> tuple[dict, dict[str, TextIndex]]:
    """(meta, {name: TextIndex}) from a file written by `save_indexes`; BadIndexFile otherwise."""
    try:
        arrays = _map_npz(path)
        meta_array = arrays["meta"]
        if meta_array.kind != "U" or meta_array.shape != ():
            raise ValueError("meta is not one string")
        meta = json.loads(meta_array.python()[0])
    except Exception as e:  # missing, empty, truncated, not a zip, bad JSON, pickled content …
        raise BadIndexFile(f"{path}: {type(e).__name__}: {e}") from None
    if not isinstance(meta, dict) or meta.get("format") != INDEX_FORMAT:
        raise BadIndexFile(f"{path}: index format {meta.get('format') if isinstance(meta, dict) else '?'}")
    if meta.get("tokenizer") != fingerprint():
        raise BadIndexFile(f"{path}: built with another tokenizer")
    names = meta.get("indexes")
    if not isinstance(names, list):
        raise BadIndexFile(f"{path}: no index list")
    try:
        return meta, {name: TextIndex.from_arrays(arrays, name) for name in names}
    except BadIndexFile as e:
        raise BadIndexFile(f"{path}: {e}") from None
    except Exception as e:  # undecodable terms and the like
        raise BadIndexFile(f"{path}: {type(e).__name__}: {e}") from None


def build_index(texts: Sequence[str], path: str | Path, *, ids: Sequence[int] | None = None,
                name: str = "main", meta: dict | None = None) -> TextIndex:
    """Fit one index over the texts and persist it alone in `path`; returns it."""
    idx = fit_index(texts, ids)
    save_indexes(path, {name: idx}, meta)
    return idx
