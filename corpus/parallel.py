"""Worker processes for the long jobs (ingest, index build, batch, suggest --from): how many, how
they are made, and the work shared out over them.

    jobs()              worker processes to use: JIXIAO_JOBS when set, else the cores this
                        process may run on, at most MAX_JOBS
    workers_for(n_tasks, min_tasks, n_jobs=None)
                        worker processes for a run of n_tasks: n_jobs (else jobs()) when there
                        are at least min_tasks and two or more jobs, else 0 (work here)
    fork_context()      the multiprocessing "fork" context when forking is safe here (a platform
                        with fork and a process with a single thread), else None: callers then
                        do the work in their own process
    die_with_parent(parent_pid)
                        for a worker's initializer: on Linux the kernel kills the worker when its
                        parent dies (a killed `jixiao batch` leaves no orphans behind)
    fork_pool(workers, initializer=None, initargs=())
                        a ProcessPoolExecutor whose workers are all forked before it returns
                        (each dies with its parent, then runs initializer(*initargs)), or None
                        when forking is not safe here or the workers could not start
    map_in_order(fn, items, workers, *, local=None, initializer=None, initargs=(),
                 chunksize=16, ahead=None, forking=None)
                        fn(item) of every item, yielded in input order: computed by `workers`
                        forked processes (fork_pool) when they can start, `ahead` chunks of
                        `chunksize` items in flight (default: all; items may be a generator,
                        whose chunks are sent as it makes them), else here by local(item)
                        (default fn).  When a worker dies (killed for memory …) the items not
                        yet yielded are computed here: the results are the same either way.
                        `forking`: a context manager held while the workers are forked (a
                        progress bar's refresh thread paused)

Forked workers inherit the loaded modules (jieba, the catalogue code) and start in a few
milliseconds; nothing of the parent's open SQLite connections may be used in them, so workers
open their own.
"""
from __future__ import annotations

import os
import threading

MAX_JOBS = 4


def jobs() -> int:
    raw = os.environ.get("JIXIAO_JOBS", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_JOBS))


def workers_for(n_tasks: int, min_tasks: int, n_jobs: int | None = None) -> int:
    n = n_jobs or jobs()
    return n if n_tasks >= min_tasks and n >= 2 else 0


def fork_context():
    if threading.active_count() > 1:
        return None
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def die_with_parent(parent_pid: int) -> None:
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)          # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:                           # the parent died before prctl
        os._exit(1)


def _start_worker(parent_pid: int, initializer, initargs: tuple) -> None:
    die_with_parent(parent_pid)
    if initializer is not None:
        initializer(*initargs)


def fork_pool(workers: int, initializer=None, initargs: tuple = ()):
    ctx = fork_context()
    if ctx is None or workers < 1:
        return None
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_start_worker,
                               initargs=(os.getpid(), initializer, initargs))
    try:
        pool.submit(int).result()          # with fork, every worker is started by the first task
    except Exception:                      # a worker could not start (its initializer failed …)
        pool.shutdown(cancel_futures=True)
        return None
    return pool


def _run_chunk(fn, chunk: list) -> list:
    return [fn(item) for item in chunk]


def map_in_order(fn, items, workers: int, *, local=None, initializer=None, initargs: tuple = (),
                 chunksize: int = 16, ahead: int | None = None, forking=None):
    from collections import deque
    from concurrent.futures.process import BrokenProcessPool
    from contextlib import nullcontext
    from itertools import islice

    local = local or fn
    pool = None
    if workers >= 1:
        with forking if forking is not None else nullcontext():
            pool = fork_pool(workers, initializer, initargs)
    if pool is None:
        for item in items:
            yield local(item)
        return
    items = iter(items)                    # read as the chunks are sent: a generator's items are
    chunks = iter(lambda: list(islice(items, chunksize)), [])     # sent while it still makes more
    window: deque = deque()            # (chunk, future or None when it is computed here)
    broken = False
    try:
        while True:
            while not broken and (ahead is None or len(window) < ahead):
                chunk = next(chunks, None)
                if chunk is None:
                    break
                try:
                    window.append((chunk, pool.submit(_run_chunk, fn, chunk)))
                except (BrokenProcessPool, RuntimeError):      # a worker died: the rest here
                    broken = True
                    window.append((chunk, None))
            if not window:
                break
            chunk, future = window.popleft()
            try:
                results = future.result() if future is not None else None
            except (BrokenProcessPool, OSError):       # a worker died, or its result was lost
                broken, results = True, None
            if results is None:
                results = [local(item) for item in chunk]
            yield from results
        for chunk in chunks:               # left when the pool broke
            for item in chunk:
                yield local(item)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
