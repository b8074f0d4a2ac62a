"""jixiao（绩效）：项目支出绩效目标表指标推荐 — the Python API.

The same work as the `jixiao` command, for a program that calls it (a province's budget platform,
a notebook).  Every function returns named records (pydantic models, dataclasses or NamedTuples),
raises corpus.errors.InputError (str() is one Chinese line naming the file) for input it cannot
read, and loads what it needs when first called: `import jixiao` itself is cheap.

    open_catalogue(db=None) -> EngineModel          the indicator catalogue (default: $JIXIAO_DB or
                                                    the user's data folder; built on first use)
    suggest(name, ..., catalogue=None) -> Draft     a complete, explained target table for a project
    write(draft_or_drafts, path, fmt=None)          a draft as .xlsx, .docx, .md, .json, .jsonl,
                                                    .csv or .txt (by the extension), atomically
    render(draft_or_drafts, fmt) -> str             text of a draft: "table", "md", "json",
                                                    "jsonl" or "csv" (the `suggest --format` texts)
    parse(path) -> [Filing]                         the filings in one file of past tables
    lint(path, profile="default") -> [ReviewedFiling]
                                                    review rules applied to the filings of a file
    ingest(paths, db=None) -> IngestReport          past filings into a catalogue
    batch(inputs, year, output, ...) -> BatchResult last year's filings → next year's drafts, one
                                                    file each, plus 汇总.csv and 汇总.xlsx

Example (the same draft as `jixiao suggest "政务服务热线运行维护" --budget 80 --year 2026`):

    import jixiao

    with jixiao.open_catalogue() as catalogue:
        draft = jixiao.suggest("政务服务热线运行维护", budget=80, year=2026, catalogue=catalogue)
    for ind in draft.indicators:
        print(ind.level2, ind.name, ind.value)
    jixiao.write(draft, "热线.xlsx")

The command-line program (jixiao.cli) is argument parsing and printing over the same library
(jixiao.engine, jixiao.catalogue, jixiao.corpus).
"""
from __future__ import annotations

__all__ = ["open_catalogue", "suggest", "write", "render", "parse", "lint", "ingest", "batch"]


def open_catalogue(db=None):
    """Open the indicator catalogue (an SQLite file) for suggesting.

    db: the catalogue file; None is $JIXIAO_DB, else catalogue.db in the user's data folder.  A
    missing catalogue is built from the shipped seed filings and indicator library on first use.
    Returns an engine.model.EngineModel: pass it to suggest() as catalogue= to draft many
    projects without opening the file each time; close it with .close() or use it in a `with`
    block.  Raises catalogue.store.CatalogueError (an InputError) naming the file when it cannot
    be used."""
    from jixiao.engine.model import EngineModel

    return EngineModel.open(db)


def suggest(name: str, *, description: str = "", budget=None, year: int | None = None,
            department: str | None = None, sectors: list[str] | None = None, catalogue=None,
            db=None, profile: str = "default", use_feedback: bool = True):
    """Draft a complete, explained performance target table for one project.

    name: 项目名称; description: 项目概况 / 年度绩效目标 (the more specific, the better the
    suggestions); budget: 预算 in 万元 as a number, or as officers write it ("80万元",
    "800000元"); year: the target year (default: next year); department: 主管部门; sectors:
    行业 tags or their spellings (租赁, 运维, 热线 …; default: recognised from the name and
    description).  catalogue: an open catalogue (open_catalogue()), else db is opened and
    closed.  profile: "default" or "ningxia"; use_feedback: use adoption/removal records of
    earlier chat sessions.

    Returns an engine.draft.Draft (a pydantic model: .project, .indicators with .reasons,
    .lint; .model_dump(mode="json") is the JSON `jixiao suggest --format json` prints).
    ValueError for a budget that cannot be read or an unknown sector."""
    from jixiao.engine.new_project import make_project, resolve_types
    from jixiao.engine.suggest import suggest as draft_for

    if isinstance(budget, str):
        from jixiao.engine.amounts import parse_amount

        budget = parse_amount(budget)
    types, unknown = resolve_types(list(sectors) if sectors else None)
    if unknown:
        raise ValueError(f"未知的行业：{'、'.join(unknown)}")
    project = make_project(name, description, budget, year, department, types)
    if catalogue is not None:
        return draft_for(catalogue, project, profile=profile, use_feedback=use_feedback)
    with open_catalogue(db) as model:
        return draft_for(model, project, profile=profile, use_feedback=use_feedback)


def write(drafts, path, fmt: str | None = None) -> None:
    """Write one draft or a list of drafts to `path` atomically (parent folders created).

    fmt: "xlsx" (official form + 系统导入 + 推荐依据 sheets), "docx" (the Word form), "md",
    "json", "jsonl", "csv" (import columns) or "table"; default: the one the extension names.
    Raises engine.writers.OutputError (Chinese message naming the file) when it cannot be
    written."""
    from jixiao.engine.writers import write as write_drafts

    write_drafts(drafts, path, fmt)


def render(drafts, fmt: str = "md") -> str:
    """The text of one draft or a list of drafts: "table" (for a terminal), "md", "json",
    "jsonl" or "csv" — exactly what `jixiao suggest --format FMT` prints."""
    from jixiao.engine.writers import render as render_drafts

    return render_drafts(drafts, fmt)


def parse(path) -> list:
    """The filings (corpus.models.Filing, pydantic) in one file of past target tables: .txt text
    exports of the forms, .docx, .xlsx, .csv, .json or .jsonl.  Raises InputError naming the
    file when it cannot be read."""
    from jixiao.corpus.parse import parse_file

    return parse_file(path)


def lint(path, profile: str = "default", *, departments: bool = False) -> list:
    """Apply the review rules (审核规则) to the project filings of one file (department filings
    too when departments=True), as `jixiao lint` does.  Returns engine.review.ReviewedFiling
    records (file, filing, draft, findings); a finding's .severity is "error", "warning" or
    "info".  Raises InputError when the file cannot be read."""
    from jixiao.engine.review import review_file

    return review_file(path, profile, departments)


def ingest(paths, db=None, *, bootstrap: bool = True):
    """Read files and folders of past filings into a catalogue (default: as open_catalogue).

    A file that cannot be read is listed in the report's .failed and the others still go in; a
    filing already in the catalogue is counted in .duplicates.  bootstrap: a new catalogue first
    gets the shipped seed filings.  Returns catalogue.store.IngestReport."""
    from pathlib import Path

    from jixiao.catalogue.paths import default_db_path
    from jixiao.catalogue.store import ingest_files

    if isinstance(paths, (str, Path)):
        paths = [paths]
    return ingest_files(Path(db) if db else default_db_path(), paths, bootstrap=bootstrap)


def batch(inputs, year: int, output, *, budgets=None, format: str = "xlsx", scale_costs: bool = False,
          force: bool = False, use_feedback: bool = True, profile: str = "default",
          jobs: int | None = None, db=None):
    """Carry last year's filings forward to `year`: one draft per filing in the folder `output`,
    plus 汇总.csv and 汇总.xlsx — what `jixiao batch` does, with the same files.

    inputs: files and folders of filings (an earlier batch's output folder too; its 汇总 files
    are skipped); budgets: the new year's budget table (.csv/.xlsx/.jsonl: 项目名称, 预算金额);
    format: "xlsx", "docx", "json" or "md"; scale_costs: scale cost breakdowns by new budget ÷
    last year's; force: overwrite existing drafts and use budgets 20× off last year's; jobs:
    worker processes (None: the cores, at most 4).

    Returns engine.batch.BatchResult: .rows are the summary rows (engine.batch.summary.SummaryRow),
    .written, .skipped, .failed, .summary_paths.  Raises engine.batch.BatchError when the run
    cannot start (no inputs, output folder unusable or in use, unreadable budget table or
    catalogue)."""
    from pathlib import Path

    from jixiao.engine.batch.run import BatchRequest, run_batch

    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    request = BatchRequest(tuple(inputs), year, Path(output), budgets=budgets, format=format,
                           scale_costs=scale_costs, force=force, use_feedback=use_feedback,
                           profile=profile, jobs=jobs, db=db)
    return run_batch(request)
