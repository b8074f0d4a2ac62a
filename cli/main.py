"""`jixiao` command line: a thin dispatcher over the library.

Start-up must stay light (`jixiao --help` ≤ 0.1 s): this module imports only argparse and the
command modules' `register` functions; each command imports what it needs inside `run`.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# command name -> module under cli/ that provides register(subparsers) and run(args) -> int
COMMANDS = {
    "parse": "cli.cmd_parse",
    "ingest": "cli.cmd_ingest",
    "catalogue": "cli.cmd_catalogue",
    "suggest": "cli.cmd_suggest",
    "lint": "cli.cmd_lint",
    "eval": "cli.cmd_eval",
    "chat": "cli.cmd_chat",
    "batch": "cli.cmd_batch",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # Chinese usage errors, exit status 2, no traceback
        self.print_usage(sys.stderr)
        print(f"jixiao：参数错误：{message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="jixiao",
        description="jixiao（绩效）：项目支出绩效目标表指标推荐（离线、规则驱动）。",
        epilog="每个子命令都有自己的帮助，例如：jixiao suggest --help",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    for name, modname in COMMANDS.items():
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as exc:  # command not built yet in this checkout
            if exc.name == modname:
                continue
            raise
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
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


if __name__ == "__main__":
    sys.exit(main())
