"""`jixiao chat`: a guided session that drafts a complete target table with the officer."""
from __future__ import annotations

from .common import add_db_arg, add_profile_arg


def register(sub) -> None:
    p = sub.add_parser(
        "chat", help="对话式引导填表：逐类确认、删改、换候选、导出（可中断后继续）",
        description="先回答项目名称、描述、预算、年度和主管部门，再逐类确认推荐的指标："
                    "删 2、改 3 ≥98%、加 热线接通率 ≥95%、换 1、为什么 2、上一步、下一步、跳到 质量、"
                    "导出 文件名.xlsx、帮助、退出。每次修改后会话自动保存，可用 --resume 继续。"
                    "标准输入不是终端时逐行读取回答，可以编写脚本完成整个会话。",
        epilog="会话文件保存在指标库所在文件夹的 sessions/ 下（默认 ~/.local/share/jixiao/sessions/）。",
    )
    p.add_argument("--resume", nargs="?", const="", metavar="FILE",
                   help="继续上次中断的会话（不给 FILE 时取最近的一个）")
    add_profile_arg(p)
    p.add_argument("--no-feedback", action="store_true",
                   help="不使用、也不记录以往的采纳/删除（默认会记入指标库并影响以后的推荐）")
    add_db_arg(p)


def run(args) -> int:
    import sys
    from pathlib import Path

    from catalogue.paths import default_db_path

    from .chat import store
    from .chat.backend import Backend, BackendError
    from .chat.session import Session
    from .common import err

    db_path = Path(args.db) if args.db else default_db_path()
    folder = store.sessions_dir(db_path)
    resumed = args.resume is not None
    if resumed:
        path = Path(args.resume) if args.resume else store.latest(folder)
        if path is None:
            err(f"没有可以继续的会话（{folder} 中没有会话文件）。")
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
