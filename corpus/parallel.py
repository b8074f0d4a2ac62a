"""Worker processes for the long jobs (ingest, index build, batch): how many, and how they are made.

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
    ordered_map(pool, fn, items, chunksize=16)
                        fn(item) of the items, computed by the pool's workers and yielded in
                        input order; it stops early, without raising, when a worker dies, so
                        the caller finishes the items not yielded in its own process

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


def ordered_map(pool, fn, items, chunksize: int = 16):
    from concurrent.futures.process import BrokenProcessPool

    try:
        with pool:
            yield from pool.map(fn, items, chunksize=chunksize)
    except BrokenProcessPool:
        return
