"""`jixiao eval [DIR]`: recall, coverage, validity and size of drafts against real filings."""
from __future__ import annotations

from .common import add_db_arg, add_profile_arg


def register(sub) -> None:
    p = sub.add_parser(
        "eval", help="评估推荐效果（留一法或对照一批真实申报表）",
        description="不给 DIR 时对指标库中的每张项目表做留一法（leave-one-out）评估；给出 DIR 时，"
                    "用其中每张表的名称、描述、预算、年度和主管部门生成草稿并与真实指标对照。同时给出三个基线："
                    "popular（各类别最常用指标）、copy（照抄最相似的历史表）和 generic（固定的 11 行通用表）。"
                    "匹配规则（严格）：同一二级类别；名称去掉编号、模板残留（★、(≥**万元)）、数字和标点后，"
                    "3 个字以内的名称须包含在对方名称中，否则 rapidfuzz ratio ≥ 60 或 partial_ratio ≥ 85；"
                    "另有三组近义写法（总成本、完成时限、群众满意度/服务对象满意度）；一条推荐最多对应一条真实指标。",
    )
    p.add_argument("dir", nargs="?", metavar="DIR", help="真实申报表所在文件夹（可选）")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_profile_arg(p)
    p.add_argument("--per-filing", action="store_true", help="列出每张表的命中情况")
    add_db_arg(p)


def run(args) -> int:
    import json

    from jixiao.corpus.categories import LEVEL2_CANON, SHORT
    from jixiao.corpus.errors import InputError
    from jixiao.corpus.parse import filing_from_dict, parse_file
    from jixiao.engine.evaluate import evaluate
    from jixiao.engine.model import EngineModel

    from .common import err, input_files, stdout_write

    files = input_files([args.dir]) if args.dir else []
    if files is None:
        return 2
    model = EngineModel.open(args.db)
    if args.dir:
        filings, failed = [], 0
        for path in files:
            try:
                filings.extend(f for f in parse_file(path) if f.kind == "project")
            except InputError as exc:
                err(str(exc))
                failed += 1
        if not filings:
            err(f"{args.dir}：没有可评估的项目表")
            return 2
        result = evaluate(model, filings, profile=args.profile, mode=f"folder {args.dir}")
    else:
        from jixiao.engine.suggest import unit_of_filing

        rows = model.cat.project_filings()
        filings, excludes, units = [], [], []
        for fid, _ in rows:
            inds = model.cat.indicators_of([fid])
            info = model.cat.filings([fid])[fid]
            filings.append(filing_from_dict({**info._asdict(), "indicators": [i._asdict() for i in inds]}))
            excludes.append({fid})
            units.append(unit_of_filing(info) or None)   # the held-out filing's own unit
        result = evaluate(model, filings, exclude_ids=excludes, profile=args.profile, units=units)
    if args.format == "json":
        stdout_write(json.dumps(result.__dict__, ensure_ascii=False, indent=2))
        return 0
    lines = [f"评估方式：{'留一法（leave-one-out）' if result.mode == 'leave-one-out' else result.mode}；"
             f"{result.filings} 张表，真实表平均 {result.real_size} 个指标", "",
             f"{'系统':<10}{'召回率':>8}{'类别覆盖':>10}{'指标值合格':>10}{'表大小':>8}{'错误/表':>9}"]
    names = {"jixiao": "jixiao", "popular": "基线:常用", "copy": "基线:照抄", "generic": "基线:通用表"}
    for k, fig in result.systems.items():
        lines.append(f"{names[k]:<10}{fig['recall']:>9.1%}{fig['coverage']:>11.1%}{fig['validity']:>12.1%}"
                     f"{fig['size']:>9.1f}{fig['lint_errors_per_table']:>10.2f}")
    lines += ["", "按二级类别的召回率（命中 / 真实指标数）："]
    head = f"{'二级':<10}" + "".join(f"{names[k]:>12}" for k in result.systems)
    lines.append(head)
    for l2 in LEVEL2_CANON:
        cells = []
        for k, fig in result.systems.items():
            per = fig["recall_by_level2"]
            cells.append(f"{per[l2]:>11.1%} " if l2 in per else f"{'—':>12}")
        if any(l2 in fig["recall_by_level2"] for fig in result.systems.values()):
            lines.append(f"{SHORT[l2]:<10}" + "".join(cells))
    if args.per_filing:
        lines.append("")
        for r in result.per_filing:
            lines.append(f"  {r['name'][:24]:<26} 真实 {r['real']:>3}  jixiao {r['jixiao']:>6}  常用 {r['popular']:>6}"
                         f"  照抄 {r['copy']:>6}  通用表 {r['generic']:>6}")
    stdout_write("\n".join(lines))
    return 0
