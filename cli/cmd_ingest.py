"""`jixiao ingest PATH...`: add a unit's past filings (files or folders) to the catalogue."""
from __future__ import annotations

import argparse


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}")
    return n


def register(sub) -> None:
    from .common import add_db_arg

    p = sub.add_parser(
        "ingest", help="把本单位的历史申报表（文件或文件夹）加入指标库",
        description="读取 .txt/.docx/.xlsx/.csv/.json/.jsonl 绩效目标表，整张表写入指标库；"
                    "同一张表（无论来自哪种格式）只保存一次。读不了的文件会逐个列出，其余文件照常写入。",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="要加入的文件或文件夹（文件夹会逐层读取）")
    add_db_arg(p)
    p.add_argument("--batch", type=_positive, default=2000, metavar="N",
                   help="每个事务写入的申报表张数（默认 2000）；中断时已提交的整张表都会保留")
    p.add_argument("--no-seeds", action="store_true",
                   help="新建指标库时不载入随软件附带的种子申报表，只放入这次读取的文件")


def run(args) -> int:
    import sqlite3
    import sys
    from pathlib import Path

    from jixiao.catalogue.paths import default_db_path
    from jixiao.catalogue.store import CatalogueError, ingest_files

    from .common import err, input_files, stdout_write

    files = input_files(args.paths)          # jixiao's own summary tables are not filings
    if files is None:
        return 2
    if not files:
        return 0
    db_path = Path(args.db) if args.db else default_db_path()
    show_progress = sys.stderr.isatty()

    def progress(r) -> None:
        if show_progress:
            print(f"\r已读取 {r.files} 个文件，新增 {r.added} 张申报表，重复 {r.duplicates} 张……",
                  end="", file=sys.stderr, flush=True)

    try:
        report = ingest_files(db_path, files, bootstrap=not args.no_seeds,
                              batch_size=args.batch, progress=progress)
    except CatalogueError as exc:
        err(str(exc))
        return 2
    except sqlite3.Error as exc:          # disk full, read-only file …: already committed filings stay
        err(f"{db_path}：写入指标库失败（{exc}）；已写入的整张申报表保留，可修正后重新执行 ingest")
        return 2
    if show_progress:
        print(file=sys.stderr)
    for _, message in report.failed:
        err(message)
    if report.files == 0:
        err(f"{'、'.join(map(str, args.paths))}：没有找到可读取的绩效目标表文件"
            "（支持 .txt/.docx/.xlsx/.csv/.json/.jsonl）")
        return 2
    skipped = f"（其中 {report.files_skipped} 个此前已读过）" if report.files_skipped else ""
    stdout_write(
        f"读取文件 {report.files} 个{skipped}，识别出申报表 {report.filings_read} 张。\n"
        f"新增申报表 {report.added} 张、指标 {report.indicators_added} 个（新规范指标 {report.canonical_added} 个）；"
        f"重复跳过 {report.duplicates} 张。\n"
        f"指标库：{db_path}（共 {report.catalogue_filings} 张申报表），用时 {report.seconds:.1f} 秒。")
    if report.failed:
        err(f"有 {len(report.failed)} 个文件未能读取（见上），其余文件已写入指标库。")
        return 2
    return 0
