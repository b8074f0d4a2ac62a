"""The batch's output folder: one run at a time (a lock), leftovers of a killed run, and the files
written into it (drafts, then the summary).

    OutputLock(folder)          exclusive lock on the folder for a run (POSIX flock; OSError when
                                another run holds it)
    clean_temps(folder)         removes engine/writers/atomic.py temporary files a killed run left
    inside(path, folder)        whether path lies in folder (folder already resolved)
    draft_stamp(year)           the fixed timestamp .xlsx/.docx drafts carry (writers.xlsx.xlsx_stamp)
    write_draft(draft, path, fmt, stamp)
    write_summary(rows, folder, stamp) -> [csv path, xlsx path]
"""
from __future__ import annotations

import re

_TEMP = re.compile(r"^\..+\.[0-9a-f]{8}\.tmp$")     # engine/writers/atomic.py leftovers of a killed run


class OutputLock:
    """An exclusive lock on OUTDIR for the whole run (POSIX flock on the folder itself)."""

    def __init__(self, folder):
        self.fd = None
        self.folder = folder

    def __enter__(self):
        import os

        try:
            import fcntl
        except ImportError:           # not POSIX: no lock
            return self
        self.fd = os.open(self.folder, os.O_RDONLY)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            self.fd = None
            raise
        return self

    def __exit__(self, *exc):
        import os

        if self.fd is not None:
            os.close(self.fd)


def clean_temps(outdir) -> None:
    for p in outdir.iterdir():
        if _TEMP.match(p.name) and p.is_file():
            try:
                p.unlink()
            except OSError:
                pass


def inside(path, folder) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


def draft_stamp(year: int):
    from jixiao.engine.writers.xlsx import xlsx_stamp

    return xlsx_stamp(year)


def write_draft(draft, path, fmt: str, stamp) -> None:
    from jixiao.engine.writers import write
    from jixiao.engine.writers.atomic import write_bytes

    if fmt == "xlsx":
        from jixiao.engine.writers.xlsx import xlsx_bytes

        write_bytes(path, xlsx_bytes([draft], stamp), sync_dir=False)
    elif fmt == "docx":
        from jixiao.engine.writers.word import docx_bytes

        write_bytes(path, docx_bytes([draft], stamp), sync_dir=False)
    else:
        write(draft, path, fmt, sync_dir=False)


def write_summary(rows, outdir, stamp) -> list:
    """汇总.csv and 汇总.xlsx (rows: summary.SummaryRow), then OUTDIR synced once for every file of
    the run (drafts are written with sync_dir=False, see writers.atomic); returns the paths written."""
    from jixiao.engine.writers import write_csv
    from jixiao.engine.writers.atomic import sync_folder
    from jixiao.engine.writers.tabular import write_xlsx_rows

    from .summary import SUMMARY_HEADER, SUMMARY_STEM

    csv_path, xlsx_path = outdir / f"{SUMMARY_STEM}.csv", outdir / f"{SUMMARY_STEM}.xlsx"
    cells = [tuple(r) for r in rows]
    write_csv(cells, SUMMARY_HEADER, csv_path, sync_dir=False)
    write_xlsx_rows(cells, SUMMARY_HEADER, xlsx_path, sheet=SUMMARY_STEM, stamp=stamp, sync_dir=False)
    sync_folder(outdir)
    return [csv_path, xlsx_path]
