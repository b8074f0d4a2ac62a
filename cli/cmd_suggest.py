"""`jixiao suggest`: draft a complete, explained target table for one project or a list.

A list (--from) is read row by row (engine.project_list): every good row is drafted, the bad ones
(no name, 八万 for an amount, a year outside 2000–2100) are listed with their row number and the
run exits 1.  Drafts are written out as they are made — to the screen, into one text file, or
one file per project into a folder — so memory stays flat however long the list (one .xlsx or
.docx holding every draft is the exception: a workbook is written whole).  --jobs output is
byte-identical to serial output."""
from __future__ import annotations

from jixiao.engine.new_project import default_year, make_project, resolve_types
from jixiao.engine.pool_sizes import PARALLEL_MIN_PROJECTS

from .common import add_db_arg, add_jobs_arg, add_profile_arg
from .parser import amount_arg, year_arg


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


def _wants_folder(output: str) -> bool:
    """--from -o: a folder (one file per project) unless the path names a single output file."""
    from pathlib import Path

    p = Path(output)
    return p.is_dir() or output.endswith(("/", "\\")) or not p.suffix


def run(args) -> int:
    from jixiao.corpus.errors import InputError
    from jixiao.engine.model import EngineModel
    from jixiao.engine.writers import BINARY, output_format
    from jixiao.engine.writers.atomic import OutputError

    from .common import err

    if not args.name and not args.from_file:
        err("请给出项目名称 NAME，或用 --from FILE 给出项目清单。")
        return 2
    types, unknown = resolve_types(args.type)
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
    from jixiao.engine.writers import render, write

    from .common import stdout_write

    if not args.output:
        stdout_write(render(draft, fmt))
        return 0
    write(draft, args.output, fmt)
    stdout_write(f"已写入 {args.output}")
    return 0


# ------------------------------------------------------------------------------ lists

def _run_list(model, args, listing, types, fmt: str, folder: bool) -> int:
    """Draft every good row, write each draft as it is made, list the rows that failed."""
    import sys
    from pathlib import Path

    from jixiao.engine.list_drafts import ListOptions, draft_rows
    from jixiao.engine.project_list import RowProblem
    from jixiao.engine.writers import BINARY, write
    from jixiao.engine.writers.atomic import atomic_path
    from jixiao.engine.writers.stream import DraftStream

    from .common import err, stdout_write

    problems = list(listing.problems)
    for r in listing.rows:
        if r.type and resolve_types([r.type])[1]:
            err(f"{args.from_file}：第 {r.row} 行的行业「{r.type}」无法识别，改为自动识别")
    if any(r.budget is None for r in listing.rows):
        missing = sum(1 for r in listing.rows if r.budget is None)
        err(f"{args.from_file}：{missing} 个项目没有预算金额；成本指标需要预算金额：在清单中加“预算金额”列")
    made = 0
    options = ListOptions(args.year, args.dept, types, args.profile, not args.no_feedback)

    def drafts():
        nonlocal made
        for row, draft, why in draft_rows(model, listing.rows, options, args.jobs):
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
