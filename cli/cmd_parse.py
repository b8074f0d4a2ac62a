"""`jixiao parse FILE...`: show the filings jixiao reads from files (table or JSON)."""
from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser(
        "parse", help="读取绩效目标表文件，显示识别出的项目和指标",
        description="读取 .txt/.docx/.xlsx/.csv/.json/.jsonl 文件中的绩效目标表，按表格或 JSON 输出。",
    )
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="要读取的文件或文件夹（jixiao batch 写出的汇总表会被跳过）")
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="输出格式：table（表格，默认）或 json（可再次读入的 JSON 数组）")


DISPLAY_CHARS = 200     # longer cells are shortened on screen (rich lays out long cells slowly)


def _cut(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= DISPLAY_CHARS else text[:DISPLAY_CHARS - 1] + "…"


def _table(filings) -> str:
    import io

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(record=True, width=120, file=io.StringIO())
    for f in filings:
        kind = "部门整体支出" if f.kind == "department" else "项目支出"
        budget = "—" if f.budget is None else f"{f.budget:g} 万元"
        console.print(f"[bold]{escape(_cut(f.name))}[/bold]（{kind}）  主管部门：{escape(_cut(f.department) or '—')}  "
                      f"年度：{f.year or '—'}  预算：{budget}  实施期：{escape(_cut(f.period) or '—')}")
        t = Table(show_lines=False)
        for col in ("一级指标", "二级指标", "三级指标", "指标值", "绩效标准"):
            t.add_column(col)
        for ind in f.indicators:
            t.add_row(ind.level1, ind.level2, escape(_cut(ind.name)), escape(_cut(ind.value) or "（空）"),
                      escape(_cut(ind.basis)))
        console.print(t)
        src = f.source
        if src:
            console.print(f"[dim]来源：{escape(src.file)} 第 {src.table + 1} 个表格[/dim]\n")
    return console.export_text()


def run(args) -> int:
    import json

    from jixiao.corpus.errors import InputError
    from jixiao.corpus.parse import parse_file

    from .common import err, input_files, stdout_write

    files = input_files(args.files)
    if files is None:
        return 2
    filings, failed = [], []
    for path in files:
        try:
            filings.extend(parse_file(path))
        except InputError as exc:
            failed.append(exc)
            err(str(exc))
    if args.format == "json":
        stdout_write(json.dumps([f.model_dump(mode="json") for f in filings],
                                ensure_ascii=False, indent=2))
    elif filings:
        stdout_write(_table(filings))
        n_ind = sum(len(f.indicators) for f in filings)
        stdout_write(f"共 {len(filings)} 张表，{n_ind} 个指标。")
    if failed:
        err(f"{len(failed)} 个文件未能读取（见上）。")
        return 2
    return 0
