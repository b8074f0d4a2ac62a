"""`jixiao feedback list | undo ID | clear`: what the catalogue learned from chat choices.

Every chat session that ends records, per indicator it dealt with, whether the officer kept,
changed, removed or added it; later suggestions score those indicators up or down (catalogue
query.FEEDBACK_WEIGHT).  This command shows those records, with the session they came from, and
takes them back: one record by its number, a whole session by its name, or everything.
"""
from __future__ import annotations

from .common import add_db_arg

ACTION_LABEL = {"keep": "保留", "change": "修改", "reject": "删除", "add": "新增"}


def register(sub) -> None:
    p = sub.add_parser(
        "feedback", help="查看、撤销对话中学到的采纳/删除记录（影响以后的推荐）",
        description="对话（jixiao chat）结束时，经办人保留、修改、删除、新增了哪些指标会记入指标库，"
                    "以后推荐时相应加分或减分。这里可以查看这些记录（来自哪个会话），"
                    "撤销一条或一个会话的全部记录，或全部清除。",
        epilog="示例：jixiao feedback list；jixiao feedback undo 12；jixiao feedback undo 20260105-093000-4242；"
               "jixiao feedback clear --yes",
    )
    cmds = p.add_subparsers(dest="feedback_command", metavar="子命令", required=True)
    ls = cmds.add_parser("list", help="列出记录：编号、时间、保留/修改/删除/新增、指标、项目、会话")
    ls.add_argument("--session", metavar="会话", help="只看一个会话的记录")
    ls.add_argument("--limit", type=int, default=200, metavar="N", help="最多显示几条（默认 200，最新的在前）")
    ls.add_argument("--format", choices=["table", "json"], default="table", help="输出格式（默认 table）")
    add_db_arg(ls)
    un = cmds.add_parser("undo", help="撤销一条记录（编号）或一个会话的全部记录（会话名）")
    un.add_argument("ident", metavar="ID", help="记录编号（list 中的“编号”）或会话名（list 中的“会话”）")
    add_db_arg(un)
    cl = cmds.add_parser("clear", help="清除全部记录（先询问；--yes 不询问）")
    cl.add_argument("--yes", action="store_true", help="不询问，直接清除")
    add_db_arg(cl)


def _table(rows: list[dict], total: int) -> str:
    from .chat.view import pad

    if not rows:
        return "指标库中还没有从对话中学到的记录。"
    widths = (6, 19, 4, 26, 14, 20, 22)
    head = ("编号", "时间", "操作", "指标", "二级指标", "项目", "会话")
    lines = ["  ".join(pad(h, w) for h, w in zip(head, widths)).rstrip()]
    for r in rows:
        cells = (str(r["id"]), r["created_at"][:19].replace("T", " "), ACTION_LABEL.get(r["action"], r["action"]),
                 r["name"], r["level2"], r["project"] or "—", r["session"] or "—")
        lines.append("  ".join(pad(c, w) for c, w in zip(cells, widths)).rstrip())
    shown = f"（显示最新的 {len(rows)} 条）" if total > len(rows) else ""
    lines.append(f"共 {total} 条记录{shown}。推荐时：保留、新增 +1 分，修改 +0.5 分，删除 −1 分（同名指标累计）。")
    lines.append("撤销：jixiao feedback undo 编号 或 jixiao feedback undo 会话名；全部清除：jixiao feedback clear")
    return "\n".join(lines)


def _confirm(n: int) -> bool:
    import sys

    from .chat.commands import vocab

    prompt = f"确定清除全部 {n} 条学习记录？此后推荐不再参考以往的采纳/删除。［y/N］："
    print(prompt, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    answer = line.strip().lower()
    return bool(line) and answer != "" and answer in vocab()["yes_words"]


def run(args) -> int:
    import json
    import sqlite3
    from pathlib import Path

    from jixiao.catalogue.browse import feedback_count, feedback_entries
    from jixiao.catalogue.paths import default_db_path
    from jixiao.catalogue.store import CatalogueError, clear_feedback, open_catalogue, undo_feedback

    from .common import err, stdout_write

    db_path = Path(args.db) if args.db else default_db_path()
    try:
        if args.feedback_command == "list":
            db = open_catalogue(db_path, bootstrap=True)
            try:
                rows = feedback_entries(db.conn, args.session, max(1, args.limit))
                total = (len(feedback_entries(db.conn, args.session)) if args.session
                         else feedback_count(db.conn))
            finally:
                db.close()
            if args.format == "json":
                stdout_write(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                stdout_write(_table(rows, total))
            return 0
        if args.feedback_command == "undo":
            removed = undo_feedback(db_path, args.ident)
            if not removed:
                err(f"没有编号或会话为“{args.ident}”的记录（jixiao feedback list 查看）")
                return 1
            what = f"第 {args.ident} 条记录" if args.ident.strip().isdigit() else f"会话 {args.ident} 的 {removed} 条记录"
            stdout_write(f"已撤销{what}；以后的推荐不再参考。")
            return 0
        db = open_catalogue(db_path, bootstrap=True)
        try:
            n = feedback_count(db.conn)
        finally:
            db.close()
        if not n:
            stdout_write("没有需要清除的记录。")
            return 0
        if not args.yes and not _confirm(n):
            stdout_write("未清除。")
            return 1
        stdout_write(f"已清除 {clear_feedback(db_path)} 条学习记录。")
        return 0
    except CatalogueError as exc:
        err(str(exc))
        return 2
    except sqlite3.Error as exc:
        err(f"{db_path}：读写指标库出错（{exc}）")
        return 2
