"""`jixiao catalogue stats | sectors [NAME] | search TEXT | show ID | export`: look into the catalogue."""
from __future__ import annotations


def register(sub) -> None:
    from .common import add_db_arg

    p = sub.add_parser(
        "catalogue", help="查看指标库：统计、搜索指标、查看规范指标、导出",
        description="查看指标库（catalogue）。默认指标库第一次使用时由随软件附带的申报表自动建立。",
    )
    cmds = p.add_subparsers(dest="catalogue_command", metavar="子命令", required=True)
    s = cmds.add_parser("stats", help="申报表、指标、规范指标、行业指标库的数量，按行业和指标类别统计")
    add_db_arg(s)
    s.add_argument("--format", choices=["table", "json"], default="table", help="输出格式（默认 table）")

    r = cmds.add_parser("sectors", help="列出行业指标库的全部行业：触发词、典型服务对象、各类指标条数、指标库中该行业的申报表数；"
                                        "给出行业名称时列出该行业的全部指标")
    r.add_argument("name", nargs="?", metavar="行业", help="只看一个行业（名称或别名，如 林业、培训）")
    add_db_arg(r)
    r.add_argument("--format", choices=["table", "json"], default="table", help="输出格式（默认 table）")

    q = cmds.add_parser("search", help="按名称片段搜索指标（支持一两个字，如“热线”“租金”）")
    q.add_argument("text", metavar="TEXT", help="指标名称中的文字")
    add_db_arg(q)
    q.add_argument("--level2", metavar="二级指标", help="只看某个二级指标类别，如 数量指标 或 数量")
    q.add_argument("--limit", type=int, default=30, metavar="N", help="最多显示几条（默认 30）")
    q.add_argument("--format", choices=["table", "json"], default="table", help="输出格式（默认 table）")

    w = cmds.add_parser("show", help="查看一个规范指标（编号或代码）：取值、项目类型、来源申报表；"
                                     "也可查看行业指标库的指标（GX- 开头的代码）")
    w.add_argument("ident", metavar="ID", help="规范指标的编号（如 13）或代码（如 RX-09-0001）")
    add_db_arg(w)
    w.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")

    e = cmds.add_parser("export", help="导出全部申报表，每行一张（parse JSON 字段加 tags），可再次读入")
    add_db_arg(e)
    e.add_argument("--format", choices=["jsonl"], default="jsonl", help="导出格式（jsonl）")
    e.add_argument("-o", "--output", metavar="FILE", help="写入文件（默认输出到屏幕）")


def _console():
    import io

    from rich.console import Console

    return Console(record=True, width=120, file=io.StringIO())


def _stats_text(st: dict, db_path) -> str:
    from rich.table import Table

    c = _console()
    c.print(f"指标库：{db_path}（版本 {st['revision']}）")
    c.print(f"申报表 {st['filings']} 张（项目支出 {st['project_filings']}，部门整体支出 {st['department_filings']}），"
            f"指标 {st['indicators']} 个，规范指标 {st['canonical']} 个，行业指标库 {st['library']} 条。")
    t = Table(title="按行业")
    for col in ("行业", "申报表（张）", "其中为主行业", "行业指标库（条）"):
        t.add_column(col)
    for row in st["by_type"]:
        t.add_row(row["tag"], str(row["filings"]), str(row["primary"]),
                  str(st["library_by_type"].get(row["tag"], 0)))
    c.print(t)
    t = Table(title="按指标类别")
    for col in ("二级指标", "指标（个）", "规范指标（个）"):
        t.add_column(col)
    for row in st["by_level2"]:
        t.add_row(row["level2"], str(row["indicators"]), str(row["canonical"]))
    c.print(t)
    return c.export_text()


def _search_text(text: str, total: int, rows: list[dict], lib: list[dict]) -> str:
    from rich.table import Table

    c = _console()
    if rows:
        t = Table(title=f"历史指标：含“{text}”的规范指标 {total} 个" + (f"（显示前 {len(rows)} 个）" if total > len(rows) else ""))
        for col in ("代码", "二级指标", "指标名称", "匹配的写法", "使用次数", "常见取值", "项目类型"):
            t.add_column(col)
        for r in rows:
            t.add_row(r["code"], r["level2"], r["name"], r["matched"] if r["matched"] != r["name"] else "",
                      str(r["usage"]), r["typical_value"] or "", "、".join(r["tags"][:3]))
        c.print(t)
    if lib:
        t = Table(title=f"行业指标库：含“{text}”的 {len(lib)} 条")
        for col in ("代码", "行业", "二级指标", "指标名称", "参考取值", "绩效标准"):
            t.add_column(col)
        for r in lib:
            t.add_row(r["code"], r["type"], r["level2"], r["name"], r["value"], r["basis"])
        c.print(t)
    if not rows and not lib:
        c.print(f"没有找到名称含“{text}”的指标。")
    return c.export_text()


def _sectors_text(rows: list[dict]) -> str:
    from rich.table import Table

    from jixiao.corpus.categories import LEVEL2_CANON

    c = _console()
    t = Table(title=f"行业指标库：{len(rows)} 个行业，{sum(r['entries'] for r in rows)} 条指标")
    for col in ("代码", "行业", "触发词（部分）", "典型服务对象", "指标条数（数/质/时/成/经/社/生/可/满）", "申报表"):
        t.add_column(col, no_wrap=col != "触发词（部分）")
    for r in rows:
        per = "/".join(str(r["by_level2"].get(l2, 0)) for l2 in LEVEL2_CANON)
        t.add_row(r["code"], r["sector"], "、".join(r["keywords"][:4]) or "（无：兜底）",
                  "、".join(r["beneficiaries"][:2]), f"{r['entries']}（{per}）", str(r["filings"]))
    c.print(t)
    return c.export_text()


def _sector_text(r: dict) -> str:
    from rich.table import Table

    c = _console()
    c.print(f"[bold]{r['code']} {r['sector']}[/bold]（别名：{'、'.join(r['aliases']) or '—'}）")
    c.print("触发词：" + ("、".join(r["keywords"]) or "（无：兜底行业）"))
    c.print("典型服务对象：" + "、".join(r["beneficiaries"]))
    t = Table(title=f"{r['sector']}：{len(r['items'])} 条指标")
    for col in ("代码", "二级指标", "三级指标", "参考取值", "方向", "绩效标准", "适用条件"):
        t.add_column(col)
    direction = {"higher": "越高越好", "lower": "越低越好", "exact": "等于"}
    for e in r["items"]:
        t.add_row(e["code"], e["level2"], e["name"], e["value"], direction.get(e["direction"], e["direction"]),
                  e["basis"], "含“" + "/".join(e["requires"]) + "”" if e["requires"] else "")
    c.print(t)
    return c.export_text()


def _range(d: dict) -> str:
    if d.get("num_min") is None:
        return "—"
    lo, hi, unit = d["num_min"], d["num_max"], d.get("unit") or ""
    fmt = lambda x: f"{x:g}"  # noqa: E731
    return f"{fmt(lo)}{unit}" if lo == hi else f"{fmt(lo)}–{fmt(hi)}{unit}"


def _show_text(d: dict) -> str:
    from rich.table import Table

    c = _console()
    c.print(f"[bold]{d['code']}[/bold]  {d['name']}（{d['level1']} / {d['level2']}，编号 {d['id']}）")
    c.print(f"使用：{d['usage']} 张申报表；常见取值：{d['typical_value'] or '—'}；数值范围：{_range(d)}")
    c.print("项目类型：" + ("、".join(f"{t['tag']}（{t['filings']}）" for t in d["tags"]) or "—"))
    c.print("写法：" + "；".join(f"{n['name']}（{n['count']}）" for n in d["names"]))
    c.print("取值：" + ("；".join(f"{v['value']}（{v['count']}）" for v in d["values"]) or "—"))
    t = Table(title=f"来源申报表（共 {d['filings_total']} 张" + (
        f"，显示 {len(d['filings'])} 张）" if d["filings_total"] > len(d["filings"]) else "）"))
    for col in ("编号", "申报表", "年度", "部门", "原指标名称", "指标值"):
        t.add_column(col)
    for f in d["filings"]:
        t.add_row(str(f["id"]), f["name"], str(f["year"] or "—"), f["department"] or "—", f["indicator"],
                  f["value"] or "（空）")
    c.print(t)
    return c.export_text()


def _library_text(d: dict) -> str:
    return (f"{d['code']}  {d['name']}（行业指标库 · {d['type']}，{d['level1']} / {d['level2']}）\n"
            f"参考取值：{d['value']}    绩效标准：{d['basis']}\n"
            f"指标解释：{d['explain']}\n依据：{d['source'] or '—'}")


def _write_atomic(path, lines) -> int:
    import os
    from pathlib import Path

    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    n = 0
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line + "\n")
                n += 1
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return n


def _dispatch(args, conn, db_path) -> int:
    import json
    import sys

    from jixiao.catalogue import browse
    from jixiao.catalogue.canonical import level2_name

    from .common import err, stdout_write

    cmd = args.catalogue_command
    if cmd == "stats":
        st = browse.stats(conn)
        stdout_write(json.dumps(st, ensure_ascii=False, indent=2) if args.format == "json"
                     else _stats_text(st, db_path))
    elif cmd == "sectors":
        rows = browse.sectors(conn)
        if args.name:
            from jixiao.catalogue.tags import resolve_tag

            tag = resolve_tag(args.name)
            row = next((r for r in rows if r["sector"] == tag), None)
            if row is None:
                err(f"没有名为“{args.name}”的行业；可选：{'、'.join(r['sector'] for r in rows)}")
                return 2
            row = {**row, "items": browse.sector_entries(conn, row["sector"])}
            stdout_write(json.dumps(row, ensure_ascii=False, indent=2) if args.format == "json"
                         else _sector_text(row))
        else:
            stdout_write(json.dumps(rows, ensure_ascii=False, indent=2) if args.format == "json"
                         else _sectors_text(rows))
    elif cmd == "search":
        level2 = None
        if args.level2:
            level2 = level2_name(args.level2)
            if level2 is None:
                err(f"--level2：不认识的二级指标“{args.level2}”（如 数量指标、质量指标、服务对象满意度指标）")
                return 2
        if not args.text.strip():
            err("search：请给出要搜索的文字")
            return 2
        total, rows = browse.search(conn, args.text, limit=max(1, args.limit), level2=level2)
        lib = browse.search_library(conn, args.text, level2=level2)
        if args.format == "json":
            stdout_write(json.dumps({"query": args.text, "total": total, "indicators": rows, "library": lib},
                                    ensure_ascii=False, indent=2))
        else:
            stdout_write(_search_text(args.text, total, rows, lib))
    elif cmd == "show":
        d = browse.show(conn, args.ident)
        lib = None if d else browse.library_entry(conn, args.ident)
        if d is None and lib is None:
            err(f"{db_path}：指标库中没有编号或代码为“{args.ident}”的指标（可先用 catalogue search 查找）")
            return 2
        if args.format == "json":
            stdout_write(json.dumps(d or lib, ensure_ascii=False, indent=2))
        else:
            stdout_write(_show_text(d) if d else _library_text(lib))
    elif cmd == "export":
        lines = (json.dumps(f, ensure_ascii=False) for f in browse.export_filings(conn))
        if args.output:
            try:
                n = _write_atomic(args.output, lines)
            except OSError as exc:
                err(f"{args.output}：无法写入（{exc.strerror or exc}）")
                return 2
            print(f"已导出 {n} 张申报表到 {args.output}", file=sys.stderr)
        else:
            try:
                for line in lines:
                    sys.stdout.write(line + "\n")
                sys.stdout.flush()
            except BrokenPipeError:
                pass
    return 0


def run(args) -> int:
    import sqlite3
    from pathlib import Path

    from jixiao.catalogue.paths import default_db_path
    from jixiao.catalogue.store import CatalogueError, open_catalogue

    from .common import err

    db_path = Path(args.db) if args.db else default_db_path()
    try:
        db = open_catalogue(db_path, bootstrap=True)
    except CatalogueError as exc:
        err(str(exc))
        return 2
    except sqlite3.Error as exc:
        err(f"{db_path}：无法打开指标库（{exc}）")
        return 2
    try:
        return _dispatch(args, db.conn, db_path)
    except sqlite3.Error as exc:
        err(f"{db_path}：读取指标库出错（{exc}）")
        return 2
    finally:
        db.close()
