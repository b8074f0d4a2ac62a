"""Reading a batch's input files: every filing of every file, in input order.

    read_all(files, progress, n_jobs=None) -> (items, failed)
        items: [(file, table no. in the file, Filing)], failed: [FailedFile] of the files that
        could not be read.  Many files are read by worker processes (corpus.parallel); the filings
        come back in input order, the same as reading them here.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from jixiao.engine.pool_sizes import PARALLEL_MIN_FILINGS

from .workers import paused


class FailedFile(NamedTuple):
    path: Path
    error: Exception          # corpus.errors.InputError: str() is the line for the screen


def _parse(path):
    """(filings, None) or (None, the InputError) for one file."""
    from jixiao.corpus.errors import InputError
    from jixiao.corpus.parse import parse_file

    try:
        return parse_file(path), None
    except InputError as exc:
        return None, exc


def _parse_in_worker(path):
    """(filings, None) or (None, the problem) for one file, in a reading worker (the problem
    crosses the pipe as text)."""
    filings, exc = _parse(path)
    return filings, (None if exc is None else exc.problem)


def read_all(files, progress, n_jobs: int | None = None):
    from jixiao.corpus.errors import InputError
    from jixiao.corpus.parallel import map_in_order, workers_for

    items, failed = [], []                             # (file, table no., filing)
    progress.phase("读取", len(files))
    results = map_in_order(_parse_in_worker, files, workers_for(len(files), PARALLEL_MIN_FILINGS, n_jobs),
                           local=_parse, forking=paused(progress))
    try:
        for (filings, problem), f in zip(results, files):
            if problem is None:
                items.extend((f, n, filing) for n, filing in enumerate(filings, 1))
            else:
                failed.append(FailedFile(f, problem if isinstance(problem, InputError) else InputError(f, problem)))
            progress.advance(f.name)
    finally:
        results.close()
    return items, failed
