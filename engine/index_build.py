"""Fitting TF-IDF indexes with scikit-learn (the build path; the query path is engine.index_query).

`fit_indexes`: scikit-learn's TfidfTransformer with the weighting of engine.index_query.PARAMS —
sublinear tf (1 + log tf: a word said twice is not twice the topic — filing texts repeat the
project name on purpose, and that still counts, just less), smoothed idf and l2-normalised rows,
so a dot product is the cosine similarity.  The term counts are made here from the tokens of
engine.tokenize, each distinct block of text cut once — in forked worker processes for a large
build (`_BlockCutter`) — and the result is the vocabulary, idf and document vectors of
scikit-learn's TfidfVectorizer over the same texts.  Saving is engine.index_format.save_indexes.
"""
from __future__ import annotations

from array import array
from itertools import islice
from typing import Iterable, Sequence

from .index_query import PARAMS, TextIndex
from .tokenize import blocks, cut_block, tokenize


MEMO_PIECES = 1_000_000             # pieces of text whose blocks a build remembers


def fit_indexes(corpora: dict[str, Iterable[tuple[int, str]]], n_texts: int) -> dict[str, TextIndex]:
    """One index per named stream of (id, text), with the blocks of all texts cut once together.

    The streams are read as the blocks are cut (a catalogue cursor: reading the texts overlaps
    with cutting); n_texts, how many there are in all, decides whether worker processes cut.
    Term counts are made here, not by CountVectorizer: a text's counts are its blocks' token
    counts added up, i.e. the sparse product (text × block occurrences) · (block × term counts),
    exact integers; scikit-learn's TfidfTransformer then fits the idf and weights the rows.  The
    vocabulary, idf and document vectors are those of scikit-learn's TfidfVectorizer (with
    engine.tokenize.tokenize and PARAMS) over the same texts: tests/test_index.py checks it.
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
            out[name] = empty_index(ids)
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
        out[name] = index_from_matrix(np.asarray(vocab, dtype=str), tfidf.idf_, matrix, ids)
    return out


def _indptr(lengths):
    """CSR row pointers for rows of these lengths."""
    import numpy as np

    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    return indptr


def index_from_matrix(terms, idf, matrix, ids: Sequence[int] | None = None) -> TextIndex:
    """From sorted terms, their idf and the weighted document matrix (rows = documents)."""
    import numpy as np

    csc = matrix.tocsc()
    csc.sort_indices()
    n = matrix.shape[0]
    return TextIndex(
        terms=np.asarray(terms, dtype=str),
        idf=np.asarray(idf, dtype=np.float64),
        indptr=np.asarray(csc.indptr, dtype=np.int64),
        indices=np.asarray(csc.indices, dtype=np.int32),
        data=np.asarray(csc.data, dtype=np.float64),
        ids=np.asarray(range(n) if ids is None else ids, dtype=np.int64),
    )


def empty_index(ids: Sequence[int]) -> TextIndex:
    """No vocabulary (no documents, or nothing but stopwords): every query scores nothing."""
    import numpy as np

    return TextIndex(np.array([], dtype="<U1"), np.zeros(0), np.zeros(1, dtype=np.int64),
                     np.zeros(0, dtype=np.int32), np.zeros(0), np.asarray(list(ids), dtype=np.int64))


# -- the worker pool: the blocks of a large build cut in worker processes ------------------------
# a build over this many texts or more cuts their blocks in worker processes, one per core (at most 4)
PARALLEL_MIN_TEXTS = 20_000


def _cut_chunk(chunk: list[str]) -> list[tuple[str, ...]]:
    return [cut_block(b) for b in chunk]


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
