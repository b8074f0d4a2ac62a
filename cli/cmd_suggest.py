"""`jixiao suggest`: draft a complete, explained target table for one project or a list."""
from __future__ import annotations

import datetime


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
    p.add_argument("--format", choices=["table", "md", "json", "jsonl", "xlsx"],
                   help="输出格式（默认 table；-o 给出文件时按扩展名）")
    p.add_argument("-o", "--output", metavar="FILE", help="写入文件（.xlsx/.md/.json/.jsonl）；--from 时可为文件夹")
    p.add_argument("--profile", default="default", help="模板：default（通用）或 ningxia（可持续影响必填）")
    p.add_argument("--no-feedback", action="store_true", help="不使用以往采纳/删除记录调整推荐")
    from .common import add_db_arg

    add_db_arg(p)


def make_project(name, desc="", budget=None, year=None, dept=None, types=None):
    from engine.draft import Project

    return Project(name=name.strip(), description=(desc or "").strip(), budget=budget,
                   year=year or default_year(), department=dept or None,
                   types=list(types or []), types_inferred=not types)


def run(args) -> int:
    import json
    from pathlib import Path

    from corpus.errors import InputError
    from engine.model import EngineModel
    from engine.profiles import profile
    from engine.suggest import suggest

    from .common import err, stdout_write
    from .writers import format_from_path, render, write

    try:
        profile(args.profile)
    except ValueError as exc:
        err(str(exc))
        return 2
    if not args.name and not args.from_file:
        err("请给出项目名称 NAME，或用 --from FILE 给出项目清单。")
        return 2
    if args.budget is not None and args.budget < 0:
        err("预算金额（--budget）不能为负数。")
        return 2
    fmt = args.format or (format_from_path(args.output) if args.output and not Path(args.output).is_dir() else None) or "table"
    try:
        model = EngineModel.open(args.db)
    except InputError as exc:
        err(str(exc))
        return 2
    except Exception as exc:  # unreadable catalogue: say which file, no traceback
        err(f"无法打开指标库 {args.db or '（默认）'}：{exc}")
        return 2

    def one(p):
        return suggest(model, p, profile=args.profile, use_feedback=not args.no_feedback)

    if not args.from_file:
        draft = one(make_project(args.name, args.desc, args.budget, args.year, args.dept, args.type))
        if args.output:
            write(draft, args.output, fmt)
            stdout_write(f"已写入 {args.output}")
        elif fmt == "xlsx":
            err("xlsx 格式需要用 -o 指定输出文件。")
            return 2
        else:
            stdout_write(render(draft, fmt))
        return 0

    from corpus.projects import read_projects

    try:
        rows = read_projects(args.from_file)
    except InputError as exc:
        err(str(exc))
        return 2
    drafts = [one(make_project(r.name, r.description, r.budget, r.year, r.department,
                               [r.type] if r.type else args.type)) for r in rows]
    if args.output and (fmt == "xlsx" or Path(args.output).is_dir()):
        from .writers.safety import safe_filename

        out = Path(args.output)
        out.mkdir(parents=True, exist_ok=True)
        taken: set[str] = set()
        ext = {"table": "md", "jsonl": "json"}.get(fmt, fmt)
        for d in drafts:
            fname = safe_filename(d.project.name, ext, taken)
            taken.add(fname)
            write(d, out / fname, ext)
        stdout_write(f"已写入 {len(drafts)} 份草稿到 {out}")
    elif args.output:
        write(drafts, args.output, fmt)
        stdout_write(f"已写入 {len(drafts)} 份草稿到 {args.output}")
    elif fmt in ("jsonl", "json"):
        if fmt == "jsonl":
            stdout_write("\n".join(json.dumps(d.model_dump(mode="json"), ensure_ascii=False) for d in drafts))
        else:
            stdout_write(json.dumps([d.model_dump(mode="json") for d in drafts], ensure_ascii=False, indent=2))
    else:
        stdout_write("\n\n".join(render(d, fmt) for d in drafts))
    return 0
