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


def _parse_in_worker(path):
    """(filings, None) or (None, the problem) for one file, in a reading worker."""
    from jixiao.corpus.errors import InputError
    from jixiao.corpus.parse import parse_file

    try:
        return parse_file(path), None
    except InputError as exc:
        return None, exc.problem


def read_all(files, progress, n_jobs: int | None = None):
    from jixiao.corpus.errors import InputError
    from jixiao.corpus.parallel import fork_pool, ordered_map, workers_for
    from jixiao.corpus.parse import parse_file

    items, failed = [], []                             # (file, table no., filing)
    progress.phase("读取", len(files))
    done = 0
    n = workers_for(len(files), PARALLEL_MIN_FILINGS, n_jobs)
    pool = None
    if n:
        with paused(progress):
            pool = fork_pool(n)
    if pool is not None:                   # a worker killed (memory?) stops it: the rest is read here
        for (filings, problem), f in zip(ordered_map(pool, _parse_in_worker, files), files):
            if problem is None:
                items.extend((f, n, filing) for n, filing in enumerate(filings, 1))
            else:
                failed.append(FailedFile(f, InputError(f, problem)))
            done += 1
            progress.advance(f.name)
    for f in files[done:]:
        try:
            items.extend((f, n, filing) for n, filing in enumerate(parse_file(f), 1))
        except InputError as exc:
            failed.append(FailedFile(f, exc))
        progress.advance(f.name)
    return items, failed
