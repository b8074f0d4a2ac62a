"""`jixiao suggest`: draft a complete, explained target table for one project or a list."""
from __future__ import annotations

import datetime

from .common import add_db_arg, add_jobs_arg, add_profile_arg

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
        epilog='示例：jixiao suggest "政务服务热线运行维护" --desc "受理群众诉求约10000件" --budget 80 --year 2025',
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="项目名称")
    p.add_argument("--desc", default="", metavar="TEXT", help="项目概况 / 年度绩效目标（越具体，推荐越准确）")
    p.add_argument("--budget", type=float, metavar="万元", help="预算金额（万元），用于成本指标")
    p.add_argument("--year", type=int, metavar="Y", help=f"目标年度（默认 {default_year()}）")
    p.add_argument("--dept", metavar="TEXT", help="主管部门")
    p.add_argument("--type", metavar="TYPE", action="append",
                   help="项目类型（如 租赁、运维、热线、评审）；不给时自动识别，可重复")
    p.add_argument("--from", dest="from_file", metavar="FILE",
                   help="项目清单 .jsonl/.csv/.xlsx（字段 name, description, budget, year, department），每行生成一张草稿")
    p.add_argument("--format", choices=["table", "md", "json", "jsonl", "xlsx", "csv"],
                   help="输出格式（默认 table；-o 给出文件时按扩展名）")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="写入文件（.xlsx/.md/.json/.jsonl/.csv）；--from 时给出文件夹则每个项目一个文件")
    add_profile_arg(p)
    p.add_argument("--no-feedback", action="store_true", help="不使用以往采纳/删除记录调整推荐")
    add_jobs_arg(p, PARALLEL_MIN_PROJECTS, "个项目（--from）")
    add_db_arg(p)


def make_project(name, desc="", budget=None, year=None, dept=None, types=None):
    from engine.draft import Project

    return Project(name=name.strip(), description=(desc or "").strip(), budget=budget,
                   year=year or default_year(), department=dept or None,
                   sectors=list(types or []), sectors_inferred=not types)


def _resolve_types(given: list[str] | None) -> tuple[list[str] | None, list[str]]:
    """(canonical tags, unknown spellings) for --type values or a list row's type."""
    if not given:
        return None, []
    from catalogue.tags import resolve_tag

    resolved = [resolve_tag(t) for t in given]
    unknown = [t for t, r in zip(given, resolved) if r is None]
    return list(dict.fromkeys(r for r in resolved if r)) or None, unknown


def _wants_folder(output: str, fmt: str) -> bool:
    """--from -o: a folder (one file per project) unless the path names a single output file."""
    from pathlib import Path

    p = Path(output)
    return p.is_dir() or output.endswith(("/", "\\")) or not p.suffix


def run(args) -> int:
    from pathlib import Path

    from corpus.errors import InputError
    from engine.model import EngineModel

    from .common import err
    from .writers import format_from_path
    from .writers.atomic import OutputError

    if not args.name and not args.from_file:
        err("请给出项目名称 NAME，或用 --from FILE 给出项目清单。")
        return 2
    if args.budget is not None and args.budget < 0:
        err("预算金额（--budget）不能为负数。")
        return 2
    types, unknown = _resolve_types(args.type)
    if unknown:
        from catalogue.tags import tag_names

        err(f"未知的项目类型（--type）：{'、'.join(unknown)}；可选：{'、'.join(tag_names())}")
        return 2
    fmt = args.format or (format_from_path(args.output) if args.output and not Path(args.output).is_dir()
                          else None) or "table"
    if fmt == "xlsx" and not args.output:
        err("xlsx 格式需要用 -o 指定输出文件。")
        return 2
    rows = None
    if args.from_file:
        from corpus.projects import read_projects

        try:
            rows = read_projects(args.from_file)
        except InputError as exc:
            err(str(exc))
            return 2
    try:
        model = EngineModel.open(args.db)
    except InputError as exc:
        err(str(exc))
        return 2
    except Exception as exc:  # unreadable catalogue: say which file, no traceback
        err(f"无法打开指标库 {args.db or '（默认）'}：{exc}")
        return 2
    try:
        if rows is None:
            project = make_project(args.name, args.desc, args.budget, args.year, args.dept, types)
            return _emit([_suggest(model, args, project)], args, fmt, single=True)
        projects = []
        for r in rows:
            row_types, bad = _resolve_types([r.type] if r.type else None)
            if bad:
                err(f"{args.from_file}：第 {r.row} 行的项目类型「{r.type}」无法识别，改为自动识别")
            projects.append(make_project(r.name, r.description, r.budget, r.year, r.department,
                                         row_types or types))
        return _emit(_suggest_all(model, args, projects), args, fmt, single=False)
    except OutputError as exc:
        err(str(exc))
        return 2
    finally:
        model.close()


def _suggest(model, args, project):
    from engine.suggest import suggest

    return suggest(model, project, profile=args.profile, use_feedback=not args.no_feedback)


_SHARED: tuple = ()        # (args, projects) of a --from run, set before workers are forked:
                           # they inherit it, so only project numbers cross the pipe
_WORKER_MODEL = None       # a worker's own EngineModel (never the parent's connection)


def _init_worker(db_path) -> None:
    global _WORKER_MODEL
    from engine.model import EngineModel

    _WORKER_MODEL = EngineModel.open(db_path)


def _suggest_in_worker(i: int):
    args, projects = _SHARED
    return _suggest(_WORKER_MODEL, args, projects[i])


def _suggest_all(model, args, projects) -> list:
    """The draft of every project, in list order.  A long list is shared out over forked worker
    processes (--jobs / JIXIAO_JOBS); drafts are the same as made here, and the projects a
    dead worker had not finished are drafted here."""
    from corpus.parallel import fork_pool, ordered_map, workers_for

    global _SHARED
    drafts = []
    n = workers_for(len(projects), PARALLEL_MIN_PROJECTS, args.jobs)
    if n:
        _SHARED = (args, projects)
        try:
            pool = fork_pool(n, _init_worker, (model.db_path,))
            if pool is not None:
                drafts.extend(ordered_map(pool, _suggest_in_worker, range(len(projects))))
        finally:
            _SHARED = ()
    drafts.extend(_suggest(model, args, p) for p in projects[len(drafts):])
    return drafts


def _emit(drafts, args, fmt: str, single: bool) -> int:
    """Print or write the drafts; one file per project when --from writes into a folder."""
    from pathlib import Path

    from .common import stdout_write
    from .writers import render, write

    if not args.output:
        stdout_write(render(drafts[0] if single else drafts, fmt))
        return 0
    if single or not _wants_folder(args.output, fmt):
        write(drafts[0] if single else drafts, args.output, fmt)
        stdout_write(f"已写入 {args.output}" + ("" if single else f"（{len(drafts)} 份草稿）"))
        return 0
    from .writers.safety import TakenNames, safe_filename

    out = Path(args.output)
    ext = {"table": "md", "jsonl": "json"}.get(fmt, fmt)
    taken = TakenNames()
    for d in drafts:
        write(d, out / safe_filename(d.project.name, ext, taken), ext)
    stdout_write(f"已写入 {len(drafts)} 份草稿到 {out}")
    return 0
