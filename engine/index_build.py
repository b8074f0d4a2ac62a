"""Fitting TF-IDF indexes with scikit-learn (the build path; the query path is engine.index_query).

`fit_indexes`: scikit-learn's TfidfTransformer with the weighting of engine.index_query.PARAMS —
sublinear tf (1 + log tf: a word said twice is not twice the topic — filing texts repeat the
project name on purpose, and that still counts, just less), smoothed idf and l2-normalised rows,
so a dot product is the cosine similarity.  The term counts are made here from the tokens of
engine.tokenize, each distinct block of text cut once — in forked worker processes for a large
build (corpus.parallel.map_in_order) — and the result is the vocabulary, idf and document vectors of
scikit-learn's TfidfVectorizer over the same texts.  Saving is engine.index_format.save_indexes.
"""
from __future__ import annotations

from array import array
from importlib import import_module
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
    engine.tokenize.tokenize and PARAMS) over the same texts: tests/engine/test_index.py checks it.
    """
    import numpy as np

    from jixiao.corpus.parallel import map_in_order, workers_for

    position: dict[str, int] = {}                  # distinct block → its number, in first-seen order
    named = {}

    def new_blocks():
        """Split the texts, yielding each distinct block as it is first seen (the workers cut
        them while the rest is still being split); fills `named` as it goes."""
        memo: dict[str, tuple[int, ...]] = {}      # piece of text → its block numbers
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
                        numbers = []
                        for b in blocks(piece):
                            n = position.get(b)
                            if n is None:
                                n = position[b] = len(position)
                                yield b
                            numbers.append(n)
                        got = memo[piece] = tuple(numbers)
                    used.extend(got)
                sizes.append(len(used) - start)
            named[name] = (np.frombuffer(used, dtype=np.int64), np.frombuffer(sizes, dtype=np.int64), ids)
        memo.clear()
        for module in ("scipy.sparse", "sklearn.feature_extraction.text"):
            import_module(module)      # imported while the workers are still cutting

    workers = workers_for(n_texts, PARALLEL_MIN_TEXTS)
    if workers:
        tokenize("预热")               # load jieba once here, so the forked workers inherit it
    # a large build cuts its blocks in forked workers (JIXIAO_JOBS=1, few texts or no safe fork:
    # here, as they come); the same tokens either way
    cuts = list(map_in_order(cut_block, new_blocks(), workers, chunksize=BLOCK_CHUNK))
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfTransformer

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


# a build over this many texts or more cuts their blocks in worker processes, one per core (at most 4),
# BLOCK_CHUNK new blocks at a time
PARALLEL_MIN_TEXTS = 20_000
BLOCK_CHUNK = 8192
