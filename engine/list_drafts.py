"""Drafts for every row of a project list (engine.project_list), in list order, each as soon as it
is made.

    ListOptions(year, dept, types, profile, use_feedback)
                            what applies to every row unless the row says otherwise
    RowDraft(row, draft, problem)
                            a row's draft, or None and why it could not be drafted
    draft_rows(model, rows, options, n_jobs=None) -> Iterator[RowDraft]

A long list is shared out over forked worker processes (corpus.parallel; --jobs / JIXIAO_JOBS);
drafts are the same as made here, and the rows a dead worker had not finished are drafted here.
One project the engine cannot draft never stops the list.
"""
from __future__ import annotations

from typing import Iterator, NamedTuple

from .new_project import make_project, resolve_types
from .pool_sizes import PARALLEL_MIN_PROJECTS


class ListOptions(NamedTuple):
    year: int | None = None          # a row without a year: this one (None: default_year())
    dept: str | None = None          # a row without a department: this one
    types: list | None = None        # canonical sector tags for rows without a type
    profile: str = "default"
    use_feedback: bool = True


class RowDraft(NamedTuple):
    row: object                      # engine.project_list.ListRow
    draft: object | None             # engine.draft.Draft
    problem: str | None              # why there is no draft


def project_of(row, options: ListOptions):
    """The Project of a list row (built when it is drafted, so a long list holds only rows)."""
    row_types, _ = resolve_types([row.type] if row.type else None)
    return make_project(row.name, row.description, row.budget, row.year or options.year,
                        row.department or options.dept, row_types or options.types)


def draft_row(model, row, options: ListOptions) -> RowDraft:
    from .suggest import suggest

    try:
        draft = suggest(model, project_of(row, options), profile=options.profile,
                        use_feedback=options.use_feedback)
        return RowDraft(row, draft, None)
    except Exception as exc:  # a project the engine cannot draft is listed like a bad row
        return RowDraft(row, None, f"生成草稿失败（{type(exc).__name__}）：{str(exc)[:120]}")


_SHARED: tuple = ()        # (rows, options) of a run, set before workers are forked:
                           # they inherit it, so only row numbers cross the pipe
_WORKER_MODEL = None       # a worker's own EngineModel (never the parent's connection)


def _init_worker(db_path) -> None:
    global _WORKER_MODEL
    from .model import EngineModel

    _WORKER_MODEL = EngineModel.open(db_path)


def _draft_in_worker(i: int) -> RowDraft:
    rows, options = _SHARED
    return draft_row(_WORKER_MODEL, rows[i], options)


def draft_rows(model, rows, options: ListOptions, n_jobs: int | None = None) -> Iterator[RowDraft]:
    """RowDraft for every row, in list order (model: an open engine.model.EngineModel)."""
    from jixiao.corpus.parallel import map_in_order, workers_for

    global _SHARED
    _SHARED = (rows, options)
    results = map_in_order(_draft_in_worker, range(len(rows)), workers_for(len(rows), PARALLEL_MIN_PROJECTS, n_jobs),
                           local=lambda i: draft_row(model, rows[i], options),
                           initializer=_init_worker, initargs=(model.db_path,))
    try:
        yield from results
    finally:
        results.close()
        _SHARED = ()
