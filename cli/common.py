"""Small helpers every command shares: messages on stderr, the --db option, output files."""
from __future__ import annotations

import sys


def err(message: str) -> None:
    """One line for the officer on stderr (Chinese, names the file and the problem)."""
    print(f"jixiao：{message}", file=sys.stderr)


def add_db_arg(parser) -> None:
    parser.add_argument(
        "--db", metavar="FILE",
        help="指标库（catalogue）SQLite 文件；默认取环境变量 JIXIAO_DB，否则用户数据目录下的 catalogue.db",
    )


def stdout_write(text: str) -> None:
    try:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:
        pass


def _profile_name(text: str) -> str:
    import argparse

    from jixiao.engine.profiles import profile

    try:
        profile(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_profile_arg(parser) -> None:
    """--profile, checked while the arguments are read (an unknown name is a usage error, status 2)."""
    parser.add_argument("--profile", default="default", type=_profile_name, metavar="PROFILE",
                        help="模板：default（通用）或 ningxia（可持续影响必填）")


def _jobs(text: str) -> int:
    import argparse

    if not text.strip().isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"应为 1–64 的整数：{text}")
    return int(text)


def add_jobs_arg(parser, min_tasks: int, what: str) -> None:
    """--jobs N: worker processes for a long run (used from `min_tasks` items of `what` on)."""
    parser.add_argument("--jobs", type=_jobs, metavar="N",
                        help=f"并行的工作进程数（默认按 CPU 核数，最多 4；1 = 不并行）；"
                             f"不少于 {min_tasks} {what}时才并行，结果与不并行完全相同")


def input_files(paths) -> list | None:
    """The files to read from FILE/folder arguments: folders expanded (corpus.parse), jixiao's
    own summary tables skipped (said once on stderr).  A path that does not exist stays in the
    list (its reader says so, and the others are still read).  None, after saying so, when
    nothing at all is there to read (an empty folder)."""
    from jixiao.corpus.parse import SUPPORTED, iter_input_files

    from jixiao.engine.batch.summary import skipped_note, split_summaries

    files, skipped = split_summaries(iter_input_files(paths))
    if skipped:
        err(skipped_note(skipped))
    if not files and not skipped:
        kinds = " ".join(sorted(SUPPORTED))
        err(f"{'、'.join(map(str, paths))}：没有找到可读取的绩效目标表文件（支持 {kinds}）")
        return None
    return files
