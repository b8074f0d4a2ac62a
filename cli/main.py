"""`jixiao` command line: a thin dispatcher over the library.

Start-up must stay light (`jixiao --help` ≤ 0.1 s): this module imports only argparse (in Chinese:
cli/parser.py) and the command modules' `register` functions; each command imports what it needs
inside `run`.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .parser import ChineseParser, VersionAction

# command name -> module under cli/ that provides register(subparsers) and run(args) -> int
COMMANDS = {
    "parse": "jixiao.cli.cmd_parse",
    "ingest": "jixiao.cli.cmd_ingest",
    "catalogue": "jixiao.cli.cmd_catalogue",
    "suggest": "jixiao.cli.cmd_suggest",
    "lint": "jixiao.cli.cmd_lint",
    "eval": "jixiao.cli.cmd_eval",
    "chat": "jixiao.cli.cmd_chat",
    "batch": "jixiao.cli.cmd_batch",
    "feedback": "jixiao.cli.cmd_feedback",
}


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(
        prog="jixiao",
        description="jixiao（绩效）：项目支出绩效目标表指标推荐（离线、规则驱动）。",
        epilog="每个子命令都有自己的帮助，例如：jixiao suggest --help",
    )
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseParser)
    for name, modname in COMMANDS.items():
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as exc:  # command not built yet in this checkout
            if exc.name == modname:
                continue
            raise
        mod.register(sub)
    return parser


def _tolerant_streams() -> None:
    """A file name's undecodable bytes (lone surrogates) never end a run at a print: shown escaped."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def main(argv: list[str] | None = None) -> int:
    _tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    mod = importlib.import_module(COMMANDS[args.command])
    try:
        return int(mod.run(args) or 0)
    except KeyboardInterrupt:
        print("\n已取消。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        problem = _catalogue_damage(args, exc)
        if problem is None:
            raise
        print(f"jixiao：{problem}", file=sys.stderr)
        return 2


def _catalogue_damage(args, exc: Exception) -> str | None:
    """Damage SQLite finds only when a query reaches a bad page (the file opened fine): one line
    naming the catalogue file, not a traceback.  None for anything else."""
    import sqlite3

    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    from jixiao.catalogue.paths import default_db_path
    from jixiao.catalogue.store import database_problem
    from jixiao.corpus.safe_text import shown_path

    path = getattr(args, "db", None) or default_db_path()
    return f"{shown_path(path)}：{database_problem(exc)}"


if __name__ == "__main__":
    sys.exit(main())
