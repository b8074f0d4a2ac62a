"""Carrying a batch's filings forward and writing each draft.

    Job                      what carrying one filing needs besides the filing (sent once to
                             every worker)
    make_fill(model, profile, use_feedback)
                             fill(project, level2) for engine.carry: the suggest engine's picks
    carry_all(job, items, budgets, problems, model, progress, n_jobs) -> Carried
                             every filing carried and written, in input order

With many filings the work is shared out over worker processes (corpus.parallel); results come
back in input order and are the same as carrying them here, so outputs stay byte-for-byte
reproducible.  If a worker dies, the filings it had not finished are carried here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from jixiao.engine.pool_sizes import PARALLEL_MIN_FILINGS

from .budgets import Problem, amount_text, budget_doubt
from .formats import DRAFT_FORMATS
from .summary import COUNT_COLUMNS, DONE, FAILED, SUMMARY_STEM, SummaryRow
from .workers import paused


@dataclass(frozen=True)
class Job:
    year: int
    format: str
    force: bool
    profile: str
    scale_costs: bool
    use_feedback: bool
    budgets_given: bool
    outdir: Path
    stamp: object
    db_path: object


class Task(NamedTuple):
    """One filing to carry: its summary number, where it was read, its budget and output name."""

    number: int
    file: Path
    table_no: int
    filing: object
    match: object              # engine.carry budget match, or None
    filename: str
    near: list                 # budget-table names close to the filing's, when it matched none


@dataclass
class Carried:
    rows: list = field(default_factory=list)        # SummaryRow per filing, in input order
    written: int = 0
    skipped: int = 0
    screen: list = field(default_factory=list)      # lines for the screen (doubted budgets)


def make_fill(model, profile: str, use_feedback: bool = True):
    """fill(project, level2) for engine.carry: the suggest engine's picks of that 二级."""
    from jixiao.engine.suggest import rank, to_indicator

    cache: dict[str, object] = {}

    def fill(project, level2):
        # the draft suggest() would make, but only this category's indicators are built
        key = project.model_dump_json()
        if key not in cache:
            cache.clear()
            cache[key] = rank(model, project.model_copy(deep=True), profile=profile, use_feedback=use_feedback)
        ranking = cache[key]
        return [to_indicator(ranking.project, c) for c in ranking.chosen if c.level2 == level2]

    return fill


def carry_one(job: Job, fill, task: Task) -> tuple[SummaryRow, int, int, list[str]]:
    """Carry one filing and write its draft: (summary row, written 0/1, skipped 0/1, lines for
    the screen)."""
    from jixiao.engine.carry import carry_forward
    from jixiao.engine.writers import OutputError

    from .outdir import write_draft

    filing, match, near = task.filing, task.match, task.near
    budget = match.amount if match else None
    notes, screen = [], []
    if match and match.how == "fuzzy":
        notes.append(f"预算按相近名称「{match.name}」匹配（相似度 {match.score:g}）")
    elif job.budgets_given and not match:
        notes.append("预算表中没有这个项目" + (f"；预算表中相近的名称：{'、'.join(near)}" if near else ""))
    doubt = budget_doubt(filing, match, job.force)
    if doubt:
        notes.append(doubt)
        screen.append(f"「{filing.name}」{doubt}")
        if not job.force:
            budget, match = None, None
    status, counts, draft, written, skipped = DONE, None, None, 0, 0
    try:
        draft, counts = carry_forward(filing, job.year, budget, fill=fill, profile=job.profile,
                                      scale_costs=job.scale_costs)
    except Exception as exc:  # one bad filing must not stop the others
        status = FAILED
        notes.append(f"顺延失败（{type(exc).__name__}）：{str(exc)[:120]}")
    target = job.outdir / task.filename
    if draft is not None:
        try:
            if job.force or not target.exists():
                write_draft(draft, target, job.format, job.stamp)
                written = 1
            else:
                skipped = 1
        except (OutputError, ValueError) as exc:
            status = FAILED
            notes.append(f"写入失败：{exc}")
    row = _row(task, draft, counts, budget, match, task.filename if status == DONE else "", status, notes)
    return row, written, skipped, screen


def _row(task: Task, draft, counts, budget, match, fname, status, notes) -> SummaryRow:
    filing = task.filing
    source = ""
    if match:
        source = f"预算表（{'精确匹配' if match.how == 'exact' else '相近名称'}：{match.name}）"
    elif draft is not None and draft.project.budget is not None:
        source = "沿用上年"
    c = counts.as_dict() if counts else {}
    problems = list(c.get("notes", [])) + notes
    if draft is not None:
        problems += [f"{x.rule.split()[0]} {x.message}" for x in draft.lint if x.severity == "error"]
    return SummaryRow(
        task.number, str(task.file), task.table_no,
        name=draft.project.name if draft is not None else filing.name,
        kind="部门整体" if filing.kind == "department" else "项目",
        last_year=filing.year or "", target_year=draft.project.year if draft is not None else "",
        budget=amount_text(draft.project.budget if draft is not None else budget), budget_source=source,
        output_file=fname, status=status, notes="；".join(problems),
        **{f: c.get(f, "") for f in COUNT_COLUMNS.values()},
    )


_WORKER: tuple | None = None          # (job, fill) in a worker process
_TASKS: list = []                     # the filings to carry, set before the workers are forked:
                                      # they inherit it, so only task numbers cross the pipe


def _init_worker(job: Job) -> None:
    global _WORKER
    from jixiao.engine.model import EngineModel

    model = EngineModel.open(job.db_path)       # its own connection, never the parent's
    _WORKER = (job, make_fill(model, job.profile, job.use_feedback))


def _carry_in_worker(i: int):
    job, fill = _WORKER
    return carry_one(job, fill, _TASKS[i])


def plan(job: Job, items, budgets, problems) -> list[Task]:
    """The tasks in input order: budgets matched by name, output names assigned (the same on every
    run); budget-table rows that match no filing are added to problems."""
    from jixiao.engine.carry import match_budgets, nearest_names, roll_forward
    from jixiao.engine.writers.safety import TakenNames, safe_filename

    next_names = [roll_forward(fl.name, max(0, job.year - (fl.year or job.year - 1))).text
                  for _, _, fl in items]
    matches, unmatched = match_budgets([[nn, fl.name] for nn, (_, _, fl) in zip(next_names, items)],
                                       [(b.name, b.amount) for b in budgets])
    budget_names = [b.name for b in budgets]
    for j in unmatched:
        name, _, row = budgets[j]
        near = nearest_names(name, [fl.name for _, _, fl in items])
        hint = f"；申报表中相近的名称：{'、'.join(near)}" if near else ""
        problems.append(Problem("", name, f"预算表第 {row} 行「{name}」没有匹配到任何申报表{hint}"))
    taken = TakenNames((f"{SUMMARY_STEM}.csv", f"{SUMMARY_STEM}.xlsx"))
    out_names = [safe_filename(nn, DRAFT_FORMATS[job.format], taken) for nn in next_names]
    tasks = []
    for k, ((f, n, filing), match, fname) in enumerate(zip(items, matches, out_names), 1):
        near = nearest_names(filing.name, budget_names) if budgets and match is None else []
        tasks.append(Task(k, f, n, filing, match, fname, near))
    return tasks


def carry_all(job: Job, items, budgets, problems, model, progress, n_jobs: int | None) -> Carried:
    """Carry and write every filing (model: the open EngineModel, None when there is nothing to
    carry)."""
    from jixiao.corpus.parallel import map_in_order, workers_for

    global _TASKS
    tasks = plan(job, items, budgets, problems)
    out = Carried()
    progress.phase("顺延", len(tasks))
    workers = workers_for(len(tasks), PARALLEL_MIN_FILINGS, n_jobs) if model is not None else 0
    fill = make_fill(model, job.profile, job.use_feedback) if model is not None else None
    _TASKS = tasks
    results = map_in_order(_carry_in_worker, range(len(tasks)), workers, local=lambda i: carry_one(job, fill, tasks[i]),
                           initializer=_init_worker, initargs=(job,), forking=paused(progress))
    try:
        for (row, written, skipped, said), task in zip(results, tasks):
            out.rows.append(row)
            out.written += written
            out.skipped += skipped
            out.screen.extend(said)
            progress.advance(task.filing.name)
    finally:
        results.close()
        _TASKS = []
    return out
