"""`jixiao batch`: last year's filings → next year's drafts, one file each, plus a summary.

    jixiao batch INPUT... --year Y -o OUTDIR [--budgets FILE] [--format xlsx|docx|json|md]
                 [--scale-costs] [--force] [--no-feedback]

Argument parsing and printing over engine.batch.run_batch, which does the work (see there):
reading, budget matching, carrying, worker processes, the output folder's lock and the summary.
"""
from __future__ import annotations

from jixiao.engine.batch.formats import DRAFT_FORMATS
from jixiao.engine.pool_sizes import PARALLEL_MIN_FILINGS

from .common import add_db_arg, add_jobs_arg, add_profile_arg
from .parser import year_arg


def register(sub) -> None:
    p = sub.add_parser(
        "batch", help="把去年的全部申报表顺延为今年的草稿（每个项目一个文件，另附汇总表）",
        description="读取去年的申报表（文件或文件夹，.txt/.docx/.xlsx/.csv/.json），逐表顺延到目标年度："
                    "沿用指标（绩效标准记为按照上年）、年份顺延、总成本按新预算重设（成本构成保留金额，"
                    "或用 --scale-costs 按预算比例调整）、错填类别的指标移到正确类别、"
                    "缺少的必填类别按推荐补充，并附审核提示。输出文件夹中每个项目一个草稿，"
                    "另有 汇总.csv 和 汇总.xlsx 列出每张表的改动数量和所有问题。"
                    "输入可以是上一次 batch 的输出文件夹（其中的汇总表会被跳过）。",
        epilog="示例：jixiao batch 去年的表/ --year 2025 -o 2025草稿/ --budgets 2025预算.xlsx",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="去年的申报表文件或文件夹")
    p.add_argument("--year", type=year_arg, required=True, metavar="Y", help="目标年度（2000–2100，例如 2025）")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="输出文件夹（不存在时创建）")
    p.add_argument("--budgets", metavar="FILE",
                   help="新年度预算表 .csv/.xlsx/.jsonl（列：项目名称/name，预算金额/budget；金额写 80、80万元、"
                        "800000元 均可，只写数字时按万元）；按项目名称精确匹配，其次按相近名称匹配")
    p.add_argument("--format", choices=sorted(DRAFT_FORMATS), default="xlsx",
                   help="草稿格式（默认 xlsx：正式表样 + 系统导入表；docx：Word 正式表样）")
    p.add_argument("--scale-costs", action="store_true",
                   help="成本构成和单位成本（培训费、租车费、元/人……）按 新预算 ÷ 上年预算 同比例调整"
                        "（默认保留原金额，只重设总成本）")
    p.add_argument("--force", action="store_true",
                   help="覆盖输出文件夹中已有的草稿（默认跳过已写好的），并采用与上年相差 20 倍以上的预算")
    p.add_argument("--no-feedback", action="store_true",
                   help="补充缺少的类别时不使用以往对话中的采纳/删除记录")
    add_jobs_arg(p, PARALLEL_MIN_FILINGS, "张表")
    add_profile_arg(p)
    add_db_arg(p)


def run(args) -> int:
    from pathlib import Path

    from jixiao.engine.batch.run import BatchError, BatchRequest, run_batch

    from .common import err
    from .progress import ProgressBar

    request = BatchRequest(tuple(args.inputs), args.year, Path(args.output), budgets=args.budgets,
                           format=args.format, scale_costs=args.scale_costs, force=args.force,
                           use_feedback=not args.no_feedback, profile=args.profile, jobs=args.jobs, db=args.db)
    try:
        result = run_batch(request, ProgressBar(), note=err)
    except BatchError as exc:
        err(str(exc))
        return 2
    return _report(args, result)


def _report(args, result) -> int:
    """The run on screen: what failed and why (stderr), then one line of counts (stdout)."""
    from jixiao.engine.batch.summary import FAILED

    from .common import err, stdout_write

    for failed in result.failed_files:
        err(str(failed.error))
    for row in result.rows:
        if row.status == FAILED and row.name:
            notes = row.notes.split("；")
            why = "；".join(n for n in notes if "失败" in n) or row.notes   # the rest is in 汇总
            err(f"{row.input_file}：「{row.name}」{why}")
    for message in result.notices:
        err(message)
    for problem in result.problems:
        err(problem.message)
    summary = result.summary_paths
    msg = (f"已顺延 {result.filings} 张表（项目 {result.projects}，部门整体 {result.filings - result.projects}）"
           f"到 {args.year} 年：写入 {result.written} 份，已存在跳过 {result.skipped} 份"
           + ("（用 --force 覆盖）" if result.skipped else "")
           + (f"；汇总见 {summary[0]}、{summary[1]}" if summary else "；汇总表未能写出"))
    if result.failed:
        msg += f"；{result.failed} 项失败，" + ("见汇总" if summary else "见上")
    stdout_write(msg)
    if result.summary_problem:
        err(result.summary_problem)
        return 2
    if not args.budgets and result.projects:
        err("成本指标需要新年度预算：加 --budgets 预算表（没有时预算沿用上年，总成本不重设）")
    return 2 if result.failed else 0
