"""run_batch and its records: the request, the result, the error (see the package docstring)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class BatchError(Exception):
    """The batch could not run (no inputs, an unusable output folder, another batch writing into
    it, an unreadable budget table or catalogue); str() is one line for the officer."""


@dataclass(frozen=True)
class BatchRequest:
    inputs: tuple                  # files and folders of last year's filings
    year: int                      # the target year
    outdir: Path                   # created when missing
    budgets: str | Path | None = None      # the new year's budget table
    format: str = "xlsx"           # xlsx, docx, json or md
    scale_costs: bool = False      # scale cost breakdowns by new budget ÷ last year's
    force: bool = False            # overwrite existing drafts, use budgets 20× off last year's
    use_feedback: bool = True      # adoption/removal records from chat sessions
    profile: str = "default"
    jobs: int | None = None        # worker processes (None: corpus.parallel.jobs())
    db: str | Path | None = None   # the catalogue (None: the default one)


@dataclass
class BatchResult:
    filings: int = 0               # filings read (projects + department filings)
    projects: int = 0
    written: int = 0               # drafts written
    skipped: int = 0               # drafts already there, left as they were
    rows: list = field(default_factory=list)            # summary.SummaryRow, as in 汇总
    failed_files: list = field(default_factory=list)    # inputs.FailedFile
    notices: list = field(default_factory=list)         # budgets doubted (lines for the screen)
    problems: list = field(default_factory=list)        # budgets.Problem (budget-table rows)
    skipped_summaries: list = field(default_factory=list)   # earlier 汇总 files among the inputs
    summary_paths: list | None = None                   # [汇总.csv, 汇总.xlsx], None when not written
    summary_problem: str | None = None                  # why the summary could not be written

    @property
    def failed(self) -> int:
        """Files that could not be read plus filings that could not be carried or written."""
        from .summary import FAILED

        return len(self.failed_files) + sum(1 for r in self.rows[:self.filings] if r.status == FAILED)


class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def phase(self, label: str, total: int) -> None:
        pass

    def advance(self, name: str) -> None:
        pass

    def pause(self) -> None:
        pass

    def resume(self) -> None:
        pass


def run_batch(request: BatchRequest, progress=None, note=None) -> BatchResult:
    """Carry every filing of request.inputs to request.year and write the drafts and the summary
    into request.outdir.  `progress`: a context manager with phase(label, total), advance(name),
    pause() and resume() (a progress bar); `note(line)` is told at once of inputs skipped as
    earlier summaries.  Raises BatchError when the run cannot start."""
    from jixiao.corpus.errors import InputError

    from .budgets import read_budgets
    from .outdir import OutputLock

    outdir = Path(request.outdir)
    if outdir.exists() and not outdir.is_dir():
        raise BatchError(f"{outdir}：输出位置已存在且不是文件夹")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"{outdir}：无法创建输出文件夹（{exc.strerror or type(exc).__name__}）") from None
    problems: list = []
    budgets: list = []
    if request.budgets:
        try:
            budgets = read_budgets(request.budgets, problems)
        except InputError as exc:
            raise BatchError(str(exc)) from None
    for raw in request.inputs:
        if not Path(raw).exists():
            raise BatchError(f"{raw}：文件或文件夹不存在")
    try:
        lock = OutputLock(outdir).__enter__()
    except OSError:
        raise BatchError(f"{outdir}：另一个 jixiao batch 正在写入这个文件夹，请等它结束后再运行") from None
    try:
        return _run_locked(request, outdir, budgets, problems, progress or _NoProgress(), note)
    finally:
        lock.__exit__(None, None, None)


def _input_files(request: BatchRequest, outdir: Path, result: BatchResult, note) -> list:
    from jixiao.corpus.parse import SUPPORTED, iter_input_files

    from .outdir import clean_temps, inside
    from .summary import skipped_note, split_summaries

    clean_temps(outdir)
    out_real = outdir.resolve()
    found = list(iter_input_files(request.inputs))
    files, result.skipped_summaries = split_summaries(f for f in found if not inside(f, out_real))
    if result.skipped_summaries and note is not None:
        note(skipped_note(result.skipped_summaries))
    if not files and found and not result.skipped_summaries:
        raise BatchError(f"{outdir}：要读的申报表都在输出文件夹（-o）里，会被当作输出而不读入；"
                         f"请用 -o 另指一个不包含输入的文件夹（例如 {outdir.name or '输出'}-{request.year}）")
    if not files:
        kinds = " ".join(sorted(SUPPORTED))
        raise BatchError(f"{'、'.join(map(str, request.inputs))}：没有找到可读取的申报表文件（支持 {kinds}）")
    return files


def _run_locked(request: BatchRequest, outdir: Path, budgets, problems, progress, note) -> BatchResult:
    from jixiao.corpus.errors import InputError
    from jixiao.engine.writers import OutputError

    from .carrying import Job, carry_all
    from .inputs import read_all
    from .outdir import draft_stamp, write_summary
    from .summary import BUDGET_PROBLEM, FAILED, SummaryRow

    result = BatchResult(problems=problems)
    files = _input_files(request, outdir, result, note)
    try:
        with progress:
            items, result.failed_files = read_all(files, progress, request.jobs)
            model = _open_model(request.db) if items else None
            job = Job(request.year, request.format, request.force, request.profile, request.scale_costs,
                      request.use_feedback, bool(request.budgets), outdir, draft_stamp(request.year),
                      model.db_path if model is not None else None)
            carried = carry_all(job, items, budgets, problems, model, progress, request.jobs)
    except InputError as exc:           # the catalogue could not be opened
        raise BatchError(str(exc)) from None
    result.filings = len(items)
    result.projects = sum(1 for _, _, fl in items if fl.kind == "project")
    result.written, result.skipped, result.notices = carried.written, carried.skipped, carried.screen
    rows = carried.rows
    for failed in result.failed_files:
        rows.append(SummaryRow(len(rows) + 1, str(failed.path), status=FAILED, notes=failed.error.problem))
    for p in problems:
        rows.append(SummaryRow(len(rows) + 1, p.file, name=p.name, status=BUDGET_PROBLEM, notes=p.message))
    result.rows = rows
    try:
        result.summary_paths = write_summary(rows, outdir, draft_stamp(request.year))
    except OutputError as exc:         # a full disk: the screen still says which drafts failed
        result.summary_problem = str(exc)
    return result


def _open_model(db):
    from jixiao.corpus.errors import InputError
    from jixiao.engine.model import EngineModel

    try:
        return EngineModel.open(db)
    except InputError:
        raise
    except Exception as exc:  # unreadable catalogue: say which file, no traceback
        from jixiao.catalogue.paths import default_db_path

        raise InputError(db or default_db_path(), f"无法打开指标库：{exc}") from None
