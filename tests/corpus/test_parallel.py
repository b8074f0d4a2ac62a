"""corpus.parallel.map_in_order, the one worker pool of ingest, batch and suggest --from: results in
input order and equal to computing them here, whether the workers run, cannot start or die."""
from __future__ import annotations

import os

import pytest

from jixiao.corpus.parallel import fork_context, map_in_order

PARENT = os.getpid()
needs_fork = pytest.mark.skipif(fork_context() is None, reason="no safe fork here")


def where_and_square(x: int) -> tuple[int, bool]:
    return x * x, os.getpid() != PARENT


def square_unless_worker_meets_seven(x: int) -> int:
    if x == 7 and os.getpid() != PARENT:
        os._exit(1)                       # a worker killed (for memory …) mid-run
    return x * x


def failing_initializer() -> None:
    raise RuntimeError("cannot start")


class Entered:
    def __init__(self):
        self.times = 0

    def __enter__(self):
        self.times += 1

    def __exit__(self, *exc):
        pass


@needs_fork
@pytest.mark.parametrize("chunksize, ahead", [(1, None), (3, 2), (16, None)])
def test_workers_give_the_serial_results_in_order(chunksize, ahead):
    got = list(map_in_order(where_and_square, range(40), 2, chunksize=chunksize, ahead=ahead))
    assert [r for r, _ in got] == [x * x for x in range(40)]
    assert all(in_worker for _, in_worker in got)


@needs_fork
def test_a_dead_worker_leaves_its_items_to_this_process():
    got = list(map_in_order(square_unless_worker_meets_seven, range(60), 2, chunksize=4))
    assert got == [x * x for x in range(60)]


@needs_fork
def test_workers_that_cannot_start_leave_everything_to_local():
    got = list(map_in_order(where_and_square, range(10), 2, local=lambda x: (-x, False),
                            initializer=failing_initializer))
    assert got == [(-x, False) for x in range(10)]


def test_no_workers_computes_here_without_forking():
    forking = Entered()
    got = list(map_in_order(where_and_square, range(5), 0, forking=forking))
    assert got == [(x * x, False) for x in range(5)] and forking.times == 0


@needs_fork
def test_forking_is_held_while_the_workers_start():
    forking = Entered()
    assert [r for r, _ in map_in_order(where_and_square, range(5), 2, forking=forking)] == [0, 1, 4, 9, 16]
    assert forking.times == 1


@needs_fork
def test_items_may_be_a_generator():
    got = list(map_in_order(where_and_square, (x for x in range(33)), 2, chunksize=5))
    assert [r for r, _ in got] == [x * x for x in range(33)]
