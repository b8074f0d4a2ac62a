"""`jixiao suggest`: draft a complete, explained target table for one project or a list.

A list (--from) is read row by row (engine.project_list): every good row is drafted, the bad ones
(no name, 八万 for an amount, a year outside 2000–2100) are listed with their row number and the
run exits 1.  Drafts are written out as they are made — to the screen, into one text file, or
one file per project into a folder — so memory stays flat however long the list (one .xlsx or
.docx holding every draft is the exception: a workbook is written whole).  --jobs output is
byte-identical to serial output."""
from __future__ import annotations

import datetime

from .common import add_db_arg, add_jobs_arg, add_profile_arg
from .parser import amount_arg, year_arg

# projects of a --from list from which drafting is shared out over worker processes
PARALLEL_MIN_PROJECTS = 64


def default_year() -> int:
    """Budgets are prepared for the coming year."""
    return datetime.date.today().year + 1


def register(sub) -> None:
    p = sub.add_parser(
        "suggest", help="为新项目推荐绩效指标，生成完整的绩效目标表草稿",
        description="根据项目名称和描述，从指标库（catalogue）中的历史申报表和共性指标库推荐指标，"
                    "按规则填写指标值和绩效标准，并给出每条指标的推荐理由和审核提示。",
        epilog='示例：jixiao suggest "政务服务热线运行维护" --desc "受理群众诉求约10000件" --budget 80万元 --year 2026',
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="项目名称")
    p.add_argument("--desc", default="", metavar="TEXT", help="项目概况 / 年度绩效目标（越具体，推荐越准确）")
    p.add_argument("--budget", type=amount_arg, metavar="金额",
                   help="预算金额，用于成本指标：80、80万、80万元、800000元 均可（只写数字时按万元）")
    p.add_argument("--year", type=year_arg, metavar="Y", help=f"目标年度（2000–2100，默认 {default_year()}）")
    p.add_argument("--dept", metavar="TEXT", help="主管部门")
    p.add_argument("--type", metavar="TYPE", action="append",
                   help="所属行业（如 租赁、运维、热线、评审）；不给时自动识别，可重复")
    p.add_argument("--from", dest="from_file", metavar="FILE",
                   help="项目清单 .jsonl/.json/.csv/.xlsx（字段 name, description, budget, year, department, type，"
                        "或中文表头），每行生成一张草稿；有问题的行列出行号和原因，其余照常生成")
    p.add_argument("--format", choices=["table", "md", "json", "jsonl", "xlsx", "docx", "csv"],
                   help="输出格式（默认 table；-o 给出文件时按扩展名；--from -o 文件夹时默认 xlsx）")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="写入文件（.xlsx/.docx/.md/.json/.jsonl/.csv/.txt）；--from 时给出文件夹则每个项目一个文件")
    add_profile_arg(p)
    p.add_argument("--no-feedback", action="store_true", help="不使用以往采纳/删除记录调整推荐")
    add_jobs_arg(p, PARALLEL_MIN_PROJECTS, "个项目（--from）")
    add_db_arg(p)


BUDGET_HINT = "成本指标需要预算金额：加 --budget（如 --budget 80万元），否则成本指标待填写"


def make_project(name, desc="", budget=None, year=None, dept=None, types=None):
    from jixiao.engine.draft import Project

    return Project(name=name.strip(), description=(desc or "").strip(), budget=budget,
                   year=year or default_year(), department=dept or None,
                   sectors=list(types or []), sectors_inferred=not types)


def _resolve_types(given: list[str] | None) -> tuple[list[str] | None, list[str]]:
    """(canonical tags, unknown spellings) for --type values or a list row's type."""
    if not given:
        return None, []
    from jixiao.catalogue.tags import resolve_tag

    resolved = [resolve_tag(t) for t in given]
    unknown = [t for t, r in zip(given, resolved) if r is None]
    return list(dict.fromkeys(r for r in resolved if r)) or None, unknown


def _wants_folder(output: str) -> bool:
    """--from -o: a folder (one file per project) unless the path names a single output file."""
    from pathlib import Path

    p = Path(output)
    return p.is_dir() or output.endswith(("/", "\\")) or not p.suffix


def run(args) -> int:
    from jixiao.corpus.errors import InputError
    from jixiao.engine.model import EngineModel

    from .common import err
    from jixiao.engine.writers import BINARY, output_format
    from jixiao.engine.writers.atomic import OutputError

    if not args.name and not args.from_file:
        err("请给出项目名称 NAME，或用 --from FILE 给出项目清单。")
        return 2
    types, unknown = _resolve_types(args.type)
    if unknown:
        from jixiao.catalogue.tags import tag_names

        err(f"未知的行业（--type）：{'、'.join(unknown)}；可选：{'、'.join(tag_names())}")
        return 2
    folder = bool(args.from_file and args.output and _wants_folder(args.output))
    try:
        if folder:
            fmt = args.format or "xlsx"
        elif args.output:
            fmt = output_format(args.output, args.format)
        else:
            fmt = args.format or "table"
    except OutputError as exc:
        err(str(exc))
        return 2
    if fmt in BINARY and not args.output:
        err(f"{fmt} 格式需要用 -o 指定输出文件。")
        return 2
    listing = None
    if args.from_file:
        from jixiao.engine.project_list import read_project_list

        try:
            listing = read_project_list(args.from_file)
        except InputError as exc:
            err(str(exc))
            return 2
    try:
        model = EngineModel.open(args.db)
    except InputError as exc:
        err(str(exc))
        return 2
    except Exception as exc:  # unreadable catalogue: say which file, no traceback
        from jixiao.catalogue.paths import default_db_path

        err(f"无法打开指标库 {args.db or default_db_path()}：{exc}")
        return 2
    try:
        if listing is None:
            if args.budget is None:
                err(BUDGET_HINT)
            project = make_project(args.name, args.desc, args.budget, args.year, args.dept, types)
            return _emit_one(_suggest(model, args, project), args, fmt)
        return _run_list(model, args, listing, types, fmt, folder)
    except OutputError as exc:
        err(str(exc))
        return 2
    finally:
        model.close()


def _suggest(model, args, project):
    from jixiao.engine.suggest import suggest

    return suggest(model, project, profile=args.profile, use_feedback=not args.no_feedback)


def _emit_one(draft, args, fmt: str) -> int:
    from .common import stdout_write
    from jixiao.engine.writers import render, write

    if not args.output:
        stdout_write(render(draft, fmt))
        return 0
    write(draft, args.output, fmt)
    stdout_write(f"已写入 {args.output}")
    return 0


# ------------------------------------------------------------------------------ lists

_SHARED: tuple = ()        # (args, rows, types) of a --from run, set before workers are forked:
                           # they inherit it, so only row numbers cross the pipe
_WORKER_MODEL = None       # a worker's own EngineModel (never the parent's connection)


def _project_of(args, row, types):
    """The Project of a list row (built when it is drafted, so a long list holds only rows)."""
    row_types, _ = _resolve_types([row.type] if row.type else None)
    return make_project(row.name, row.description, row.budget, row.year or args.year,
                        row.department or args.dept, row_types or types)


def _draft_row(model, args, row, types):
    """(draft, None) or (None, why) for one list row: one bad project never stops the list."""
    try:
        return _suggest(model, args, _project_of(args, row, types)), None
    except Exception as exc:  # a project the engine cannot draft is listed like a bad row
        return None, f"生成草稿失败（{type(exc).__name__}）：{str(exc)[:120]}"


def _init_worker(db_path) -> None:
    global _WORKER_MODEL
    from jixiao.engine.model import EngineModel

    _WORKER_MODEL = EngineModel.open(db_path)


def _suggest_in_worker(i: int):
    args, rows, types = _SHARED
    return _draft_row(_WORKER_MODEL, args, rows[i], types)


def _suggest_all(model, args, rows, types):
    """(row, draft or None, why) for every row, in list order, each as soon as it is made.

    A long list is shared out over forked worker processes (--jobs / JIXIAO_JOBS); drafts are
    the same as made here, and the rows a dead worker had not finished are drafted here."""
    from jixiao.corpus.parallel import fork_pool, ordered_map, workers_for

    global _SHARED
    done = 0
    n = workers_for(len(rows), PARALLEL_MIN_PROJECTS, args.jobs)
    if n:
        _SHARED = (args, rows, types)
        try:
            pool = fork_pool(n, _init_worker, (model.db_path,))
            if pool is not None:
                for draft, why in ordered_map(pool, _suggest_in_worker, range(len(rows))):
                    yield rows[done], draft, why
                    done += 1
        finally:
            _SHARED = ()
    for row in rows[done:]:
        yield (row, *_draft_row(model, args, row, types))


def _run_list(model, args, listing, types, fmt: str, folder: bool) -> int:
    """Draft every good row, write each draft as it is made, list the rows that failed."""
    import sys
    from pathlib import Path

    from jixiao.engine.project_list import RowProblem

    from .common import err, stdout_write
    from jixiao.engine.writers import BINARY, write
    from jixiao.engine.writers.atomic import atomic_path
    from jixiao.engine.writers.stream import DraftStream

    problems = list(listing.problems)
    for r in listing.rows:
        if r.type and _resolve_types([r.type])[1]:
            err(f"{args.from_file}：第 {r.row} 行的行业「{r.type}」无法识别，改为自动识别")
    if any(r.budget is None for r in listing.rows):
        missing = sum(1 for r in listing.rows if r.budget is None)
        err(f"{args.from_file}：{missing} 个项目没有预算金额；成本指标需要预算金额：在清单中加“预算金额”列")
    made = 0

    def drafts():
        nonlocal made
        for row, draft, why in _suggest_all(model, args, listing.rows, types):
            if draft is None:
                problems.append(RowProblem(row.row, row.name, why))
                continue
            made += 1
            yield draft

    if folder:
        from jixiao.engine.writers.safety import TakenNames, safe_filename

        out = Path(args.output)
        ext = {"table": "md", "jsonl": "json"}.get(fmt, fmt)
        taken = TakenNames()
        for d in drafts():
            write(d, out / safe_filename(d.project.name, ext, taken), ext)
        stdout_write(f"已写入 {made} 份草稿到 {out}")
    elif args.output and fmt in BINARY:
        write(list(drafts()), args.output, fmt)
        stdout_write(f"已写入 {args.output}（{made} 份草稿）")
    elif args.output:
        with atomic_path(args.output) as tmp:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                stream = DraftStream(fh, fmt, for_file=True)
                for d in drafts():
                    stream.add(d)
                stream.close()
        stdout_write(f"已写入 {args.output}（{made} 份草稿）")
    else:
        stream = DraftStream(sys.stdout, fmt)
        try:
            for d in drafts():
                stream.add(d)
            stream.close()
        except BrokenPipeError:
            return 0
    if problems:
        problems.sort(key=lambda x: x.row)
        err(f"{args.from_file}：{len(problems)} 行没有生成草稿（其余 {made} 行已生成）：")
        for x in problems:
            err("  " + x.text())
        return 1
    return 0
