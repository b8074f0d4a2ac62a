"""`jixiao lint FILE...`: review existing filings against the review rules (审核规则)."""
from __future__ import annotations

from .common import add_profile_arg

_SEV = {"error": "错误", "warning": "警告", "info": "提示"}


def register(sub) -> None:
    p = sub.add_parser(
        "lint", help="按审核规则检查已有的绩效目标表",
        description="检查绩效目标表：缺少必填类别、成本超预算、满意度填错类别、时限早于年度、指标值缺单位等。"
                    "有“错误”级问题时退出码为 1，文件无法读取时为 2。",
    )
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="要检查的文件或文件夹（jixiao batch 写出的汇总表会被跳过）")
    p.add_argument("--format", choices=["table", "json"], default="table", help="输出格式（默认 table）")
    add_profile_arg(p)
    p.add_argument("--all", action="store_true", help="同时检查部门整体支出表（默认只查项目支出表）")


def run(args) -> int:
    import json

    from jixiao.corpus.errors import InputError
    from jixiao.corpus.safe_text import clean_text, shown_path
    from jixiao.engine.lint import summary
    from jixiao.engine.review import review_file

    from .common import err, input_files, stdout_write

    files = input_files(args.files)
    if files is None:
        return 2
    results, failed = [], 0
    for path in files:
        try:
            results.extend(review_file(path, args.profile, departments=args.all))
        except InputError as exc:
            err(str(exc))
            failed += 1
    errors = sum(summary(r.findings)["error"] for r in results)
    if args.format == "json":
        stdout_write(json.dumps([
            {"file": clean_text(p), "name": f.name, "year": f.year, "budget": f.budget,
             "lint": [x.model_dump(mode="json") for x in findings],
             "indicators": [i.name for i in d.indicators]}
            for p, f, d, findings in results], ensure_ascii=False, indent=2))
    else:
        lines = []
        for p, f, d, findings in results:
            c = summary(findings)
            lines.append(f"■ {f.name}（{f.year or '—'}年，预算 {'—' if f.budget is None else f'{f.budget:g} 万元'}）"
                         f"  错误 {c['error']} · 警告 {c['warning']} · 提示 {c['info']}    [{shown_path(p)}]")
            for x in findings:
                where = f"第 {x.indicator + 1} 行 " if x.indicator is not None else ""
                lines.append(f"   [{_SEV[x.severity]}] {x.rule.split()[0]} {where}{x.message}")
        lines.append(f"共检查 {len(results)} 张表：错误 {errors} 个。")
        stdout_write("\n".join(lines))
    if failed:
        return 2
    return 1 if errors else 0
