"""The batch summary table (汇总.csv / 汇总.xlsx): its columns and rows, and how jixiao knows one
when it meets it again.

    SUMMARY_STEM, SUMMARY_HEADER, COUNT_COLUMNS
    SummaryRow                         one row, a field per column (in SUMMARY_HEADER order)
    FAILED, BUDGET_PROBLEM, DONE       the 状态 column's values
    is_summary_file(path) -> bool      a 汇总 file jixiao batch wrote (by content, not by name)
    split_summaries(paths) -> (files, summaries)

A batch output folder holds the drafts and the summary; the drafts are filings for next year's
batch, `lint` and `parse`, the summary is not.  Commands that take folders skip summaries by
design — said once on screen, never reported as a failure.  A summary is recognised by its
first header cells (序号, 输入文件, 表序号, 项目名称): in a .csv the first line, in a .xlsx the
one sheet named 汇总 whose first shared strings are those headers (read from the zip without
loading the workbook).  Older summaries with fewer count columns are recognised the same way.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

SUMMARY_STEM = "汇总"
SUMMARY_HEADER = (
    "序号", "输入文件", "表序号", "项目名称", "类型", "上年年度", "目标年度", "预算（万元）", "预算来源",
    "输出文件", "沿用", "年份顺延", "总成本重设", "成本构成调整", "补充", "移动", "审核提示", "待填写",
    "审核错误", "状态", "问题与说明",
)
# summary column → engine.carry.CarryCounts field
COUNT_COLUMNS = {"沿用": "carried", "年份顺延": "rolled", "总成本重设": "recosted", "成本构成调整": "cost_changed",
                 "补充": "added", "移动": "moved", "审核提示": "flagged", "待填写": "needs_input",
                 "审核错误": "lint_errors"}
FAILED, BUDGET_PROBLEM, DONE = "失败", "预算问题", "成功"


class SummaryRow(NamedTuple):
    """One row of the summary, its fields in column order (tuple(row) is the row's cells).  A
    row that is not about a carried filing (a file that could not be read, a budget-table
    problem) leaves the columns it has nothing for empty ("")."""

    number: int                    # 序号
    input_file: str = ""           # 输入文件
    table_no: int | str = ""       # 表序号 (the filing's place in its file)
    name: str = ""                 # 项目名称
    kind: str = ""                 # 类型: 项目 or 部门整体
    last_year: int | str = ""      # 上年年度
    target_year: int | str = ""    # 目标年度
    budget: str = ""               # 预算（万元）, as written in drafts
    budget_source: str = ""        # 预算来源
    output_file: str = ""          # 输出文件
    carried: int | str = ""        # 沿用 … 审核错误: engine.carry.CarryCounts
    rolled: int | str = ""
    recosted: int | str = ""
    cost_changed: int | str = ""
    added: int | str = ""
    moved: int | str = ""
    flagged: int | str = ""
    needs_input: int | str = ""
    lint_errors: int | str = ""
    status: str = ""               # 状态: DONE, FAILED or BUDGET_PROBLEM
    notes: str = ""                # 问题与说明, "；"-separated


_LEAD = SUMMARY_HEADER[:4]
_PEEK = 64 * 1024


def _csv_is_summary(path: Path) -> bool:
    import csv
    import io

    try:
        with open(path, "rb") as fh:
            head = fh.read(_PEEK)
    except OSError:
        return False
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        return False
    first = text.split("\n", 1)[0]
    try:
        cells = next(csv.reader(io.StringIO(first)))
    except (csv.Error, StopIteration):
        return False
    return tuple(c.strip() for c in cells[:4]) == _LEAD


def _xlsx_is_summary(path: Path) -> bool:
    import re
    import zipfile

    from jixiao.corpus.readers.textio import ZIP_ERRORS

    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" not in names:
                return False
            with z.open("xl/workbook.xml") as fh:
                book = fh.read(_PEEK).decode("utf-8", "replace")
            sheets = re.findall(r"<(?:\w+:)?sheet\b[^>]*\bname=\"([^\"]*)\"", book)
            if sheets != [SUMMARY_STEM]:
                return False
            if "xl/sharedStrings.xml" in names:
                with z.open("xl/sharedStrings.xml") as fh:
                    strings = fh.read(_PEEK).decode("utf-8", "replace")
                found = re.findall(r"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>", strings)
                if tuple(found[:4]) == _LEAD:
                    return True
    except (OSError, KeyError, RuntimeError) + ZIP_ERRORS:   # damaged: the reader names the problem
        return False
    return _xlsx_first_row_is_summary(path)


def _xlsx_first_row_is_summary(path: Path) -> bool:
    """A workbook with one sheet named 汇总 whose strings were reordered (saved again by Excel)."""
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            row = next(wb.worksheets[0].iter_rows(max_row=1, values_only=True), ())
        finally:
            wb.close()
    except Exception:  # unreadable: not a summary; the reader will say what is wrong with it
        return False
    return tuple(str(c or "").strip() for c in row[:4]) == _LEAD


def is_summary_file(path) -> bool:
    """Whether the file is a summary jixiao batch wrote (see the module doc)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return _csv_is_summary(p)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_is_summary(p)
    return False


def split_summaries(paths) -> tuple[list[Path], list[Path]]:
    """(files to read, summary files skipped) of iterated input files."""
    files, skipped = [], []
    for p in paths:
        (skipped if is_summary_file(p) else files).append(Path(p))
    return files, skipped


def skipped_note(skipped: list[Path]) -> str:
    """One line saying which summaries were skipped, for stderr."""
    names = "、".join(p.name for p in skipped[:3]) + ("等" if len(skipped) > 3 else "")
    return f"跳过 {len(skipped)} 个 jixiao 汇总表（{names}）：汇总表不是申报表"
