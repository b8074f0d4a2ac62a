"""`jixiao chat`: a guided session that drafts a complete target table with the officer."""
from __future__ import annotations

from .common import add_db_arg, add_profile_arg


def register(sub) -> None:
    p = sub.add_parser(
        "chat", help="对话式引导填表：逐类确认、删改、换候选、导出（可中断后继续）",
        description="先回答项目名称、描述、预算、年度和主管部门，再逐类确认推荐的指标："
                    "删 2、改 3 ≥98%、加 热线接通率 ≥95%、换 1、为什么 2、上一步、下一步、跳到 质量、"
                    "导出 文件名.xlsx（或 .docx）、帮助、退出。每次修改后会话自动保存；--list 列出保存的会话，"
                    "--resume 会话名 继续其中一个（不给会话名时继续最近的一个）。"
                    "标准输入不是终端时逐行读取回答，可以编写脚本完成整个会话。",
        epilog="会话文件保存在指标库所在文件夹的 sessions/ 下（默认 ~/.local/share/jixiao/sessions/）。",
    )
    p.add_argument("--resume", nargs="?", const="", metavar="会话",
                   help="继续保存的会话：会话名（--list 中的名称，可只写开头几位）或会话文件；不给时取最近的一个")
    p.add_argument("--list", action="store_true", help="列出保存的会话（名称、保存时间、项目、进度）后退出")
    add_profile_arg(p)
    p.add_argument("--no-feedback", action="store_true",
                   help="不使用、也不记录以往的采纳/删除（默认会记入指标库并影响以后的推荐）")
    add_db_arg(p)


def run(args) -> int:
    import sys
    from pathlib import Path

    from jixiao.catalogue.paths import default_db_path

    from .chat import store
    from .chat.backend import Backend, BackendError
    from .chat.session import Session
    from .common import err, stdout_write

    db_path = Path(args.db) if args.db else default_db_path()
    folder = store.sessions_dir(db_path)
    if args.list:
        from .chat.sessions import listing

        stdout_write(listing(folder))
        return 0
    resumed = args.resume is not None
    if resumed:
        from .chat.sessions import SessionNotFound, find_session

        try:
            path = find_session(folder, args.resume)
        except SessionNotFound as exc:
            err(str(exc))
            return 2
        try:
            state = store.load(path)
        except store.SessionError as exc:
            err(str(exc))
            return 2
        if args.db:
            state.db = str(db_path)
        if args.no_feedback:
            state.use_feedback = False
        backend = Backend(Path(state.db or db_path), state.profile, state.use_feedback)
        session = Session(state, path, backend, store.last_department(folder))
    else:
        backend = Backend(db_path, args.profile, not args.no_feedback)
        session = Session.new(store.new_path(folder), backend, store.last_department(folder))
    backend.session_id = session.path.stem          # feedback records name the session they come from
    backend.preload()
    try:
        if sys.stdin.isatty():
            from .chat.repl import run_repl

            return run_repl(session, store.history_path(db_path), resumed)
        from .chat.pipe import run_pipe

        if hasattr(sys.stdin, "reconfigure"):
            sys.stdin.reconfigure(errors="replace")     # stray bytes never end a scripted session
        return run_pipe(session, sys.stdin, sys.stdout, resumed)
    except BackendError as exc:
        err(f"{exc}（会话已保存在 {session.path}，修好后可用 --resume 继续）")
        return 2
    finally:
        backend.close()
