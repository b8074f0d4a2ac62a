"""Index helpers only the tests use: scikit-learn's own TfidfVectorizer as the reference the
build must match, one-index fitting, saving and loading."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from jixiao.engine.index_build import fit_indexes, index_from_matrix
from jixiao.engine.index_format import BadIndexFile, save_indexes
from jixiao.engine.index_query import PARAMS, TextIndex, load_indexes
from jixiao.engine.tokenize import tokenize


def make_vectorizer():
    """scikit-learn's TfidfVectorizer with the index's tokenizer and weighting: fit_index must
    give its vocabulary, idf and document vectors."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=tokenize, dtype=np.float64, **PARAMS)


def index_from_fitted(vectorizer, matrix, ids: Sequence[int] | None = None) -> TextIndex:
    """From a fitted vectorizer (see `make_vectorizer`) and its document matrix."""
    return index_from_matrix(vectorizer.get_feature_names_out(), vectorizer.idf_, matrix, ids)


def fit_index(texts: Sequence[str], ids: Sequence[int] | None = None) -> TextIndex:
    """One index over the texts (ids: their row numbers unless given), as fit_indexes makes it."""
    ids = range(len(texts)) if ids is None else ids
    if len(ids) != len(texts):
        raise ValueError("ids and texts differ in length")
    return fit_indexes({"main": zip(ids, texts)}, len(texts))["main"]


def build_index(texts: Sequence[str], path: str | Path, *, ids: Sequence[int] | None = None,
                name: str = "main", meta: dict | None = None) -> TextIndex:
    """Fit one index over the texts and persist it alone in `path`; returns it."""
    idx = fit_index(texts, ids)
    save_indexes(path, {name: idx}, meta)
    return idx


def load_index(path: str | Path, name: str = "main") -> TextIndex:
    """The index of that name in a file written by save_indexes."""
    _, indexes = load_indexes(path)
    if name not in indexes:
        raise BadIndexFile(f"no index named {name}")
    return indexes[name]
